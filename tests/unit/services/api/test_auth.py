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


"""Authentication middlewares and the request context they build."""

import base64
import os
from unittest import mock

import bcrypt
import fixtures
from keystoneauth1 import fixture as ks_fixture
from keystonemiddleware import auth_token
from oslo_context import context as oslo_context

from tests.unit.services.api import base
from trellis.common import exception
from trellis.common import policy
from trellis.common import service_registry
from trellis.common.policies import cluster
from trellis.services.api import app
from trellis.services.api import auth

PASSWORD = 'correct horse battery staple'
# Cost 4: the lowest bcrypt allows, so the tests stay fast.
HASH = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(('%s:%s' % (user, password)).encode()).decode()
    return {'Authorization': 'Basic ' + token}


def write_users(path: str, text: str) -> None:
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, 0o600)


class TestStripIdentityHeaders(base.base.TestCase):

    def test_identity_headers_removed_credentials_kept(self):
        environ = {
            'HTTP_X_USER_ID': 'u', 'HTTP_X_USER': 'u',
            'HTTP_X_USER_NAME': 'u', 'HTTP_X_ROLES': 'admin',
            'HTTP_X_ROLE': 'admin', 'HTTP_X_PROJECT_ID': 'p',
            'HTTP_X_TENANT_ID': 'p', 'HTTP_X_TENANT': 'p',
            'HTTP_X_DOMAIN_ID': 'd', 'HTTP_X_SERVICE_ROLES': 'service',
            'HTTP_X_SERVICE_USER_ID': 's', 'HTTP_X_IDENTITY_STATUS': 'x',
            'HTTP_X_IS_ADMIN_PROJECT': 'True',
            'HTTP_OPENSTACK_SYSTEM_SCOPE': 'all',
            'HTTP_X_AUTH_TOKEN': 'tok', 'HTTP_AUTHORIZATION': 'Basic x',
            'HTTP_X_OPENSTACK_REQUEST_ID': 'req-1',
            'HTTP_CONTENT_TYPE': 'application/json',
        }
        removed = auth.strip_identity_headers(environ)
        self.assertEqual(14, len(removed))
        self.assertEqual({'HTTP_X_AUTH_TOKEN', 'HTTP_AUTHORIZATION',
                          'HTTP_X_OPENSTACK_REQUEST_ID',
                          'HTTP_CONTENT_TYPE'}, set(environ))


class TestParseUserLine(base.base.TestCase):

    def test_no_roles_is_admin(self):
        user = auth.parse_user_line('alice:' + HASH)
        self.assertEqual(('alice', ['admin']), (user.name, user.roles))
        self.assertEqual(HASH.encode(), user.crypted)

    def test_roles_column(self):
        user = auth.parse_user_line('bob:%s:member, reader' % HASH)
        self.assertEqual(['member', 'reader'], user.roles)

    def test_apache_2y_prefix_accepted(self):
        line = 'carol:' + HASH.replace('$2b$', '$2y$', 1)
        self.assertEqual('carol', auth.parse_user_line(line).name)

    def test_refused_lines_do_not_quote_the_hash(self):
        for line in ('alice', ':' + HASH, 'alice:{SHA}abcdef',
                     'alice:%s:' % HASH, 'alice:%s:a b' % HASH,
                     'alice:%s:reader:x' % HASH):
            exc = self.assertRaises(ValueError, auth.parse_user_line, line)
            self.assertNotIn(HASH, str(exc))


