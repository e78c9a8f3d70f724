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

"""The HTTP client: URLs, authentication, paging and error mapping."""

import requests
from requests_mock.contrib import fixture as rm_fixture

from tests import base
from tests.unit.services.client import base as client_base
from trellis.services.client import api
from trellis.services.client import config
from trellis.services.client import exceptions

URL = client_base.URL
V1 = client_base.V1


class TestClient(base.TestCase):

    def setUp(self):
        super().setUp()
        self.requests = self.useFixture(rm_fixture.Fixture())

    def client(self, **kwargs):
        return api.Client(config.Settings(url=kwargs.pop('url', URL),
                                          **kwargs))

    def test_urls(self):
        for url in (URL, URL + '/', URL + '/v1', URL + '/v1/'):
            client = self.client(url=url)
            self.assertEqual(V1 + '/clusters', client.url('/clusters'))
            self.assertEqual(V1 + '/clusters', client.url('clusters'))
        self.assertEqual('http://other/v1/x?marker=1',
                         self.client().url('http://other/v1/x?marker=1'))
        self.assertEqual('a%2Fb%20c', api.quote('a/b c'))

    def test_basic_auth_token_and_none(self):
        self.requests.get(V1 + '/clusters', json={'clusters': []})
        self.client(username='admin', password='s3cret').get('/clusters')
        sent = self.requests.last_request
        self.assertEqual('Basic YWRtaW46czNjcmV0',
                         sent.headers['Authorization'])
        self.assertNotIn('X-Auth-Token', sent.headers)
        self.assertEqual('application/json', sent.headers['Accept'])

        self.client(token='tok', username='admin',
                    password='s3cret').get('/clusters')
        sent = self.requests.last_request
        self.assertEqual('tok', sent.headers['X-Auth-Token'])
        self.assertNotIn('Authorization', sent.headers)

        self.client().get('/clusters')
        sent = self.requests.last_request
        self.assertNotIn('Authorization', sent.headers)
        self.assertNotIn('X-Auth-Token', sent.headers)

    def test_tls_settings(self):
        self.assertFalse(self.client(insecure=True).session.verify)
        self.assertEqual('/ca.pem',
                         self.client(cacert='/ca.pem').session.verify)

    def test_json_verbs(self):
        self.requests.post(V1 + '/clusters', status_code=201,
                           json={'uuid': 'u1'})
        self.requests.patch(V1 + '/clusters/u1', json={'uuid': 'u1'})
        self.requests.put(V1 + '/hosts/h/roles/COMPUTER', status_code=201,
                          json={'name': 'COMPUTER'})
        self.requests.delete(V1 + '/clusters/u1', status_code=204)
        client = self.client()
        self.assertEqual({'uuid': 'u1'},
                         client.post('/clusters', {'name': 'c'}))
        self.assertEqual({'name': 'c'}, self.requests.last_request.json())
        self.assertEqual({'uuid': 'u1'},
                         client.patch('/clusters/u1', {'target': None}))
        self.assertEqual({'target': None},
                         self.requests.last_request.json())
        self.assertEqual({'name': 'COMPUTER'},
                         client.put('/hosts/h/roles/COMPUTER'))
        self.assertIsNone(client.delete('/clusters/u1'))

    def test_list_follows_next_links(self):
        self.requests.get(V1 + '/hosts', [
            {'json': {'hosts': [{'uuid': 'a'}, {'uuid': 'b'}],
                      'next': V1 + '/hosts?limit=2&marker=b&status=init'}},
        ])
        self.requests.get(V1 + '/hosts?marker=b', complete_qs=False,
                          json={'hosts': [{'uuid': 'c'}]})
        items = list(self.client().list('/hosts', 'hosts',
                                        {'status': 'init', 'limit': None}))
        self.assertEqual(['a', 'b', 'c'], [i['uuid'] for i in items])
        first, second = self.requests.request_history
        self.assertEqual({'status': ['init']}, first.qs)
        self.assertEqual({'limit': ['2'], 'marker': ['b'],
                          'status': ['init']}, second.qs)

    def test_list_one_page(self):
        self.requests.get(V1 + '/hosts', json={
            'hosts': [{'uuid': 'a'}], 'next': V1 + '/hosts?marker=a'})
        items = list(self.client().list('/hosts', 'hosts', {'limit': 1},
                                        all_pages=False))
        self.assertEqual([{'uuid': 'a'}], items)
        self.assertEqual(1, self.requests.call_count)

    def test_list_stops_on_a_next_loop(self):
        self.requests.get(V1 + '/hosts', json={
            'hosts': [{'uuid': 'a'}], 'next': V1 + '/hosts?marker=a'})
        items = list(self.client().list('/hosts', 'hosts'))
        self.assertEqual(2, len(items))
        self.assertEqual(2, self.requests.call_count)

    def test_error_body_mapped(self):
        self.requests.post(V1 + '/hosts', status_code=400, headers={
            'X-Openstack-Request-Id': 'req-1'}, json=client_base.error(
                400, 'Invalid host.', [
                    {'field': 'interfaces[0].mac', 'message': 'not a MAC'}]))
        exc = self.assertRaises(exceptions.APIError, self.client().post,
                                '/hosts', {})
        self.assertEqual(400, exc.status)
        self.assertEqual('Invalid host.', exc.message)
        self.assertEqual('req-1', exc.request_id)
        self.assertEqual('Invalid host. (HTTP 400) (Request-ID: req-1)\n'
                         '  interfaces[0].mac: not a MAC', str(exc))

    def test_error_without_json(self):
        self.requests.get(V1 + '/x', status_code=502, text='Bad gateway\n',
                          reason='Bad Gateway')
        exc = self.assertRaises(exceptions.APIError, self.client().get, '/x')
        self.assertEqual('Bad gateway (HTTP 502)', str(exc))
        self.requests.get(V1 + '/y', status_code=503, text='',
                          reason='Service Unavailable')
        exc = self.assertRaises(exceptions.APIError, self.client().get, '/y')
        self.assertEqual('Service Unavailable (HTTP 503)', str(exc))

    def test_connection_errors(self):
        self.requests.get(V1 + '/a', exc=requests.exceptions.ConnectionError(
            'HTTPConnectionPool: Max retries exceeded (Caused by '
            'NewConnectionError: [Errno 111] Connection refused)'))
        self.requests.get(V1 + '/b', exc=requests.exceptions.ConnectTimeout)
        self.requests.get(V1 + '/c', exc=requests.exceptions.SSLError('bad'))
        client = self.client(timeout=3)
        exc = self.assertRaises(exceptions.ConnectionFailed, client.get, '/a')
        self.assertEqual('Cannot reach the Trellis API at %s: Connection '
                         'refused' % URL, str(exc))
        exc = self.assertRaises(exceptions.ConnectionFailed, client.get, '/b')
        self.assertIn('did not answer within 3', str(exc))
        exc = self.assertRaises(exceptions.ConnectionFailed, client.get, '/c')
        self.assertIn('--cacert', str(exc))


class TestDetailLines(base.TestCase):

    def test_shapes(self):
        self.assertEqual([], exceptions.detail_lines(None))
        self.assertEqual(['boom'], exceptions.detail_lines('boom'))
        self.assertEqual(['deploy.yml:12 hosts[1].mac: duplicate MAC'],
                         exceptions.detail_lines([{
                             'file': 'deploy.yml', 'line': 12,
                             'path': 'hosts[1].mac',
                             'message': 'duplicate MAC'}]))
        self.assertEqual(['name: taken (other=1)', 'plain'],
                         exceptions.detail_lines([
                             {'field': 'name', 'message': 'taken',
                              'other': 1}, 'plain']))
