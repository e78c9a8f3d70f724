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
from trellis.common import exception
from trellis.services.galera_watcher import operations
from trellis.services.galera_watcher import state as gstate


class TestOperations(base.TestCase):

    def setUp(self):
        super().setUp()
        self.etcd = fakes.FakeEtcd()
        self.keys = gstate.ClusterKeys(self.etcd, 'c1')
        self.keys.put('state', 'STEADY')
        self.keys.put('uuid', 'u1')
        self.keys.put('leader', 'a:1')
        for addr in ('a:1', 'b:1'):
            self.keys.put('members/%s' % addr, {'phase': 'running',
                                                'seqno': 3})
            self.keys.put('nodes/%s' % addr, 1)
        self.keys.put('health/a:1', {'state': 'Synced', 'seqno': 10,
                                     'uuid': 'u1'})
        self.keys.put('fenced/c:1', {'reason': 'split brain'})

    def test_status(self):
        status = operations.status(self.etcd, 'c1')
        self.assertEqual(('STEADY', 'u1', 'a:1'),
                         (status['state'], status['uuid'],
                          status['leader']))
        nodes = {n['address']: n for n in status['nodes']}
        self.assertEqual(['a:1', 'b:1', 'c:1'], sorted(nodes))
        self.assertEqual((True, True, 'Synced', 10),
                         (nodes['a:1']['ready'], nodes['a:1']['leader'],
                          nodes['a:1']['wsrep_state'],
                          nodes['a:1']['seqno']))
        self.assertEqual(3, nodes['b:1']['seqno'])
        self.assertEqual('split brain', nodes['c:1']['fenced']['reason'])
        self.assertFalse(nodes['c:1']['ready'])

    def test_leader(self):
        self.assertEqual({'cluster': 'c1', 'leader': 'a:1',
                          'state': 'STEADY'},
                         operations.leader(self.etcd, 'c1'))

    def test_recover_forced(self):
        answer = operations.recover(self.etcd, 'c1', 'b:1', 'op')
        snap = self.keys.snapshot()
        self.assertEqual('RECOVERY', snap.state)
        self.assertEqual('b:1', snap.force_bootstrap)
        self.assertEqual({'a:1', 'b:1'}, set(snap.commands))
        self.assertEqual({'recover'},
                         {c['action'] for c in snap.commands.values()})
        self.assertEqual({}, snap.nodes)
        self.assertEqual(['a:1', 'b:1'], answer['nodes'])
        self.assertIn('forced node b:1', self.keys.get('decision'))

    def test_recover_unforced_clears_an_old_force(self):
        self.keys.put('force_bootstrap', 'a:1')
        operations.recover(self.etcd, 'c1', None, 'op')
        self.assertIsNone(self.keys.get('force_bootstrap'))

    def test_recover_unknown_cluster(self):
        self.assertRaises(exception.NotFound, operations.recover,
                          self.etcd, 'nope', None, 'op')