class TestHtpasswdFile(base.base.TestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 'htpasswd')

    def test_missing_file_fails_at_start(self):
        exc = self.assertRaises(auth.AuthFileError, auth.HtpasswdFile,
                                self.path)
        self.assertIn(self.path, str(exc))

    def test_malformed_line_named(self):
        write_users(self.path, '# users\n\nalice:%s\nbob:plain\n' % HASH)
        exc = self.assertRaises(auth.AuthFileError, auth.HtpasswdFile,
                                self.path)
        self.assertIn('line 4', str(exc))
        self.assertIn('bcrypt', str(exc))

    def test_reread_when_changed(self):
        write_users(self.path, 'alice:%s\n' % HASH)
        users = auth.HtpasswdFile(self.path)
        self.assertEqual(['alice'], list(users.users()))
        write_users(self.path, 'alice:%s\nbob:%s:reader\n' % (HASH, HASH))
        os.utime(self.path, ns=(1, 1))
        self.assertEqual(['reader'], users.users()['bob'].roles)

    def test_broken_after_start_refuses(self):
        write_users(self.path, 'alice:%s\n' % HASH)
        users = auth.HtpasswdFile(self.path)
        write_users(self.path, 'alice:nothash\n')
        os.utime(self.path, ns=(2, 2))
        self.assertRaises(auth.AuthFileError, users.users)
        os.unlink(self.path)
        self.assertRaises(auth.AuthFileError, users.users)

    def test_readable_by_others_warns(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='trellis.services.api.auth', level='WARNING'))
        write_users(self.path, 'alice:%s\n' % HASH)
        os.chmod(self.path, 0o644)
        auth.HtpasswdFile(self.path)
        self.assertIn('0600', logger.output)


class BasicAuthTestCase(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                 'htpasswd')
        write_users(self.path, 'admin:%s\nbob:%s:reader\n' % (HASH, HASH))
        self.config(auth_strategy='http_basic',
                    http_basic_auth_user_file=self.path, group='api')
        self.seen = []

        def _list(client, topic=None):
            self.seen.append(oslo_context.get_current())
            return []

        self.useFixture(fixtures.MockPatchObject(
            service_registry, 'list_services', side_effect=_list))


