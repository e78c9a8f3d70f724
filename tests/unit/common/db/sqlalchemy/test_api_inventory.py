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

"""Tests of the Connection methods the REST API (issue 3) relies on.

Lookups by UUID or name, the hosts' role/MAC filters, replacing a host's
interfaces in one transaction, the delete guards and the host status
that follows role assignments.
"""

from oslo_utils import uuidutils

from tests.unit.common.db import base
from trellis.common import exception


class InventoryTestCase(base.DbTestCase):

    def setUp(self):
        super().setUp()
        self.cluster = self.dbapi.create_cluster(self.context,
                                                 {'name': 'c1'})

    def _host(self, name, macs=(), **kw):
        values = {'name': name, 'interfaces': [
            {'name': 'eth%d' % i, 'mac': mac} for i, mac in enumerate(macs)]}
        values.update(kw)
        return self.dbapi.create_host(self.context, values)


class TestLookups(InventoryTestCase):

    def test_cluster_by_uuid_or_name(self):
        self.assertEqual(self.cluster.id, self.dbapi.get_cluster(
            self.context, 'c1').id)
        self.assertEqual(self.cluster.id, self.dbapi.get_cluster(
            self.context, self.cluster.uuid).id)
        self.assertRaises(exception.ClusterNotFound, self.dbapi.get_cluster,
                          self.context, uuidutils.generate_uuid())
        self.assertRaises(exception.ClusterNotFound, self.dbapi.get_cluster,
                          self.context, 'nope')

    def test_name_that_looks_like_a_uuid(self):
        name = uuidutils.generate_uuid()
        cluster = self.dbapi.create_cluster(self.context, {'name': name})
        self.assertEqual(cluster.id,
                         self.dbapi.get_cluster(self.context, name).id)

    def test_host_by_uuid_or_name(self):
        host = self._host('h1')
        self.assertEqual(host.id, self.dbapi.get_host(self.context, 'h1').id)
        self.assertEqual(host.id,
                         self.dbapi.get_host(self.context, host.uuid).id)
        self.assertRaises(exception.HostNotFound, self.dbapi.get_host,
                          self.context, 'h2')

    def test_network_and_role_scoped_to_cluster(self):
        other = self.dbapi.create_cluster(self.context, {'name': 'c2'})
        net = self.dbapi.create_network(
            self.context, {'cluster_id': self.cluster.id, 'name': 'mgmt',
                           'network_type': 'MANAGEMENT'})
        role = self.dbapi.create_role(
            self.context, {'cluster_id': self.cluster.id,
                           'name': 'COMPUTER'})
        self.assertEqual(net.id, self.dbapi.get_network(
            self.context, self.cluster.id, 'mgmt').id)
        self.assertEqual(net.id, self.dbapi.get_network(
            self.context, self.cluster.id, net.uuid).id)
        self.assertRaises(exception.NetworkNotFound, self.dbapi.get_network,
                          self.context, other.id, 'mgmt')
        self.assertEqual(role.id, self.dbapi.get_role(
            self.context, self.cluster.id, 'COMPUTER').id)
        self.assertRaises(exception.RoleNotFound, self.dbapi.get_role,
                          self.context, other.id, role.uuid)

    def test_version_by_name_ambiguous(self):
        kolla = self.dbapi.create_version(
            self.context, {'name': 'v1', 'type': 'kolla'})
        self.assertEqual(kolla.id,
                         self.dbapi.get_version(self.context, 'v1').id)
        self.dbapi.create_version(self.context, {'name': 'v1', 'type': 'os'})
        exc = self.assertRaises(exception.VersionNameAmbiguous,
                                self.dbapi.get_version, self.context, 'v1')
        self.assertEqual(409, exc.code)
        self.assertEqual(kolla.id, self.dbapi.get_version(
            self.context, kolla.uuid).id)

    def test_updates(self):
        net = self.dbapi.create_network(
            self.context, {'cluster_id': self.cluster.id, 'name': 'mgmt',
                           'network_type': 'MANAGEMENT'})
        self.assertEqual(1500, self.dbapi.update_network(
            self.context, net.uuid, {'mtu': 1500}).mtu)
        role = self.dbapi.create_role(
            self.context, {'cluster_id': self.cluster.id, 'name': 'COMPUTER'})
        self.assertEqual('192.0.2.9', self.dbapi.update_role(
            self.context, role.uuid, {'vip': '192.0.2.9'}).vip)
        version = self.dbapi.create_version(
            self.context, {'name': 'v1', 'type': 'os'})
        self.assertEqual(12, self.dbapi.update_version(
            self.context, version.uuid, {'size': 12}).size)
        self.assertRaises(exception.VersionNotFound,
                          self.dbapi.update_version, self.context,
                          uuidutils.generate_uuid(), {'size': 1})


