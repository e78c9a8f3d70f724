# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""Bulk writes used by the lab import: create_hosts, create_host_roles."""

from tests.unit.common.db import base
from trellis.common import exception


class TestBulk(base.DbTestCase):

    def setUp(self):
        super().setUp()
        self.cluster = self.dbapi.create_cluster(self.context, {'name': 'c'})
        self.role = self.dbapi.create_role(
            self.context, {'name': 'COMPUTER', 'cluster_id': self.cluster.id})

    def _hosts(self, *names):
        return [{'name': n, 'cluster_id': self.cluster.id,
                 'interfaces': [{'name': 'eth0',
                                 'mac': '52:54:00:00:00:%02X' % i}]}
                for i, n in enumerate(names)]

    def test_create_hosts_and_roles(self):
        hosts = self.dbapi.create_hosts(self.context, self._hosts('a', 'b'))
        self.assertEqual(['a', 'b'], [h.name for h in hosts])
        self.assertEqual('52:54:00:00:00:01', self.dbapi.get_host_by_name(
            self.context, 'b').interfaces[0].mac)
        refs = self.dbapi.create_host_roles(
            self.context, [{'host_id': h.id, 'role_id': self.role.id}
                           for h in hosts])
        self.assertEqual(2, len(refs))
        self.assertEqual(['with-role', 'with-role'], [
            self.dbapi.get_host_by_id(self.context, h.id).status
            for h in hosts])

    def test_empty_lists(self):
        self.assertEqual([], self.dbapi.create_hosts(self.context, []))
        self.assertEqual([], self.dbapi.create_host_roles(self.context, []))

    def test_conflict_creates_none(self):
        self.dbapi.create_hosts(self.context, self._hosts('a'))
        self.assertRaises(exception.MacAddressAlreadyExists,
                          self.dbapi.create_hosts, self.context,
                          self._hosts('x', 'y'))
        self.assertEqual(['a'], [h.name for h in
                                 self.dbapi.list_hosts(self.context)])

    def test_assignment_conflict_makes_none(self):
        hosts = self.dbapi.create_hosts(self.context, self._hosts('a', 'b'))
        self.dbapi.create_host_role(
            self.context, {'host_id': hosts[1].id, 'role_id': self.role.id})
        self.assertRaises(exception.Conflict, self.dbapi.create_host_roles,
                          self.context,
                          [{'host_id': h.id, 'role_id': self.role.id}
                           for h in hosts])
        self.assertEqual(1, len(self.dbapi.list_host_roles(self.context)))
