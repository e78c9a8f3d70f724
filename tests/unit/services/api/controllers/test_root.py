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


"""Version discovery and the v1 root."""

from tests.unit.services.api import base


class TestVersions(base.APITestCase):

    def test_versions_from_request_url(self):
        response = self.client.get('/')
        self.assertEqual(200, response.status_code)
        self.assertEqual(
            {'versions': [{
                'id': 'v1', 'status': 'CURRENT', 'min_version': '1.0',
                'version': '1.0',
                'links': [{'href': 'http://localhost/v1/',
                           'rel': 'self'}]}]},
            response.get_json())

    def test_versions_from_public_endpoint(self):
        self.config(public_endpoint='https://api.example.com:8443/trellis/',
                    group='api')
        body = self.client.get('/').get_json()
        self.assertEqual('https://api.example.com:8443/trellis/v1/',
                         body['versions'][0]['links'][0]['href'])

    def test_public_endpoint_without_trailing_slash(self):
        self.config(public_endpoint='https://api.example.com',
                    group='api')
        body = self.client.get('/').get_json()
        self.assertEqual('https://api.example.com/v1/',
                         body['versions'][0]['links'][0]['href'])

    def test_host_and_script_root_of_the_request(self):
        body = self.client.get(
            '/', base_url='http://trellis.example.com:6785/api').get_json()
        self.assertEqual('http://trellis.example.com:6785/api/v1/',
                         body['versions'][0]['links'][0]['href'])

    def test_proxy_headers_when_enabled(self):
        self.config(enable_proxy_headers_parsing=True,
                    group='oslo_middleware')
        body = self.client.get(
            '/', headers={'X-Forwarded-Proto': 'https',
                          'X-Forwarded-Host': 'lb.example.com'}).get_json()
        self.assertEqual('https://lb.example.com/v1/',
                         body['versions'][0]['links'][0]['href'])

    def test_proxy_headers_ignored_by_default(self):
        body = self.client.get(
            '/', headers={'X-Forwarded-Proto': 'https'}).get_json()
        self.assertEqual('http://localhost/v1/',
                         body['versions'][0]['links'][0]['href'])


class TestV1Root(base.APITestCase):

    def test_with_and_without_slash(self):
        for path in ('/v1', '/v1/'):
            response = self.client.get(path)
            self.assertEqual(200, response.status_code, path)
            body = response.get_json()
            self.assertEqual('v1', body['id'])
            self.assertEqual('CURRENT', body['status'])
            self.assertEqual(
                [{'href': 'http://localhost/v1/', 'rel': 'self'}],
                body['links'])
            self.assertEqual(
                [{'href': 'http://localhost/v1/services', 'rel': 'self'}],
                body['services'])

    def test_links_follow_public_endpoint(self):
        self.config(public_endpoint='https://api.example.com/', group='api')
        body = self.client.get('/v1').get_json()
        self.assertEqual('https://api.example.com/v1/services',
                         body['services'][0]['href'])
