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

"""Where the client finds the endpoint and credentials, and in which order."""

import argparse
import os

import fixtures

from tests import base
from trellis.services.client import config
from trellis.services.client import exceptions

FILE = """
default: local
clouds:
  local:
    url: http://file-local:6385
    username: admin
    password: file-secret
  other:
    url: http://file-other:6385
    token: file-token
    insecure: true
"""


def options(**kwargs):
    values = dict(url=None, username=None, password=None, token=None,
                  cacert=None, insecure=None, timeout=None, os_cloud=None,
                  client_config=None)
    values.update(kwargs)
    return argparse.Namespace(**values)


class TestResolve(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.MonkeyPatch(
            'trellis.services.client.config.SYSTEM_FILE',
            os.path.join(self.tempdir, 'absent.yaml')))
        self.path = os.path.join(self.tempdir, 'client.yaml')
        with open(self.path, 'w') as f:
            f.write(FILE)
        os.chmod(self.path, 0o600)
        self.environ = {'TRELLIS_CLIENT_CONFIG': self.path,
                        'XDG_CONFIG_HOME': self.tempdir}

    def test_file_default_cloud(self):
        settings = config.resolve(options(), self.environ)
        self.assertEqual('http://file-local:6385', settings.url)
        self.assertEqual(('admin', 'file-secret'),
                         (settings.username, settings.password))
        self.assertEqual('basic', settings.auth)
        self.assertEqual(self.path, settings.source)
        self.assertFalse(settings.insecure)

    def test_named_cloud_option_then_env(self):
        settings = config.resolve(options(os_cloud='other'), self.environ)
        self.assertEqual('http://file-other:6385', settings.url)
        self.assertEqual('token', settings.auth)
        self.assertTrue(settings.insecure)
        env = dict(self.environ, TRELLIS_CLOUD='other')
        self.assertEqual('http://file-other:6385',
                         config.resolve(options(), env).url)
        # The option wins over the variable.
        self.assertEqual('http://file-local:6385', config.resolve(
            options(os_cloud='local'), env).url)

    def test_env_overrides_file_and_options_override_env(self):
        env = dict(self.environ, TRELLIS_URL='http://env:1',
                   TRELLIS_USERNAME='env-user', TRELLIS_PASSWORD='env-pw')
        settings = config.resolve(options(), env)
        self.assertEqual(('http://env:1', 'env-user', 'env-pw'),
                         (settings.url, settings.username,
                          settings.password))
        settings = config.resolve(options(url='http://opt:2',
                                          password='opt-pw'), env)
        self.assertEqual(('http://opt:2', 'env-user', 'opt-pw'),
                         (settings.url, settings.username,
                          settings.password))

    def test_token_wins_over_basic(self):
        env = dict(self.environ, OS_TOKEN='env-token')
        settings = config.resolve(options(), env)
        self.assertEqual('token', settings.auth)
        self.assertEqual('env-token', settings.token)

    def test_explicit_file_option_and_default_location(self):
        other = os.path.join(self.tempdir, 'other.yaml')
        with open(other, 'w') as f:
            f.write('url: http://flat:3\ntoken: t\n')
        settings = config.resolve(options(client_config=other),
                                  self.environ)
        self.assertEqual('http://flat:3', settings.url)
        # ~/.config/trellis/client.yaml when nothing names a file.
        os.makedirs(os.path.join(self.tempdir, 'trellis'))
        os.rename(other, os.path.join(self.tempdir, 'trellis',
                                      'client.yaml'))
        settings = config.resolve(options(),
                                  {'XDG_CONFIG_HOME': self.tempdir})
        self.assertEqual('http://flat:3', settings.url)

    def test_env_only_without_file(self):
        settings = config.resolve(options(), {
            'XDG_CONFIG_HOME': self.tempdir, 'TRELLIS_URL': 'http://e:1',
            'TRELLIS_INSECURE': 'yes', 'TRELLIS_CACERT': '/ca.pem'})
        self.assertEqual('http://e:1', settings.url)
        self.assertEqual('none', settings.auth)
        self.assertTrue(settings.insecure)
        self.assertEqual('/ca.pem', settings.cacert)
        self.assertIsNone(settings.source)
        self.assertEqual(60.0, settings.timeout)
        self.assertEqual(5.0, config.resolve(
            options(timeout=5), {'TRELLIS_URL': 'http://e:1',
                                 'XDG_CONFIG_HOME': self.tempdir}).timeout)

    def test_errors(self):
        empty = {'XDG_CONFIG_HOME': self.tempdir}
        exc = self.assertRaises(exceptions.ConfigError, config.resolve,
                                options(), empty)
        self.assertIn('TRELLIS_URL', str(exc))
        exc = self.assertRaises(exceptions.ConfigError, config.resolve,
                                options(os_cloud='x'), empty)
        self.assertIn("Cloud 'x'", str(exc))
        exc = self.assertRaises(exceptions.ConfigError, config.resolve,
                                options(os_cloud='nope'), self.environ)
        self.assertIn('local, other', str(exc))
        exc = self.assertRaises(
            exceptions.ConfigError, config.resolve, options(),
            dict(empty, TRELLIS_CLIENT_CONFIG='/nonexistent/c.yaml'))
        self.assertIn('/nonexistent/c.yaml', str(exc))
        exc = self.assertRaises(
            exceptions.ConfigError, config.resolve,
            options(url='http://x', username='u'), empty)
        self.assertIn('without a password', str(exc))

    def test_bad_files(self):
        for text, expected in (('a: [', 'not valid YAML'),
                               ('- 1\n', 'must hold a mapping'),
                               ('clouds: []\n', 'non-empty mapping'),
                               ('clouds:\n  a: {url: x}\n  b: {url: y}\n',
                                'several clouds (a, b)'),
                               ('clouds:\n  a: 3\n', 'must be a mapping')):
            with open(self.path, 'w') as f:
                f.write(text)
            exc = self.assertRaises(exceptions.ConfigError, config.resolve,
                                    options(), self.environ)
            self.assertIn(expected, str(exc))
            self.assertIn(self.path, str(exc))

    def test_readable_secret_file_warns(self):
        warnings = []
        config.resolve(options(), self.environ, warnings=warnings)
        self.assertEqual([], warnings)
        os.chmod(self.path, 0o644)
        config.resolve(options(), self.environ, warnings=warnings)
        self.assertEqual(1, len(warnings))
        self.assertIn('chmod 600 %s' % self.path, warnings[0])

    def test_repr_hides_secrets(self):
        settings = config.resolve(options(), self.environ)
        self.assertNotIn('file-secret', repr(settings))
        self.assertIn("username='admin'", repr(settings))
