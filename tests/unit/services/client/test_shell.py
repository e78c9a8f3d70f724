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

"""The trellis shell: errors, exit codes, --debug, credentials, formats."""

import io
import json

import fixtures
import requests
import yaml

from tests.unit.services.client import base
from trellis.services.client import shell
from trellis.services.client.v1 import base as v1_base

CLUSTER = {'uuid': '6f1c1c9e-0d5e-4a52-9f2b-0c3a1f6d2e11', 'name': 'lab1',
           'description': None, 'status': 'init', 'target': None,
           'config': {'ntp': '10.0.0.1'}, 'created_at': '2026-11-22T00:00Z',
           'updated_at': None}


class TestErrors(base.ShellTestCase):

    def test_api_error_message_and_exit_code(self):
        self.mock('GET', '/clusters/nope', status=404,
                  json=base.error(404, 'Cluster nope could not be found.'))
        code, out, err = self.cli('cluster', 'show', 'nope')
        self.assertEqual(1, code)
        self.assertEqual('', out)
        self.assertEqual('Cluster nope could not be found. (HTTP 404) '
                         '(Request-ID: %s)\n' % base.REQUEST_ID, err)

    def test_no_traceback_even_with_debug(self):
        self.mock('POST', '/clusters', status=409,
                  json=base.error(409, 'Cluster lab1 already exists.'))
        code, out, err = self.cli('--debug', 'cluster', 'create', 'lab1')
        self.assertEqual(1, code)
        self.assertNotIn('Traceback', err)
        self.assertIn('Cluster lab1 already exists. (HTTP 409)', err)

    def test_debug_shows_requests_and_request_ids(self):
        self.mock('GET', '/clusters', json={'clusters': [CLUSTER]})
        code, out, err = self.cli('--debug', 'cluster', 'list')
        self.assertEqual(0, code, err)
        self.assertIn('REQ: GET %s/clusters' % base.V1, err)
        self.assertIn('RESP: 200 GET %s/clusters (Request-ID: %s)'
                      % (base.V1, base.REQUEST_ID), err)
        code, out, err = self.cli('cluster', 'list')
        self.assertNotIn('REQ:', err)
        self.assertNotIn(base.REQUEST_ID, err)

    def test_validation_details_shown(self):
        self.mock('POST', '/clusters/lab1/networks', status=400,
                  json=base.error(400, 'Invalid network.', [
                      {'field': 'cidr', 'message': "'x' is not a cidr"}]))
        code, out, err = self.cli('network', 'create', 'mgmt', '--cluster',
                                  'lab1', '--type', 'management',
                                  '--cidr', 'x')
        self.assertEqual(1, code)
        self.assertIn("\n  cidr: 'x' is not a cidr\n", err)

    def test_unreachable_api(self):
        self.requests.get('http://127.0.0.1:1/v1/clusters',
                          exc=requests.exceptions.ConnectionError(
                              '[Errno 111] Connection refused'))
        code, out, err = self.cli(
            'cluster', 'list',
            environ={'TRELLIS_URL': 'http://127.0.0.1:1',
                     'XDG_CONFIG_HOME': self.tempdir})
        self.assertEqual(1, code)
        self.assertIn('Cannot reach the Trellis API at http://127.0.0.1:1',
                      err)
        self.assertNotIn('Traceback', err)

    def test_no_endpoint(self):
        code, out, err = self.cli('cluster', 'list',
                                  environ={'XDG_CONFIG_HOME': self.tempdir})
        self.assertEqual(1, code)
        self.assertIn('No Trellis API endpoint', err)

    def test_usage_error_is_2(self):
        code, out, err = self.cli('cluster', 'show')
        self.assertEqual(2, code)

    def test_help_needs_no_endpoint(self):
        code, out, err = self.cli('help', 'host', 'create',
                                  environ={'XDG_CONFIG_HOME': self.tempdir})
        self.assertEqual(0, code)
        self.assertIn('--bmc-password-file', out)


class TestCredentials(base.ShellTestCase):

    def test_options_override_env_and_file(self):
        path = self.write('client.yaml', 'clouds:\n  a:\n    url: '
                          'http://from-file:1\n    username: fu\n'
                          '    password: fp\n')
        self.requests.get('http://from-option:2/v1/clusters',
                          json={'clusters': []})
        environ = {'XDG_CONFIG_HOME': self.tempdir,
                   'TRELLIS_CLIENT_CONFIG': path,
                   'TRELLIS_URL': 'http://from-env:3'}
        self.ok('--url', 'http://from-option:2', '--password', 'op',
                'cluster', 'list', environ=environ)
        sent = self.last()
        self.assertEqual('http://from-option:2/v1/clusters', sent.url)
        # fu:op
        self.assertEqual('Basic ZnU6b3A=', sent.headers['Authorization'])

    def test_token_from_env(self):
        self.mock('GET', '/clusters', json={'clusters': []})
        self.ok('cluster', 'list',
                environ=dict(self.environ, OS_TOKEN='tok-1'))
        self.assertEqual('tok-1', self.last().headers['X-Auth-Token'])

    def test_file_permission_warning(self):
        path = self.write('client.yaml', 'url: %s\nusername: u\n'
                          'password: p\n' % base.URL, mode=0o644)
        self.mock('GET', '/clusters', json={'clusters': []})
        code, out, err = self.cli(
            'cluster', 'list', environ={'XDG_CONFIG_HOME': self.tempdir,
                                        'TRELLIS_CLIENT_CONFIG': path})
        self.assertEqual(0, code)
        self.assertIn('WARNING: %s holds a secret' % path, err)
        self.assertNotIn('p\n', err.replace(path, ''))