class TestHostFilters(InventoryTestCase):

    def test_filter_by_mac_any_case(self):
        self._host('h1', ['52:54:00:00:00:01'])
        self._host('h2', ['52:54:00:00:00:02'])
        hosts = self.dbapi.list_hosts(
            self.context, filters={'mac': '52:54:00:00:00:02'.upper()})
        self.assertEqual(['h2'], [h.name for h in hosts])

    def test_filter_by_role_and_names_of_roles(self):
        h1 = self._host('h1', cluster_id=self.cluster.id)
        h2 = self._host('h2', cluster_id=self.cluster.id)
        compute = self.dbapi.create_role(
            self.context, {'cluster_id': self.cluster.id, 'name': 'COMPUTER'})
        ha = self.dbapi.create_role(
            self.context, {'cluster_id': self.cluster.id,
                           'name': 'CONTROLLER_HA'})
        for host, role in ((h1, compute), (h2, ha), (h2, compute)):
            self.dbapi.create_host_role(
                self.context, {'host_id': host.id, 'role_id': role.id})
        names = [h.name for h in self.dbapi.list_hosts(
            self.context, filters={'role': 'CONTROLLER_HA'})]
        self.assertEqual(['h2'], names)
        roles = self.dbapi.list_host_role_names(self.context,
                                                [h1.id, h2.id, 999])
        self.assertEqual(['COMPUTER'], [n for n, _ in roles[h1.id]])
        self.assertEqual(['COMPUTER', 'CONTROLLER_HA'],
                         [n for n, _ in roles[h2.id]])
        self.assertNotIn(999, roles)
        self.assertEqual({}, self.dbapi.list_host_role_names(self.context,
                                                             []))


class TestHostUpdate(InventoryTestCase):

    def test_replace_interfaces(self):
        host = self._host('h1', ['52:54:00:00:00:01', '52:54:00:00:00:02'])
        updated = self.dbapi.update_host(
            self.context, host.uuid, {'arch': 'x86_64'},
            interfaces=[{'name': 'eth0', 'mac': '52:54:00:00:00:02'},
                        {'name': 'eth9', 'mac': '52:54:00:00:00:0A'}])
        self.assertEqual('x86_64', updated.arch)
        got = self.dbapi.get_host(self.context, 'h1')
        self.assertEqual([('eth0', '52:54:00:00:00:02'),
                          ('eth9', '52:54:00:00:00:0a')],
                         [(i.name, i.mac) for i in got.interfaces])

    def test_mac_conflict_changes_nothing(self):
        self._host('other', ['52:54:00:00:00:99'])
        host = self._host('h1', ['52:54:00:00:00:01'])
        exc = self.assertRaises(
            exception.MacAddressAlreadyExists, self.dbapi.update_host,
            self.context, host.uuid, {'arch': 'aarch64'},
            interfaces=[{'name': 'eth0', 'mac': '52:54:00:00:00:01'},
                        {'name': 'eth1', 'mac': '52:54:00:00:00:02'},
                        {'name': 'eth2', 'mac': '52:54:00:00:00:99'}])
        self.assertIn('other', str(exc))
        got = self.dbapi.get_host(self.context, 'h1')
        self.assertIsNone(got.arch)
        self.assertEqual(['52:54:00:00:00:01'],
                         [i.mac for i in got.interfaces])

    def test_interfaces_untouched_by_default(self):
        host = self._host('h1', ['52:54:00:00:00:01'])
        self.dbapi.update_host(self.context, host.id, {'position': 'r1'})
        self.assertEqual(1, len(self.dbapi.get_host(
            self.context, 'h1').interfaces))

    def test_moving_cluster_drops_roles(self):
        host = self._host('h1', cluster_id=self.cluster.id)
        role = self.dbapi.create_role(
            self.context, {'cluster_id': self.cluster.id, 'name': 'COMPUTER'})
        self.dbapi.create_host_role(
            self.context, {'host_id': host.id, 'role_id': role.id})
        self.assertEqual('with-role',
                         self.dbapi.get_host(self.context, 'h1').status)
        other = self.dbapi.create_cluster(self.context, {'name': 'c2'})
        moved = self.dbapi.update_host(self.context, host.id,
                                       {'cluster_id': other.id})
        self.assertEqual('in-cluster', moved.status)
        self.assertEqual([], self.dbapi.list_host_roles(self.context))
        freed = self.dbapi.update_host(self.context, host.id,
                                       {'cluster_id': None})
        self.assertEqual('init', freed.status)


class TestGuardsAndStatus(InventoryTestCase):

    def test_cluster_with_active_deployment_is_kept(self):
        for state in ('pending', 'running'):
            deployment = self.dbapi.create_deployment(
                self.context, {'cluster_id': self.cluster.id,
                               'kind': 'install', 'state': state})
            exc = self.assertRaises(exception.ClusterDeploymentInProgress,
                                    self.dbapi.destroy_cluster,
                                    self.context, 'c1')
            self.assertEqual(409, exc.code)
            self.assertIn(state, str(exc))
            self.dbapi.update_deployment(self.context, deployment.uuid,
                                         {'state': 'failed'})
        self.dbapi.destroy_cluster(self.context, self.cluster.uuid)
        self.assertRaises(exception.ClusterNotFound, self.dbapi.get_cluster,
                          self.context, 'c1')

    def test_status_follows_assignments(self):
        host = self._host('h1', cluster_id=self.cluster.id,
                          status='in-cluster')
        compute = self.dbapi.create_role(
            self.context, {'cluster_id': self.cluster.id, 'name': 'COMPUTER'})
        storage = self.dbapi.create_role(
            self.context, {'cluster_id': self.cluster.id, 'name': 'STORAGE'})
        first = self.dbapi.create_host_role(
            self.context, {'host_id': host.id, 'role_id': compute.id})
        second = self.dbapi.create_host_role(
            self.context, {'host_id': host.id, 'role_id': storage.id})
        self.assertEqual('with-role',
                         self.dbapi.get_host(self.context, 'h1').status)
        self.dbapi.destroy_host_role(self.context, first.uuid)
        self.assertEqual('with-role',
                         self.dbapi.get_host(self.context, 'h1').status)
        self.dbapi.destroy_host_role(self.context, second.uuid)
        self.assertEqual('in-cluster',
                         self.dbapi.get_host(self.context, 'h1').status)