class TestBasicAuth(BasicAuthTestCase):

    def assertUnauthorized(self, response):
        error = self.assertError(response, 401, 'Unauthorized')
        self.assertEqual('Basic realm="Trellis"',
                         response.headers['WWW-Authenticate'])
        self.assertEqual([], self.seen)
        return error

    def test_no_credentials(self):
        self.assertUnauthorized(self.client.get('/v1/services'))

    def test_wrong_password(self):
        self.assertUnauthorized(self.client.get(
            '/v1/services', headers=basic('admin', 'wrong')))

    def test_unknown_user(self):
        with mock.patch.object(auth.bcrypt, 'checkpw',
                               wraps=bcrypt.checkpw) as checkpw:
            self.assertUnauthorized(self.client.get(
                '/v1/services', headers=basic('mallory', PASSWORD)))
        # Checked against a dummy hash of the same cost: no timing hint.
        self.assertEqual(1, checkpw.call_count)
        self.assertEqual(b'$2b$04$',
                         checkpw.call_args[0][1][:7])

    def test_malformed_headers(self):
        for value in ('Basic', 'Basic !!!', 'Bearer abc',
                      'Basic ' + base64.b64encode(b'nocolon').decode(),
                      'Basic ' + base64.b64encode(b'\xff:x').decode()):
            self.assertUnauthorized(self.client.get(
                '/v1/services', headers={'Authorization': value}))

    def test_overlong_password_is_401_not_500(self):
        self.assertUnauthorized(self.client.get(
            '/v1/services', headers=basic('admin', 'x' * 100)))

    def test_identity_headers_cannot_authenticate(self):
        self.assertUnauthorized(self.client.get(
            '/v1/services', headers={'X-User-Id': 'admin',
                                     'X-Roles': 'admin',
                                     'X-Identity-Status': 'Confirmed'}))

    def test_right_credentials(self):
        response = self.client.get('/v1/services',
                                   headers=basic('admin', PASSWORD))
        self.assertEqual(200, response.status_code)
        ctx = self.seen[0]
        self.assertEqual('admin', ctx.user_id)
        self.assertEqual(['admin'], ctx.roles)
        self.assertEqual('all', ctx.system_scope)
        self.assertFalse(ctx.is_admin)
        self.assertIsNone(ctx.project_id)

    def test_client_identity_headers_are_ignored(self):
        response = self.client.get('/v1/services', headers=dict(
            basic('bob', PASSWORD), **{'X-Roles': 'admin',
                                       'X-User-Id': 'admin',
                                       'X-Project-Id': 'p1',
                                       'OpenStack-System-Scope': 'x'}))
        self.assertEqual(200, response.status_code)
        ctx = self.seen[0]
        self.assertEqual(('bob', ['reader'], None, 'all'),
                         (ctx.user_id, ctx.roles, ctx.project_id,
                          ctx.system_scope))

    def test_reader_refused_by_policy_of_writes(self):
        response = self.client.get('/v1/services',
                                   headers=basic('bob', PASSWORD))
        self.assertEqual(200, response.status_code)
        ctx = self.seen[0]
        self.assertRaises(exception.PolicyNotAuthorized, policy.authorize,
                          cluster.CLUSTER_CREATE, {}, ctx)
        policy.authorize(cluster.CLUSTER_LIST, {}, ctx)

    def test_public_paths_need_no_credentials(self):
        for path in ('/', '/v1', '/v1/'):
            self.assertEqual(200, self.client.get(path).status_code, path)

    def test_public_path_context_has_no_roles(self):
        self.assertEqual([], auth.context_from_environ({}).roles)
        self.assertFalse(auth.context_from_environ({}).is_admin)

    def test_bcrypt_once_per_credentials(self):
        with mock.patch.object(auth.bcrypt, 'checkpw',
                               wraps=bcrypt.checkpw) as checkpw:
            for _i in range(3):
                self.assertEqual(200, self.client.get(
                    '/v1/services',
                    headers=basic('admin', PASSWORD)).status_code)
            self.assertEqual(1, checkpw.call_count)
            for _i in range(2):
                self.assertEqual(401, self.client.get(
                    '/v1/services',
                    headers=basic('admin', 'nope')).status_code)
            self.assertEqual(3, checkpw.call_count)

    def test_changed_password_ends_cached_credentials(self):
        headers = basic('admin', PASSWORD)
        self.assertEqual(200, self.client.get(
            '/v1/services', headers=headers).status_code)
        new_hash = bcrypt.hashpw(b'new', bcrypt.gensalt(4)).decode()
        write_users(self.path, 'admin:%s\n' % new_hash)
        os.utime(self.path, ns=(3, 3))
        self.assertEqual(401, self.client.get(
            '/v1/services', headers=headers).status_code)
        self.assertEqual(200, self.client.get(
            '/v1/services', headers=basic('admin', 'new')).status_code)

    def test_removed_user_refused(self):
        headers = basic('bob', PASSWORD)
        self.assertEqual(200, self.client.get(
            '/v1/services', headers=headers).status_code)
        write_users(self.path, 'admin:%s\n' % HASH)
        os.utime(self.path, ns=(4, 4))
        self.assertEqual(401, self.client.get(
            '/v1/services', headers=headers).status_code)

    def test_unusable_file_is_json_500(self):
        client = self.client  # built while the file is good
        os.unlink(self.path)
        response = client.get('/v1/services',
                              headers=basic('admin', PASSWORD))
        error = self.assertError(response, 500, 'Internal Server Error')
        self.assertNotIn(self.path, error['message'])
        self.assertIn(response.headers['X-Openstack-Request-Id'],
                      error['message'])

    def test_app_refuses_to_start_without_users_file(self):
        self.config(http_basic_auth_user_file=self.path + '.missing',
                    group='api')
        self.assertRaises(auth.AuthFileError, app.create_app, self.conf,
                          etcd_client=self.etcd)


class TestNoAuth(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.config(auth_strategy='noauth', group='api')

    def test_loud_warning_at_start(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='trellis.services.api.auth', level='WARNING'))
        self.make_client()
        self.assertIn('auth_strategy is noauth', logger.output)
        self.assertIn('admin rights', logger.output)

    def test_every_request_is_admin_whatever_it_claims(self):
        seen = []
        with mock.patch.object(
                service_registry, 'list_services',
                side_effect=lambda c, topic=None: seen.append(
                    oslo_context.get_current()) or []):
            response = self.client.get('/v1/services', headers={
                'X-Roles': 'reader', 'X-User-Id': 'eve'})
        self.assertEqual(200, response.status_code)
        ctx = seen[0]
        self.assertTrue(ctx.is_admin)
        self.assertEqual('noauth', ctx.user_id)
        self.assertEqual(['admin', 'member', 'reader'], ctx.roles)
        self.assertEqual('all', ctx.system_scope)


