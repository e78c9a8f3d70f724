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

from tests import base
from tests.unit.services.galera_watcher import fakes
from trellis.services.galera_watcher import state as gstate


class TestClusterKeys(base.TestCase):

    def setUp(self):
        super().setUp()
        self.etcd = fakes.FakeEtcd()
        self.keys = gstate.ClusterKeys(self.etcd, 'c1')

    def test_snapshot_reads_every_key(self):
        self.keys.put('state', 'STEADY')
        self.keys.put('uuid', 'u1')
        self.keys.put('leader', 'a:1')
        self.keys.put('nodes/a:1', 123)
        self.keys.put('seqno/b:1', 7)
        self.keys.put('seqno/c:1', 'garbage')
        self.keys.put('members/a:1', {'phase': 'running'})
        self.keys.put('commands/a:1', {'action': 'restart'})
        self.keys.put('fenced/d:1', 'not json')
        # Another cluster's keys are not ours.
        gstate.ClusterKeys(self.etcd, 'c10').put('state', 'BUILDING')
        snap = self.keys.snapshot()
        self.assertEqual(('STEADY', 'u1', 'a:1'),
                         (snap.state, snap.uuid, snap.leader))
        self.assertEqual({'a:1': '123'}, snap.nodes)
        self.assertEqual({'b:1': 7, 'c:1': -1}, snap.seqno)
        self.assertEqual({'a:1': {'phase': 'running'}}, snap.members)
        self.assertEqual('restart', snap.commands['a:1']['action'])
        self.assertEqual({'value': 'not json'}, snap.fenced['d:1'])

    def test_set_state_is_compare_and_swap(self):
        self.assertTrue(self.keys.set_state('BUILDING', None))
        self.assertFalse(self.keys.set_state('BUILDING', None))
        self.assertFalse(self.keys.set_state('STEADY', 'RECOVERY'))
        self.assertTrue(self.keys.set_state('STEADY', 'BUILDING'))
        self.assertEqual('STEADY', self.keys.state())
        self.assertRaises(ValueError, self.keys.set_state, 'BAD', None)

    def test_set_leader(self):
        self.assertTrue(self.keys.set_leader('a:1', None))
        self.assertFalse(self.keys.set_leader('b:1', None))
        self.assertTrue(self.keys.set_leader('b:1', 'a:1'))
        self.assertTrue(self.keys.set_leader(None, 'b:1'))
        self.assertIsNone(self.keys.get('leader'))

    def test_delete_if(self):
        self.keys.put('lock', 'a:1')
        self.assertFalse(self.keys.delete_if('lock', 'b:1'))
        self.assertTrue(self.keys.delete_if('lock', 'a:1'))

    def test_send_command(self):
        cmd = self.keys.send_command('a:1', 'fence', 'split brain', 'r1',
                                     'w1')
        self.assertEqual('r1', self.keys.snapshot().commands['a:1']['run_id'])
        self.assertEqual('fence', cmd['action'])
        self.assertRaises(ValueError, self.keys.send_command, 'a:1', 'wipe',
                          'no', None, 'w1')
