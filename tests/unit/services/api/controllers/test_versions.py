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

"""Tests of ``/v1/versions``."""

from tests.unit.services.api.controllers import base
from trellis.services.api.schemas import version as schema


class TestVersions(base.InventoryTestCase):

    def test_crud(self):
        body = self.assertOK(self.post('/v1/versions', {
            'name': '2024.1', 'type': 'kolla', 'file': '/srv/k.tgz',
            'checksum': 'sha256:ab', 'size': 10}), 201)
        self.assertValid(schema.RESPONSE, body)
        self.assertEqual('unused', body['status'])
        self.assertEqual(body, self.assertOK(self.get('/v1/versions/2024.1')))
        patched = self.assertOK(self.patch('/v1/versions/' + body['uuid'],
                                           {'size': 11, 'checksum': None}))
        self.assertEqual((11, None), (patched['size'], patched['checksum']))
        self.assertEqual(204, self.delete('/v1/versions/2024.1').status_code)
        self.assertError(self.get('/v1/versions/2024.1'), 404, 'Not Found')

    def test_invalid_and_conflicts(self):
        self.assertInvalid(self.post('/v1/versions', {
            'name': 'v', 'type': 'rpm', 'size': -1, 'status': 'in-use'}),
            '$.size', '$.status', '$.type')
        self.assertOK(self.post('/v1/versions', {'name': 'v', 'type': 'os'}),
                      201)
        self.assertError(self.post('/v1/versions', {'name': 'v',
                                                    'type': 'os'}),
                         409, 'Conflict')
        self.assertOK(self.post('/v1/versions', {'name': 'v',
                                                 'type': 'kolla'}), 201)
        error = self.assertError(self.get('/v1/versions/v'), 409, 'Conflict')
        self.assertIn('UUID', error['message'])

    def test_list_filters(self):
        for name, kind in (('a', 'os'), ('b', 'kolla'), ('c', 'os')):
            self.post('/v1/versions', {'name': name, 'type': kind})
        body = self.assertOK(self.get(
            '/v1/versions?type=os&sort_key=name&sort_dir=desc'))
        self.assertValid(schema.RESOURCE.list_response, body)
        self.assertEqual(['c', 'a'], [v['name'] for v in body['versions']])
