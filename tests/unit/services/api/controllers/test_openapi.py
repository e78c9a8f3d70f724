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

"""Tests of ``GET /v1/openapi.json``: complete, valid, and true."""

import openapi_spec_validator

from tests.unit.services.api.controllers import base
from trellis.services.api import schemas
from trellis.services.api.controllers import openapi


class TestOpenAPI(base.InventoryTestCase):

    def setUp(self):
        super().setUp()
        response = self.get('/v1/openapi.json')
        self.doc = self.assertOK(response)
        self.assertEqual('application/json', response.mimetype)

    def test_valid_openapi_31(self):
        self.assertEqual('3.1.0', self.doc['openapi'])
        openapi_spec_validator.validate(self.doc)

    def test_every_route_is_described(self):
        missing = []
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint == 'static':
                continue
            path = openapi.openapi_path(rule.rule)
            for method in rule.methods - {'HEAD', 'OPTIONS'}:
                if method.lower() not in self.doc['paths'].get(path, {}):
                    missing.append('%s %s' % (method, path))
        self.assertEqual([], missing)
        self.assertIn('/v1/hosts/{host}/roles/{role_name}',
                      self.doc['paths'])

    def test_schemas_are_the_validated_ones(self):
        components = self.doc['components']['schemas']
        for resource in schemas.RESOURCES:
            name = openapi._camel(resource.name)
            self.assertEqual(resource.create, components[name + 'Create'])
            self.assertEqual(resource.response, components[name])
            if resource.update is not None:
                self.assertEqual(resource.update,
                                 components[name + 'Update'])

    def test_list_parameters_follow_the_resource(self):
        operation = self.doc['paths']['/v1/hosts']['get']
        params = {p['name']: p for p in operation['parameters']}
        self.assertEqual(
            {'limit', 'marker', 'sort_key', 'sort_dir', 'cluster', 'role',
             'status', 'os_status', 'mac'}, set(params))
        self.assertEqual(sorted(schemas.host.RESOURCE.sort_keys),
                         params['sort_key']['schema']['enum'])
        create = self.doc['paths']['/v1/hosts']['post']
        self.assertEqual({'$ref': '#/components/schemas/HostCreate'},
                         create['requestBody']['content'][
                             'application/json']['schema'])
        self.assertIn('201', create['responses'])
        self.assertIn('409', create['responses'])

    def test_path_conversion(self):
        self.assertEqual('/v1/clusters/{cluster}/networks/{network}',
                         openapi.openapi_path(
                             '/v1/clusters/<cluster>/networks/<network>'))
        self.assertEqual('/static/{filename}',
                         openapi.openapi_path('/static/<path:filename>'))

    def test_responses_match_documented_schemas(self):
        # A created cluster and host validate against the document's own
        # component schemas.
        components = self.doc['components']['schemas']
        cluster = self.assertOK(self.post('/v1/clusters', {'name': 'c'}),
                                201)
        self.assertValid(components['Cluster'], cluster)
        host = self.assertOK(self.post('/v1/hosts', {
            'name': 'h', 'bmc': {'driver': 'ipmi', 'password': 'p'}}), 201)
        self.assertValid(components['Host'], host)
        self.assertValid(components['HostList'],
                         self.assertOK(self.get('/v1/hosts')))