class TestKeystone(base.APITestCase):
    """The keystonemiddleware wiring.

    No Keystone runs here: a token's validation is replaced by a fixture
    token, so these tests show what Trellis does with keystonemiddleware's
    answer, not keystonemiddleware against a real Keystone.
    """

    def setUp(self):
        super().setUp()
        self.config(auth_strategy='keystone', group='api')
        auth.register_keystone_opts(self.conf)
        self.config(www_authenticate_uri='http://keystone.test:5000/v3',
                    group='keystone_authtoken')
        self.seen = []

        def _list(client, topic=None):
            self.seen.append(oslo_context.get_current())
            return []

        self.useFixture(fixtures.MockPatchObject(
            service_registry, 'list_services', side_effect=_list))

    def token(self, *roles, system=False):
        if system:
            token = ks_fixture.V3Token(user_id='u1', user_name='alice')
            token.set_system_scope()
        else:
            token = ks_fixture.V3Token(user_id='u1', user_name='alice',
                                       project_id='p1',
                                       project_name='lab')
        for role in roles:
            token.add_role(name=role)
        return token

    def test_stack_uses_auth_token(self):
        found = []
        application = self.make_client().application.wsgi_app
        while application is not None:
            found.append(type(application))
            application = (getattr(application, 'authenticated', None) or
                           getattr(application, 'application', None) or
                           getattr(application, '_app', None))
        self.assertIn(auth_token.AuthProtocol, found)

    def test_unconfigured_keystone_fails_at_start(self):
        self.config(www_authenticate_uri=None, group='keystone_authtoken')
        exc = self.assertRaises(auth.KeystoneConfigError, app.create_app,
                                self.conf, etcd_client=self.etcd)
        self.assertIn('[keystone_authtoken]', str(exc))

    def test_no_token_is_401_naming_keystone(self):
        response = self.client.get('/v1/services')
        self.assertEqual(401, response.status_code)
        self.assertIn('http://keystone.test:5000/v3',
                      response.headers['WWW-Authenticate'])
        self.assertEqual([], self.seen)

    def test_public_paths_need_no_token(self):
        self.assertEqual(200, self.client.get('/v1/').status_code)

    def test_project_token_roles_become_the_context(self):
        with mock.patch.object(auth_token.AuthProtocol, 'fetch_token',
                               return_value=self.token('reader')):
            response = self.client.get('/v1/services', headers={
                'X-Auth-Token': 'tok', 'X-Roles': 'admin',
                'X-User-Id': 'eve'})
        self.assertEqual(200, response.status_code)
        ctx = self.seen[0]
        self.assertEqual(('u1', 'p1', ['reader']),
                         (ctx.user_id, ctx.project_id, ctx.roles))
        self.assertRaises(exception.PolicyNotAuthorized, policy.authorize,
                          cluster.CLUSTER_CREATE, {}, ctx)

    def test_system_token(self):
        with mock.patch.object(auth_token.AuthProtocol, 'fetch_token',
                               return_value=self.token('member',
                                                       system=True)):
            response = self.client.get('/v1/services',
                                       headers={'X-Auth-Token': 'tok'})
        self.assertEqual(200, response.status_code)
        ctx = self.seen[0]
        self.assertEqual('all', ctx.system_scope)
        policy.authorize(cluster.CLUSTER_CREATE, {}, ctx)

    def test_token_without_persona_role_is_403(self):
        with mock.patch.object(auth_token.AuthProtocol, 'fetch_token',
                               return_value=self.token('observer')):
            response = self.client.get('/v1/services',
                                       headers={'X-Auth-Token': 'tok'})
        self.assertError(response, 403, 'Forbidden')
