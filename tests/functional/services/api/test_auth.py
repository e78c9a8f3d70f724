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


"""trellis-api served for real with HTTP basic auth, and with noauth.

The daemon runs as a subprocess on a SQLite file migrated by
trellis-manage, with an htpasswd file of three users, one per persona.
keystone is not tested here: no Keystone server runs in this
environment (its wiring has unit tests with fixture tokens).
"""

import os
import subprocess

import bcrypt
import requests

from tests.functional import base as func_base
from tests.functional import fixtures as func_fixtures

TIMEOUT = 10
REQUEST_ID_HEADER = 'X-Openstack-Request-Id'
USERS = {'admin': ('admin-Pass-1', None),
         'alice': ('member-Pass-2', 'member'),
         'bob': ('reader-Pass-3', 'reader')}
BMC_PASSWORD = 'bmc-Pass-4'


class TestHTTPBasic(func_base.ServiceTestCase):

    @classmethod
    def database(cls) -> dict:
        return {'connection': 'sqlite:///%s' % os.path.join(
            cls.tempdir, 'trellis.sqlite')}

    @classmethod
    def manage_config(cls):
        sections = super().manage_config()
        sections['database'] = cls.database()
        return sections

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.users_file = os.path.join(cls.tempdir, 'htpasswd')
            lines = []
            for name, (password, role) in USERS.items():
                crypted = bcrypt.hashpw(password.encode(),
                                        bcrypt.gensalt(6)).decode()
                lines.append(name + ':' + crypted +
                             (':' + role if role else ''))
            fd = os.open(cls.users_file, os.O_WRONLY | os.O_CREAT, 0o600)
            with os.fdopen(fd, 'w') as f:
                f.write('\n'.join(lines) + '\n')
            subprocess.run(func_base.console_script('trellis-manage') + [
                '--config-file', cls.manage_config_file, 'db', 'sync'],
                check=True, capture_output=True, timeout=120,
                stdin=subprocess.DEVNULL)
            cls.port = func_fixtures.servers.free_port()
            cls.api = cls._use_class_fixture(cls.make_service_fixture(
                'api', config={
                    'api': {'host_ip': '127.0.0.1', 'port': cls.port,
                            'auth_strategy': 'http_basic',
                            'http_basic_auth_user_file': cls.users_file},
                    'database': cls.database()}))
            cls.services['api'] = cls.api
            cls.url = 'http://127.0.0.1:%d' % cls.port
        except BaseException:
            cls._cleanup_class_fixtures()
            raise

    def call(self, method, path, user=None, password=None, **kwargs):
        if user is not None:
            kwargs['auth'] = (user, password if password is not None
                              else USERS[user][0])
        response = requests.request(method, self.url + path,
                                    timeout=TIMEOUT, **kwargs)
        self.assertIn(REQUEST_ID_HEADER, response.headers)
        return response

    def assertUnauthorized(self, response):
        self.assertEqual(401, response.status_code, response.text)
        self.assertEqual('Basic realm="Trellis"',
                         response.headers['WWW-Authenticate'])
        self.assertEqual(401, response.json()['error']['code'])

    def test_no_credentials_is_401(self):
        self.assertUnauthorized(self.call('GET', '/v1/clusters'))

    def test_wrong_credentials_are_401(self):
        self.assertUnauthorized(self.call('GET', '/v1/clusters', 'admin',
                                          'not-the-password'))
        self.assertUnauthorized(self.call('GET', '/v1/clusters', 'nobody',
                                          'admin-Pass-1'))

    def test_right_credentials(self):
        for user in USERS:
            response = self.call('GET', '/v1/clusters', user)
            self.assertEqual(200, response.status_code, response.text)

    def test_version_discovery_is_public(self):
        self.assertEqual(200, self.call('GET', '/').status_code)
        self.assertEqual(200, self.call('GET', '/v1/').status_code)

    def test_reader_may_read_not_create(self):
        response = self.call('POST', '/v1/clusters', 'bob',
                             json={'name': 'by-reader'})
        self.assertEqual(403, response.status_code, response.text)
        self.assertIn('trellis:cluster:create',
                      response.json()['error']['message'])
        # Claiming more rights in headers changes nothing.
        response = self.call('POST', '/v1/clusters', 'bob',
                             json={'name': 'by-reader'},
                             headers={'X-Roles': 'admin',
                                      'X-User-Id': 'admin',
                                      'OpenStack-System-Scope': 'all'})
        self.assertEqual(403, response.status_code, response.text)
        names = [c['name'] for c in self.call(
            'GET', '/v1/clusters', 'bob').json()['clusters']]
        self.assertNotIn('by-reader', names)

    def test_member_and_admin_may_create(self):
        for user in ('alice', 'admin'):
            response = self.call('POST', '/v1/clusters', user,
                                 json={'name': 'by-' + user})
            self.assertEqual(201, response.status_code, response.text)
            response = self.call('DELETE', '/v1/clusters/by-' + user,
                                 'bob')
            self.assertEqual(403, response.status_code, response.text)

    def test_log_lines_carry_the_request_id_and_no_secret(self):
        refused = self.call('GET', '/v1/clusters', 'admin', 'wrong-Pass-9')
        self.assertUnauthorized(refused)
        host = {'name': 'node-auth', 'bmc': {
            'driver': 'ipmi', 'address': '10.9.9.9',
            'username': 'root', 'password': BMC_PASSWORD}}
        created = self.call('POST', '/v1/hosts', 'admin', json=host)
        served = self.call('GET', '/v1/clusters', 'alice')
        self.assertEqual(200, served.status_code)
        with open(self.api.log_file) as f:
            text = f.read()
        for response, what in ((refused, 'authentication failed'),
                               (served, '"GET /v1/clusters" status: 200'),
                               (created, '"POST /v1/hosts" status: %d'
                                % created.status_code)):
            request_id = response.headers[REQUEST_ID_HEADER]
            lines = [line for line in text.splitlines()
                     if request_id in line]
            self.assertTrue(any(what in line for line in lines),
                            (request_id, what, lines))
        for secret in [p for p, _role in USERS.values()] + [
                'wrong-Pass-9', BMC_PASSWORD]:
            self.assertNotIn(secret, text)


class TestNoAuth(func_base.ServiceTestCase):

    def test_warns_at_start_and_serves_as_admin(self):
        port = func_fixtures.servers.free_port()
        api = self.start_service('api', config={'api': {
            'host_ip': '127.0.0.1', 'port': port,
            'auth_strategy': 'noauth'}})
        with open(api.log_file) as f:
            text = f.read()
        self.assertIn('WARNING trellis.services.api.auth', text)
        self.assertIn('does NOT authenticate', text)
        response = requests.get('http://127.0.0.1:%d/v1/services' % port,
                                headers={'X-Roles': 'nothing'},
                                timeout=TIMEOUT)
        self.assertEqual(200, response.status_code, response.text)
