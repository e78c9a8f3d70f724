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

"""Tests of ``/v1/clusters`` (and the shared list/body machinery)."""

import json

import fixtures
from oslo_db import exception as db_exc

from tests.unit.services.api.controllers import base
from trellis.services.api.schemas import cluster as schema


class TestClusters(base.InventoryTestCase):

    def _create(self, name='c1', **kw):
        return self.assertOK(self.post('/v1/clusters',
                                       dict(kw, name=name)), 201)

    def test_create_get_by_uuid_and_name(self):
        response = self.post('/v1/clusters', {
            'name': 'c1', 'description': 'lab', 'target': '2024.1',
            'config': {'kolla': {'enable_cinder': 'yes'}}})
        body = self.assertOK(response, 201)
        self.assertEqual('http://localhost/v1/clusters/' + body['uuid'],
                         response.headers['Location'])
        self.assertEqual('init', body['status'])
        self.assertValid(schema.RESPONSE, body)
        for ident in (body['uuid'], 'c1'):
            self.assertEqual(body, self.assertOK(
                self.get('/v1/clusters/' + ident)))

    def test_not_found(self):
        error = self.assertError(self.get('/v1/clusters/nope'), 404,
                                 'Not Found')
        self.assertIn('nope', error['message'])

    def test_name_taken(self):
        self._create()
        self.assertError(self.post('/v1/clusters', {'name': 'c1'}), 409,
                         'Conflict')

    def test_every_error_listed(self):
        response = self.post('/v1/clusters', {
            'name': 'bad name', 'status': 'active', 'colour': 'red',
            'config': [1]})
        details = self.assertInvalid(response, '$.colour', '$.config',
                                     '$.name', '$.status')
        by_field = {d['field']: d['message'] for d in details}
        self.assertIn('read-only', by_field['$.status'])
        self.assertIn('Unknown field', by_field['$.colour'])
        self.assertEqual([], self.dbapi.list_clusters(self.admin))

    def test_missing_name(self):
        self.assertInvalid(self.post('/v1/clusters', {}), '$.name')

    def test_malformed_and_missing_body(self):
        self.assertInvalid(self.post('/v1/clusters', None, data='{"name":',
                                     content_type='application/json'), '$')
        self.assertInvalid(self.post('/v1/clusters', None,
                                     content_type='application/json'), '$')
        self.assertInvalid(self.post('/v1/clusters', None, data='NaN',
                                     content_type='application/json'), '$')
        self.assertInvalid(self.post('/v1/clusters', [1]), '$')
        self.assertInvalid(self.post('/v1/clusters', None,
                                     data='[' * 100000 + ']' * 100000,
                                     content_type='application/json'), '$')
        self.assertInvalid(self.post('/v1/clusters', None,
                                     data='{"name": "c", "description": '
                                          '"\\ud800"}',
                                     content_type='application/json'), '$')
        self.assertEqual([], self.dbapi.list_clusters(self.admin))

    def test_not_json_is_415(self):
        response = self.post('/v1/clusters', None, data='name=c1',
                             content_type='application/x-www-form-'
                                          'urlencoded')
        self.assertError(response, 415, 'Unsupported Media Type')
        response = self.post('/v1/clusters', None, data='{"name": "c1"}')
        self.assertError(response, 415, 'Unsupported Media Type')

    def test_too_large_is_413(self):
        self.config(max_request_body_size=1024, group='api')
        body = {'name': 'c1', 'description': 'x' * 2000}
        self.assertError(self.post('/v1/clusters', body), 413,
                         'Request Entity Too Large')
        self.assertEqual([], self.dbapi.list_clusters(self.admin))

    def test_merge_patch(self):
        self._create(description='d', target='t',
                     config={'a': 1, 'b': {'c': 2, 'd': 3}})
        body = self.assertOK(self.patch('/v1/clusters/c1', {
            'description': None, 'name': 'c2',
            'config': {'a': None, 'b': {'c': 9}}}))
        self.assertIsNone(body['description'])
        self.assertEqual('t', body['target'])
        self.assertEqual({'b': {'c': 9, 'd': 3}}, body['config'])
        self.assertEqual('c2', body['name'])
        self.assertOK(self.get('/v1/clusters/c2'))

    def test_patch_errors(self):
        self._create()
        self.assertInvalid(self.patch('/v1/clusters/c1', {'name': None}),
                           '$.name')
        self.assertInvalid(self.patch('/v1/clusters/c1',
                                      {'status': 'active'}), '$.status')
        self._create('c2')
        self.assertError(self.patch('/v1/clusters/c2', {'name': 'c1'}),
                         409, 'Conflict')

    def test_delete(self):
        self._create()
        response = self.delete('/v1/clusters/c1')
        self.assertEqual(204, response.status_code)
        self.assertEqual(b'', response.data)
        self.assertError(self.delete('/v1/clusters/c1'), 404, 'Not Found')

    def test_delete_with_running_deployment_is_409(self):
        body = self._create()
        cluster = self.dbapi.get_cluster(self.admin, body['uuid'])
        self.dbapi.create_deployment(self.admin, {
            'cluster_id': cluster.id, 'kind': 'install',
            'state': 'running'})
        error = self.assertError(self.delete('/v1/clusters/c1'), 409,
                                 'Conflict')
        self.assertIn('running', error['message'])
        self.assertOK(self.get('/v1/clusters/c1'))

    def test_method_not_allowed(self):
        self.assertError(self.request('PUT', '/v1/clusters/c1', {}), 405,
                         'Method Not Allowed')


