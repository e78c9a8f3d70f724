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


"""``/v1/labs``: import and export through the Flask app."""

import jsonschema

from tests.unit.common.labs import base as lab_base
from tests.unit.services.api.controllers import base
from trellis.services.api import errors
from trellis.services.api.controllers import labs


class TestLabImport(base.InventoryTestCase):

    def test_import_and_again(self):
        body = {'files': lab_base.daisy_files()}
        report = self.assertOK(self.post('/v1/labs/import', body))
        self.assertEqual('lab1', report['cluster']['name'])
        self.assertEqual('changed', report['result'])
        self.assertEqual(4, report['summary']['host']['created'])
        self.assertFalse(report['dry_run'])
        again = self.assertOK(self.post('/v1/labs/import', body))
        self.assertEqual('unchanged', again['result'])
        self.assertTrue(all(c['action'] == 'unchanged'
                            for c in again['changes']))

    def test_tripleo_with_format_cluster_and_dry_run(self):
        body = {'files': lab_base.nodes_files(), 'format': 'tripleo',
                'cluster': 'renamed', 'dry_run': True}
        report = self.assertOK(self.post('/v1/labs/import', body))
        self.assertEqual('renamed', report['cluster']['name'])
        self.assertTrue(report['dry_run'])
        self.assertEqual([], self.dbapi.list_clusters(self.admin))

    def test_invalid_lab_is_400_with_file_line_path(self):
        deploy = lab_base.DEPLOY.replace('  - COMPUTER', '  - COMPUTE')
        response = self.post('/v1/labs/import',
                             {'files': lab_base.daisy_files(deploy)})
        error = self.assertError(response, 400, 'Bad Request')
        self.assertIn('nothing was imported', error['message'])
        self.assertEqual([{'file': 'deploy.yml', 'line': 33,
                           'path': 'hosts[3].roles[0]',
                           'message': "unknown role 'COMPUTE'; expected "
                                      "one of: CONTROLLER_LB, "
                                      "CONTROLLER_HA, COMPUTER, STORAGE, "
                                      "DPM_COMPUTE"}], error['details'])
        self.assertEqual([], self.dbapi.list_hosts(self.admin))

    def test_body_schema(self):
        response = self.post('/v1/labs/import',
                             {'files': [{'name': 'x'}], 'dry_run': 'yes',
                              'extra': 1})
        error = self.assertError(response, 400, 'Bad Request')
        fields = sorted(d['field'] for d in error['details'])
        self.assertEqual(['$', '$.dry_run', '$.files[0]'], fields)

    def test_not_json(self):
        response = self.client.post('/v1/labs/import', data='files: []',
                                    content_type='application/yaml')
        self.assertError(response, 415, 'Unsupported Media Type')

    def test_malformed_json(self):
        response = self.client.post('/v1/labs/import', data='{"files": [',
                                    content_type='application/json')
        self.assertError(response, 400, 'Bad Request')

    def test_body_too_large(self):
        self.useFixture(base.fixtures.MockPatchObject(
            labs, '_max_body', lambda: 2048))
        response = self.post('/v1/labs/import', {'files': [
            {'name': 'deploy.yml', 'content': 'x' * 4096}]})
        error = self.assertError(response, 413, errors.reason_phrase(413))
        self.assertIn('max_lab_body_size', error['message'])

    def test_reader_may_not_import(self):
        self.use_role('reader')
        response = self.post('/v1/labs/import',
                             {'files': lab_base.daisy_files()})
        self.assertError(response, 403, 'Forbidden')


class TestLabExport(base.InventoryTestCase):

    def setUp(self):
        super().setUp()
        self.assertOK(self.post('/v1/labs/import',
                                {'files': lab_base.daisy_files()}))

    def test_export_daisy_and_reimport(self):
        body = self.assertOK(self.get('/v1/labs/export?cluster=lab1'))
        self.assertEqual(['deploy.yml', 'network.yml'],
                         [f['name'] for f in body['files']])
        self.assertFalse(body['secrets_included'])
        self.assertNotIn('pw-ctl1', str(body))
        report = self.assertOK(self.post('/v1/labs/import',
                                         {'files': body['files']}))
        self.assertEqual('unchanged', report['result'])

    def test_export_tripleo(self):
        body = self.assertOK(self.get(
            '/v1/labs/export?cluster=lab1&format=tripleo'))
        self.assertEqual(['nodes.json'], [f['name'] for f in body['files']])

    def test_reader_exports_without_secrets_only(self):
        self.use_role('reader')
        self.assertOK(self.get('/v1/labs/export?cluster=lab1'))
        response = self.get('/v1/labs/export?cluster=lab1'
                            '&include_secrets=true')
        self.assertError(response, 403, 'Forbidden')

    def test_admin_exports_secrets(self):
        body = self.assertOK(self.get('/v1/labs/export?cluster=lab1'
                                      '&include_secrets=true'))
        self.assertTrue(body['secrets_included'])
        self.assertIn('pw-ctl1', body['files'][0]['content'])

    def test_errors(self):
        self.assertError(self.get('/v1/labs/export?cluster=nope'), 404,
                         'Not Found')
        self.assertError(self.get('/v1/labs/export'), 400, 'Bad Request')
        self.assertError(self.get('/v1/labs/export?cluster=lab1&format=x'),
                         400, 'Bad Request')
        self.assertError(self.get('/v1/labs/export?cluster=lab1&color=red'),
                         400, 'Bad Request')
        self.assertError(self.get('/v1/labs/export?cluster=lab1'
                                  '&include_secrets=maybe'),
                         400, 'Bad Request')


class TestLabOpenAPI(base.InventoryTestCase):

    def test_documented_and_true(self):
        doc = self.assertOK(self.get('/v1/openapi.json'))
        post = doc['paths']['/v1/labs/import']['post']
        self.assertEqual(labs.IMPORT_SCHEMA, post['requestBody']['content'][
            'application/json']['schema'])
        self.assertIn('400', post['responses'])
        get = doc['paths']['/v1/labs/export']['get']
        self.assertEqual(['cluster', 'format', 'include_secrets'],
                         [p['name'] for p in get['parameters']])
        report = self.assertOK(self.post('/v1/labs/import',
                                         {'files': lab_base.daisy_files()}))
        jsonschema.validate(report, labs.REPORT_SCHEMA)
        exported = self.assertOK(self.get('/v1/labs/export?cluster=lab1'))
        jsonschema.validate(exported, labs.EXPORT_SCHEMA)
