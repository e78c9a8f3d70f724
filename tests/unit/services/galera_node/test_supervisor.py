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

from unittest import mock

from tests import base
from tests.unit.services.galera_watcher import fakes
from tests.unit.services.galera_watcher import test_health
from trellis.services.galera_node import mysqld
from trellis.services.galera_node import supervisor
from trellis.services.galera_watcher import state as gstate

UUID = test_health.UUID


class TestSupervisor(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(cluster='c1', cluster_size=3, group='galera')
        self.etcd = fakes.FakeEtcd()
        self.keys = gstate.ClusterKeys(self.etcd, 'c1')
        defaults = mysqld.Defaults('/x/my.cnf', {'datadir': '/x/data',
                                                 'port': '3307'})
        self.node = supervisor.NodeSupervisor(self.conf, self.etcd, defaults,
                                              '127.0.0.1:3307')
        self.node._new_lease()
        self.node.process = mock.Mock(pid=4242)
        self.node.run_id = 'run2'

    def test_obeys_a_fence_for_its_run(self):
        self.keys.put('nodes/127.0.0.1:3307', 1)
        outcome = self.node._obey({'action': 'fence', 'run_id': 'run2',
                                   'reason': 'split brain', 'by': 'w1'})
        self.assertEqual('fence', outcome)
        self.node.process.stop.assert_called_once_with(mock.ANY)
        snap = self.keys.snapshot()
        self.assertEqual('split brain', snap.fenced['127.0.0.1:3307'][
            'reason'])
        self.assertNotIn('127.0.0.1:3307', snap.nodes)

    def test_ignores_a_command_for_an_earlier_run(self):
        outcome = self.node._obey({'action': 'restart', 'run_id': 'run1'})
        self.assertIsNone(outcome)
        self.node.process.stop.assert_not_called()

    def test_steady_once_every_member_is_live(self):
        self.keys.put('state', 'BUILDING')
        self.keys.put('uuid', UUID)
        for port in (3307, 3308):
            self.keys.put('nodes/127.0.0.1:%d' % port, 1)
        self.node._maybe_steady(self.keys.snapshot(), test_health.status())
        self.assertEqual('BUILDING', self.keys.state())
        self.keys.put('nodes/127.0.0.1:3309', 1)
        self.node._maybe_steady(self.keys.snapshot(), test_health.status())
        self.assertEqual('STEADY', self.keys.state())

    def test_forced_recovery_waits_for_starting_nodes(self):
        self.keys.put('state', 'RECOVERY')
        self.keys.put('uuid', UUID)
        self.keys.put('force_bootstrap', '127.0.0.1:3307')
        self.keys.put('nodes/127.0.0.1:3307', 1)
        self.keys.put('members/127.0.0.1:3308', {'phase': 'starting'})
        self.node._maybe_steady(self.keys.snapshot(), test_health.status())
        self.assertEqual('RECOVERY', self.keys.state())
        self.keys.delete('members/127.0.0.1:3308')
        self.node._maybe_steady(self.keys.snapshot(), test_health.status())
        self.assertEqual('STEADY', self.keys.state())
        self.assertIsNone(self.keys.get('force_bootstrap'))

    def test_diverged_data_set_aside_only_when_forced(self):
        self.node.position = (UUID, 50)
        self.keys.put('uuid', UUID)
        self.keys.put('nodes/127.0.0.1:3308', 1)
        snap = self.keys.snapshot()
        with mock.patch.object(supervisor.health, 'fetch_status',
                               return_value=test_health.status(
                                   wsrep_last_committed='40')), \
                mock.patch.object(supervisor.mysqld, 'set_aside',
                                  return_value='/x/data.diverged-1') as aside:
            self.assertRaises(supervisor.StartFailed,
                              self.node._check_divergence, snap)
            aside.assert_not_called()
            self.keys.put('force_bootstrap', '127.0.0.1:3308')
            self.node._check_divergence(self.keys.snapshot())
            aside.assert_called_once_with(self.node.defaults)
        self.assertEqual((None, -1), self.node.position)
        self.assertIn('/x/data.diverged-1', self.keys.get('decision'))

    def test_not_diverged_when_behind(self):
        self.node.position = (UUID, 30)
        self.keys.put('uuid', UUID)
        self.keys.put('nodes/127.0.0.1:3308', 1)
        with mock.patch.object(supervisor.health, 'fetch_status',
                               return_value=test_health.status(
                                   wsrep_last_committed='40')), \
                mock.patch.object(supervisor.mysqld, 'set_aside') as aside:
            self.node._check_divergence(self.keys.snapshot())
        aside.assert_not_called()
        self.assertEqual((UUID, 30), self.node.position)

    def test_shutdown_removes_every_key(self):
        for name in ('nodes', 'queue', 'seqno', 'members'):
            self.keys.put('%s/127.0.0.1:3307' % name, 1,
                          lease=self.node._lease)
        self.keys.put('leader', '127.0.0.1:3307')
        self.keys.put('lock', '127.0.0.1:3307')
        self.node._shutdown()
        self.assertEqual({}, self.etcd.get_prefix('galera/c1/'))
        self.node.process.stop.assert_called_once_with(mock.ANY)