class TestClusterList(base.InventoryTestCase):

    def setUp(self):
        super().setUp()
        for i in range(5):
            self.dbapi.create_cluster(self.admin, {
                'name': 'c%d' % i, 'status': 'active' if i % 2 else 'init'})

    def _names(self, response):
        return [c['name'] for c in self.assertOK(response)['clusters']]

    def test_list_and_schema(self):
        body = self.assertOK(self.get('/v1/clusters'))
        self.assertValid(schema.RESOURCE.list_response, body)
        self.assertNotIn('next', body)
        self.assertEqual(['c0', 'c1', 'c2', 'c3', 'c4'],
                         [c['name'] for c in body['clusters']])

    def test_pages_follow_next(self):
        names = []
        url = '/v1/clusters?limit=2&sort_key=name&sort_dir=desc'
        pages = 0
        while url:
            body = self.assertOK(self.get(url))
            names += [c['name'] for c in body['clusters']]
            url = body.get('next', '').replace('http://localhost', '')
            pages += 1
        self.assertEqual(['c4', 'c3', 'c2', 'c1', 'c0'], names)
        self.assertEqual(3, pages)

    def test_exact_page_has_no_next(self):
        body = self.assertOK(self.get('/v1/clusters?limit=5'))
        self.assertNotIn('next', body)

    def test_filter(self):
        self.assertEqual(['c1', 'c3'],
                         self._names(self.get('/v1/clusters?status=active')))

    def test_bad_queries(self):
        details = self.assertInvalid(
            self.get('/v1/clusters?limit=1001&sort_key=colour&sort_dir=up'
                     '&marker=x&bogus=1&other=2'),
            'bogus', 'limit', 'marker', 'other', 'sort_dir', 'sort_key')
        self.assertIn('bogus', json.dumps(details))
        self.assertInvalid(self.get('/v1/clusters?limit=0'), 'limit')
        self.assertInvalid(self.get('/v1/clusters?limit=x'), 'limit')

    def test_unknown_marker(self):
        self.assertError(self.get(
            '/v1/clusters?marker=2c1e4f52-4d8c-4f9e-9f1a-111111111111'),
            400, 'Bad Request')

    def test_public_endpoint_in_next(self):
        self.config(public_endpoint='https://api.example/trellis',
                    group='api')
        body = self.assertOK(self.get('/v1/clusters?limit=1&status=init'))
        self.assertTrue(body['next'].startswith(
            'https://api.example/trellis/v1/clusters?'), body['next'])
        self.assertIn('status=init', body['next'])


class TestDatabaseDown(base.InventoryTestCase):

    def test_unreachable_database_is_503(self):
        self.useFixture(fixtures.MockPatchObject(
            self.dbapi, 'list_clusters',
            side_effect=db_exc.DBConnectionError('gone')))
        error = self.assertError(self.get('/v1/clusters'), 503,
                                 'Service Unavailable')
        self.assertIn('database', error['message'])


class TestClusterPolicy(base.InventoryTestCase):

    def test_reader_reads_member_writes(self):
        self.use_role('reader')
        self.assertOK(self.get('/v1/clusters'))
        self.assertError(self.post('/v1/clusters', {'name': 'c1'}), 403,
                         'Forbidden')
        self.assertEqual([], self.dbapi.list_clusters(self.admin))

    def test_member_creates(self):
        self.use_role('member')
        self.assertOK(self.post('/v1/clusters', {'name': 'c1'}), 201)
        self.assertEqual(204, self.delete('/v1/clusters/c1').status_code)

    def test_no_role_cannot_list(self):
        self.use_role('nobody')
        self.assertError(self.get('/v1/clusters'), 403, 'Forbidden')
