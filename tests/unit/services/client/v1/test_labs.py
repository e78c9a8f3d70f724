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

"""trellis lab import/export and trellis service list."""

import json
import os

from tests.unit.services.client import base

REPORT = {'cluster': {'uuid': 'c1', 'name': 'allinone'}, 'dry_run': False,
          'changes': [
              {'action': 'create', 'resource': 'cluster',
               'name': 'allinone'},
              {'action': 'create', 'resource': 'host', 'name': 'node-1',
               'fields': ['bmc', 'interfaces']},
              {'action': 'unchanged', 'resource': 'network',
               'name': 'MANAGEMENT'}]}


class TestLabImport(base.ShellTestCase):

    def setUp(self):
        super().setUp()
        self.deploy = self.write('deploy.yml', 'hosts: []\n')
        self.network = self.write('network.yml', 'networks: []\n')

    def test_import_sends_files_and_prints_report(self):
        self.mock('POST', '/labs/import', json=REPORT)
        code, out, err = self.cli('lab', 'import', self.deploy,
                                  self.network, '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual({'files': [
            {'name': 'deploy.yml', 'content': 'hosts: []\n'},
            {'name': 'network.yml', 'content': 'networks: []\n'}],
            'dry_run': False}, self.last().json())
        rows = json.loads(out)
        self.assertEqual(['Action', 'Resource', 'Name', 'Fields'],
                         list(rows[0]))
        self.assertEqual(['bmc', 'interfaces'], rows[1]['Fields'])
        self.assertIn('Imported into cluster allinone: 2 change(s).', err)

    def test_dry_run_format_cluster_and_warnings(self):
        self.mock('POST', '/labs/import', json=dict(
            REPORT, dry_run=True, warnings=['host node-1: no PXE MAC']))
        code, out, err = self.cli('lab', 'import', '--dry-run', self.deploy,
                                  '--lab-format', 'daisy', '--cluster',
                                  'other')
        self.assertEqual(0, code, err)
        sent = self.last().json()
        self.assertEqual((True, 'daisy', 'other'), (
            sent['dry_run'], sent['format'], sent['cluster']))
        self.assertIn('WARNING: host node-1: no PXE MAC\n', err)
        self.assertIn('Dry run, cluster allinone', err)
        self.assertIn('| create', out)

    def test_validation_error_names_file_and_line(self):
        self.mock('POST', '/labs/import', status=400, json=base.error(
            400, 'The lab files are not valid; nothing was imported.', [
                {'file': 'deploy.yml', 'line': 7, 'path': 'hosts[0].roles',
                 'message': "unknown role 'CONTROLER'"}]))
        code, out, err = self.cli('lab', 'import', self.deploy)
        self.assertEqual(1, code)
        self.assertIn("deploy.yml:7 hosts[0].roles: unknown role "
                      "'CONTROLER'", err)

    def test_other_report_shape(self):
        self.mock('POST', '/labs/import', json={'created': 3, 'updated': 0})
        out = self.ok('lab', 'import', self.deploy, '-f', 'value')
        self.assertEqual('created 3\nupdated 0\n', out)

    def test_local_file_errors(self):
        code, out, err = self.cli('lab', 'import', self.deploy + '.missing')
        self.assertEqual(1, code)
        self.assertIn('Cannot read', err)
        other = os.path.join(self.tempdir, 'sub')
        os.mkdir(other)
        twin = os.path.join(other, 'deploy.yml')
        with open(twin, 'w') as f:
            f.write('x: 1\n')
        code, out, err = self.cli('lab', 'import', self.deploy, twin)
        self.assertEqual(1, code)
        self.assertIn('same name', err)
        self.assertFalse(self.requests.called)


class TestLabExport(base.ShellTestCase):

    FILES = {'files': [{'name': 'deploy.yml', 'content': 'hosts: []\n'},
                       {'name': 'network.yml', 'content': 'networks: []'}]}

    def test_export_to_directory(self):
        self.mock('GET', '/labs/export', json=self.FILES)
        target = os.path.join(self.tempdir, 'out', 'lab')
        out = self.ok('lab', 'export', '--cluster', 'lab1', '--output-dir',
                      target)
        self.assertEqual({'cluster': ['lab1'], 'format': ['daisy']},
                         self.last().qs)
        self.assertNotIn('include_secrets', self.last().url)
        paths = [os.path.join(target, 'deploy.yml'),
                 os.path.join(target, 'network.yml')]
        self.assertEqual('\n'.join(paths) + '\n', out)
        with open(paths[1]) as f:
            self.assertEqual('networks: []', f.read())
        self.assertEqual(0o600, os.stat(paths[0]).st_mode & 0o777)

    def test_export_to_stdout(self):
        self.mock('GET', '/labs/export', json=dict(
            self.FILES, warnings=['BMC passwords are not exported']))
        code, out, err = self.cli('lab', 'export', '--cluster', 'lab1',
                                  '--include-secrets')
        self.assertEqual(0, code, err)
        self.assertEqual('true', self.last().qs['include_secrets'][0])
        self.assertEqual('WARNING: BMC passwords are not exported\n', err)
        self.assertEqual('# ==> deploy.yml <==\nhosts: []\n'
                         '# ==> network.yml <==\nnetworks: []\n', out)

    def test_tripleo_single_file_and_raw_body(self):
        nodes = {'nodes': [{'name': 'n1', 'pm_type': 'ipmi'}]}
        self.mock('GET', '/labs/export', json={'files': [
            {'name': 'nodes.json', 'content': json.dumps(nodes)}]})
        out = self.ok('lab', 'export', '--cluster', 'lab1', '--format',
                      'tripleo')
        self.assertEqual('tripleo', self.last().qs['format'][0])
        self.assertEqual(nodes, json.loads(out))
        self.mock('GET', '/labs/export', text='hosts: []\n',
                  headers={'Content-Type': 'application/yaml'})
        self.assertEqual('hosts: []\n', self.ok('lab', 'export',
                                                '--cluster', 'lab1'))

    def test_unsafe_names_refused(self):
        self.mock('GET', '/labs/export', json={'files': [
            {'name': '..', 'content': 'x'}]})
        code, out, err = self.cli('lab', 'export', '--cluster', 'lab1',
                                  '--output-dir', self.tempdir)
        self.assertEqual(1, code)
        self.assertIn('bad file name', err)

    def test_unknown_cluster(self):
        self.mock('GET', '/labs/export', status=404,
                  json=base.error(404, 'Cluster nope could not be found.'))
        code, out, err = self.cli('lab', 'export', '--cluster', 'nope')
        self.assertEqual(1, code)
        self.assertIn('Cluster nope could not be found. (HTTP 404)', err)
