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

"""Tests of ``trellis-manage galera status|leader|recover``."""

import json
from unittest import mock

from tests.unit.services.manage import test_service

STATUS = {
    'cluster': 'c1', 'state': 'STEADY', 'uuid': 'u1', 'leader': 'a:1',
    'watcher': 'w1', 'force_bootstrap': None,
    'nodes': [
        {'address': 'a:1', 'ready': True, 'leader': True,
         'phase': 'running', 'wsrep_state': 'Synced', 'seqno': 12,
         'fenced': None},
        {'address': 'd:1', 'ready': False, 'leader': False,
         'phase': 'fenced', 'wsrep_state': None, 'seqno': None,
         'fenced': {'reason': 'split brain'}},
    ]}


class TestGaleraCommands(test_service.ManageTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture_patch('trellis.services.manage.base.check_bus')
        api_class = self.useFixture_patch(
            'trellis.services.galera_watcher.rpcapi.GaleraWatcherAPI')
        self.api = api_class.return_value

    def test_status(self):
        self.api.get_status.return_value = STATUS
        code, out, err = self.manage('galera', 'status', 'c1', '-f', 'json',
                                     '--timeout', '3')
        self.assertEqual(0, code, err)
        self.api.get_status.assert_called_once_with(mock.ANY, timeout=3.0,
                                                    cluster='c1')
        self.assertIn('Cluster c1: state STEADY, uuid u1, leader a:1', out)
        rows = json.loads(out[out.index('['):])
        self.assertEqual(['a:1', 'd:1'], [r['Address'] for r in rows])
        self.assertEqual('split brain', rows[1]['Fenced'])
        self.assertEqual(12, rows[0]['Seqno'])

    def test_status_default_cluster(self):
        self.api.get_status.return_value = dict(STATUS, nodes=[])
        code, _out, err = self.manage('galera', 'status')
        self.assertEqual(0, code, err)
        self.assertIsNone(self.api.get_status.call_args[1]['cluster'])

    def test_leader(self):
        self.api.get_leader.return_value = {'cluster': 'c1', 'leader': None,
                                            'state': 'RECOVERY'}
        code, out, err = self.manage('galera', 'leader', 'c1', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual({'Cluster': 'c1', 'Leader': '-',
                          'State': 'RECOVERY'}, json.loads(out))

    def test_recover_force_node(self):
        self.api.recover.return_value = {
            'cluster': 'c1', 'state': 'RECOVERY', 'force_node': 'b:1',
            'nodes': ['a:1', 'b:1']}
        code, out, err = self.manage('galera', 'recover', 'c1',
                                     '--force-node', 'b:1', '-f', 'json')
        self.assertEqual(0, code, err)
        self.api.recover.assert_called_once_with(
            mock.ANY, timeout=mock.ANY, cluster='c1', force_node='b:1')
        self.assertEqual('a:1, b:1', json.loads(out)['Nodes'])
