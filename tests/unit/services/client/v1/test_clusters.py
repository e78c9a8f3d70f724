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


"""trellis cluster create|list|show|set|delete: options -> requests."""

import json

from tests.unit.services.client import base

C_UUID = '6f1c1c9e-0d5e-4a52-9f2b-0c3a1f6d2e11'


class TestCluster(base.ShellTestCase):

    def test_create(self):
        self.mock('POST', '/clusters', status=201,
                  json={'uuid': C_UUID, 'name': 'lab1'})
        out = self.ok('cluster', 'create', 'lab1', '--description', 'Lab',
                      '--config', 'ntp=10.0.0.1', '--config', 'mtu=9000',
                      '--config', 'debug=true', '-f', 'json')
        self.assertEqual({'name': 'lab1', 'description': 'Lab',
                          'config': {'ntp': '10.0.0.1', 'mtu': 9000,
                                     'debug': True}}, self.last().json())
        self.assertEqual({'uuid': C_UUID, 'name': 'lab1'}, json.loads(out))

    def test_create_bad_config(self):
        code, out, err = self.cli('cluster', 'create', 'x', '--config', 'y')
        self.assertEqual(1, code)
        self.assertIn('--config expects KEY=VALUE', err)
        self.assertFalse(self.requests.called)

    def test_list_paging_options(self):
        self.mock('GET', '/clusters', json={
            'clusters': [{'uuid': 'a', 'name': 'a'}],
            'next': base.V1 + '/clusters?marker=a&limit=1'})
        out = self.ok('cluster', 'list', '--limit', '1', '--sort-key',
                      'name', '--sort-dir', 'desc', '-f', 'value',
                      '-c', 'Name')
        self.assertEqual('a\n', out)
        self.assertEqual(1, self.requests.call_count)
        self.assertEqual({'limit': ['1'], 'sort_key': ['name'],
                          'sort_dir': ['desc']}, self.last().qs)
        self.ok('cluster', 'list', '--marker', 'a', '-f', 'value')
        self.assertEqual({'marker': ['a']}, self.last().qs)

    def test_list_all_pages(self):
        self.mock('GET', '/clusters', json={
            'clusters': [{'uuid': 'a', 'name': 'a'}],
            'next': base.V1 + '/clusters?marker=a'})
        self.mock('GET', '/clusters?marker=a', json={
            'clusters': [{'uuid': 'b', 'name': 'b'}]})
        out = self.ok('cluster', 'list', '-f', 'value', '-c', 'Name')
        self.assertEqual('a\nb\n', out)

    def test_set_and_unset(self):
        self.mock('PATCH', '/clusters/lab1', json={'uuid': C_UUID})
        self.ok('cluster', 'set', 'lab1', '--name', 'lab2', '--target',
                'v1', '--unset', 'description')
        self.assertEqual({'name': 'lab2', 'target': 'v1',
                          'description': None}, self.last().json())

    def test_set_nothing(self):
        code, out, err = self.cli('cluster', 'set', 'lab1')
        self.assertEqual(1, code)
        self.assertIn('Nothing to change', err)
        code, out, err = self.cli('cluster', 'set', 'lab1', '--target', 'x',
                                  '--unset', 'target')
        self.assertEqual(1, code)
        self.assertIn('both set and unset', err)
        self.assertFalse(self.requests.called)

    def test_delete_several_with_a_failure(self):
        self.mock('DELETE', '/clusters/a', status=204)
        self.mock('DELETE', '/clusters/b', status=409, json=base.error(
            409, 'Cluster b has a running deployment.'))
        self.mock('DELETE', '/clusters/c', status=204)
        code, out, err = self.cli('cluster', 'delete', 'a', 'b', 'c')
        self.assertEqual(1, code)
        self.assertIn('Cluster b has a running deployment. (HTTP 409)', err)
        self.assertIn('1 of 3 clusters failed to delete.', err)
        self.assertEqual(3, self.requests.call_count)

    def test_names_are_quoted_in_paths(self):
        self.mock('GET', '/clusters/a%20b%2Fc', json={'uuid': C_UUID})
        self.ok('cluster', 'show', 'a b/c')
