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

"""Tests of ``/v1/hosts/{host}/roles``."""

from tests.unit.services.api.controllers import base
from trellis.services.api.schemas import host_role as schema


class TestHostRoles(base.InventoryTestCase):

    def setUp(self):
        super().setUp()
        self.dbapi.create_cluster(self.admin, {'name': 'c1'})
        self.post('/v1/clusters/c1/roles', {'name': 'COMPUTER'})
        self.post('/v1/clusters/c1/roles', {'name': 'STORAGE'})
        self.post('/v1/hosts', {'name': 'h1', 'cluster_uuid': 'c1'})
        self.url = '/v1/hosts/h1/roles'

    def test_assign_list_unassign(self):
        response = self.put(self.url + '/COMPUTER')
        body = self.assertOK(response, 201)
        self.assertValid(schema.RESPONSE, body)
        self.assertTrue(response.headers['Location'].endswith(
            '/roles/COMPUTER'))
        self.assertOK(self.put(self.url + '/COMPUTER', {}), 200)
        self.assertOK(self.put(self.url + '/STORAGE'), 201)
        listed = self.assertOK(self.get(self.url))
        self.assertEqual(['COMPUTER', 'STORAGE'],
                         [r['name'] for r in listed['roles']])
        self.assertEqual('with-role',
                         self.assertOK(self.get('/v1/hosts/h1'))['status'])
        self.assertEqual(204, self.delete(self.url + '/COMPUTER').status_code)
        self.assertEqual(204, self.delete(self.url + '/STORAGE').status_code)
        self.assertEqual('in-cluster',
                         self.assertOK(self.get('/v1/hosts/h1'))['status'])
        self.assertError(self.delete(self.url + '/STORAGE'), 404,
                         'Not Found')

    def test_role_of_another_cluster_or_none(self):
        self.assertError(self.put(self.url + '/CONTROLLER_HA'), 404,
                         'Not Found')
        self.post('/v1/hosts', {'name': 'free'})
        error = self.assertError(self.put('/v1/hosts/free/roles/COMPUTER'),
                                 409, 'Conflict')
        self.assertIn('cluster_uuid', error['message'])
        self.assertError(self.put('/v1/hosts/nope/roles/COMPUTER'), 404,
                         'Not Found')

    def test_body_must_be_empty_object(self):
        self.assertInvalid(self.put(self.url + '/COMPUTER',
                                    {'role_status': 'active'}),
                           '$.role_status')
        self.assertInvalid(self.get(self.url + '?limit=1'), 'limit')