class TestFormats(base.ShellTestCase):

    def setUp(self):
        super().setUp()
        self.mock('GET', '/clusters/lab1', json=CLUSTER)
        self.mock('GET', '/clusters', json={'clusters': [
            CLUSTER, dict(CLUSTER, uuid='u2', name='lab2', status='active')]})

    def test_show_table_sorted_fields_and_json_cells(self):
        out = self.ok('cluster', 'show', 'lab1')
        lines = [line for line in out.splitlines() if line.startswith('|')]
        fields = [line.split('|')[1].strip() for line in lines[1:]]
        self.assertEqual(sorted(CLUSTER), fields)
        self.assertIn('| ntp=10.0.0.1 ', out)

    def test_show_json_keeps_structure(self):
        out = self.ok('cluster', 'show', 'lab1', '-f', 'json')
        self.assertEqual(CLUSTER, json.loads(out))

    def test_show_yaml_and_value_and_column(self):
        self.assertEqual(CLUSTER, yaml.safe_load(
            self.ok('cluster', 'show', 'lab1', '-f', 'yaml')))
        self.assertEqual('lab1\ninit\n', self.ok(
            'cluster', 'show', 'lab1', '-f', 'value', '-c', 'name',
            '-c', 'status'))

    def test_list_formats(self):
        rows = json.loads(self.ok('cluster', 'list', '-f', 'json'))
        self.assertEqual([{'UUID': CLUSTER['uuid'], 'Name': 'lab1',
                           'Status': 'init', 'Target': None},
                          {'UUID': 'u2', 'Name': 'lab2', 'Status': 'active',
                           'Target': None}], rows)
        self.assertEqual('lab1\nlab2\n', self.ok(
            'cluster', 'list', '-f', 'value', '-c', 'Name'))
        self.assertEqual('lab2\nlab1\n', self.ok(
            'cluster', 'list', '-f', 'value', '-c', 'Name',
            '--sort-column', 'Status'))
        table = self.ok('cluster', 'list')
        self.assertIn('| UUID', table)
        self.assertIn('| lab2 ', table)
        long = json.loads(self.ok('cluster', 'list', '--long', '-f',
                                  'json'))
        self.assertEqual({'UUID', 'Name', 'Status', 'Target', 'Description',
                          'Created At', 'Updated At'}, set(long[0]))


class TestCells(base.ShellTestCase):

    def test_human_readable_nested_values(self):
        self.assertEqual('address=10.9.0.5, port=623', v1_base.cell(
            {'address': '10.9.0.5', 'port': 623, 'username': None,
             'slaves': []}).human_readable())
        self.assertEqual('name=eth0, mac=m1\nname=eth1, slaves=["a","b"]',
                         v1_base.cell([{'name': 'eth0', 'mac': 'm1'},
                                       {'name': 'eth1', 'slaves': ['a', 'b'],
                                        'ip': None}]).human_readable())
        self.assertEqual('a, 1', v1_base.cell(['a', 1]).human_readable())
        self.assertEqual({'a': None}, v1_base.cell(
            {'a': None}).machine_readable())


class TestMain(base.ShellTestCase):

    def test_main_uses_the_process_environment(self):
        self.useFixture(fixtures.EnvironmentVariable('TRELLIS_URL',
                                                     base.URL))
        self.useFixture(fixtures.EnvironmentVariable('XDG_CONFIG_HOME',
                                                     self.tempdir))
        for name in ('TRELLIS_CLIENT_CONFIG', 'TRELLIS_CLOUD', 'OS_TOKEN',
                     'TRELLIS_USERNAME', 'TRELLIS_PASSWORD'):
            self.useFixture(fixtures.EnvironmentVariable(name))
        stdout, stderr = io.StringIO(), io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', stdout))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        self.mock('GET', '/clusters', status=503, json=base.error(
            503, 'etcd at http://10.0.0.1:2379 is unreachable.'))
        self.assertEqual(1, shell.main(['cluster', 'list']))
        self.assertIn('etcd at http://10.0.0.1:2379 is unreachable. '
                      '(HTTP 503)', stderr.getvalue())
        self.assertEqual('', stdout.getvalue())
