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

"""Tests of ``/v1/clusters/{cluster}/roles``."""

from tests.unit.services.api.controllers import base
from trellis.services.api.schemas import role as schema


class TestRoles(base.InventoryTestCase):

    def setUp(self):
        super().setUp()
        self.cluster = self.dbapi.create_cluster(self.admin, {'name': 'c1'})
        self.url = '/v1/clusters/c1/roles'

    def test_crud(self):
        body = self.assertOK(self.post(self.url, {
            'name': 'CONTROLLER_HA', 'vip': '192.0.2.5'}), 201)
        self.assertValid(schema.RESPONSE, body)
        self.assertEqual(('init', 0), (body['status'], body['progress']))
        self.assertEqual(body, self.assertOK(self.get(
            self.url + '/CONTROLLER_HA')))
        patched = self.assertOK(self.patch(self.url + '/CONTROLLER_HA',
                                           {'vip': '2001:db8::5'}))
        self.assertEqual('2001:db8::5', patched['vip'])
        self.assertEqual(204, self.delete(
            self.url + '/' + body['uuid']).status_code)
        self.assertEqual([], self.assertOK(self.get(self.url))['roles'])

    def test_invalid(self):
        self.assertInvalid(self.post(self.url, {
            'name': 'WORKER', 'vip': 'x', 'status': 'active',
            'progress': 5}), '$.name', '$.progress', '$.status', '$.vip')
        self.post(self.url, {'name': 'COMPUTER'})
        self.assertInvalid(self.patch(self.url + '/COMPUTER',
                                      {'status': 'active'}), '$.status')

    def test_list_filter_status(self):
        self.post(self.url, {'name': 'COMPUTER'})
        role = self.dbapi.get_role(self.admin, self.cluster.id, 'COMPUTER')
        self.dbapi.update_role(self.admin, role.id, {'status': 'active'})
        self.post(self.url, {'name': 'STORAGE'})
        body = self.assertOK(self.get(self.url + '?status=active'))
        self.assertValid(schema.RESOURCE.list_response, body)
        self.assertEqual(['COMPUTER'], [r['name'] for r in body['roles']])
        self.assertInvalid(self.get(self.url + '?type=x'), 'type')

    def test_delete_assigned_role_is_409(self):
        self.post(self.url, {'name': 'COMPUTER'})
        self.post('/v1/hosts', {'name': 'h1', 'cluster_uuid': 'c1'})
        self.assertOK(self.put('/v1/hosts/h1/roles/COMPUTER'), 201)
        error = self.assertError(self.delete(self.url + '/COMPUTER'), 409,
                                 'Conflict')
        self.assertIn('h1', error['message'])
        self.assertOK(self.get(self.url + '/COMPUTER'))
