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

import fixtures
import pymysql

from tests import base
from tests.unit.services.galera_watcher import fakes
from tests.unit.services.galera_watcher import test_health
from trellis.services.galera_watcher import health
from trellis.services.galera_watcher import state as gstate
from trellis.services.galera_watcher import watcher

UUID = test_health.UUID
OTHER = test_health.OTHER


class WatcherBase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(cluster='c1', restart_grace=30, group='galera')
        self.etcd = fakes.FakeEtcd()
        self.keys = gstate.ClusterKeys(self.etcd, 'c1')
        self.keys.put('state', 'STEADY')
        self.keys.put('uuid', UUID)
        self.statuses = {}
        for addr in ('a:1', 'b:1', 'c:1'):
            self.keys.put('members/%s' % addr,
                          {'phase': 'running', 'run_id': 'r-%s' % addr})
            self.keys.put('nodes/%s' % addr, 1)
            self.statuses[addr] = test_health.status(
                wsrep_last_committed={'a:1': '5', 'b:1': '9',
                                      'c:1': '9'}[addr])
        self.watcher = watcher.GaleraWatcher(self.conf, self.etcd, 'w1')
        self.addCleanup(self.watcher._pool.shutdown)
        self.useFixture(fixtures.MockPatch(
            'trellis.services.galera_watcher.health.fetch_status',
            side_effect=self._fetch))
        self.notify = self.useFixture(fixtures.MockPatch(
            'trellis.services.galera_watcher.watcher.GaleraWatcher._notify'))

    def _fetch(self, addr, *args):
        value = self.statuses[addr]
        if isinstance(value, Exception):
            raise value
        return value


class TestWatcher(WatcherBase):

    def test_election_one_active(self):
        other = watcher.GaleraWatcher(self.conf, self.etcd, 'w2')
        self.addCleanup(other._pool.shutdown)
        self.assertTrue(self.watcher._elect())
        self.assertFalse(other._elect())
        self.assertEqual('w1', self.keys.get('watcher'))
        # The active one's lease expires: the standby takes over.
        self.etcd.expire(self.watcher._lease)
        self.assertTrue(other._elect())
        self.assertFalse(self.watcher._elect())

    def test_tooz_election_decides_who_is_active(self):
        election = mock.Mock(is_leader=False)
        active = watcher.GaleraWatcher(self.conf, self.etcd, 'w3',
                                       election=election)
        self.addCleanup(active._pool.shutdown)
        self.assertFalse(active._elect())
        self.assertIsNone(self.keys.get('watcher'))
        election.is_leader = True
        self.assertTrue(active._elect())
        self.assertEqual('w3', self.keys.get('watcher'))
        election.is_leader = False
        self.assertFalse(active._elect())
        self.assertFalse(active.active.is_set())

    def test_picks_highest_seqno_leader_and_notifies(self):
        self.watcher.tick()
        self.assertEqual('b:1', self.keys.get('leader'))
        self.notify.mock.assert_any_call(
            'leader', 'changed',
            {'cluster': 'c1', 'old': None, 'new': 'b:1'})
        self.assertIn('leader None -> b:1',
                      self.keys.get('decision'))

    def test_keeps_a_healthy_leader(self):
        self.keys.put('leader', 'a:1')
        self.watcher.tick()
        self.assertEqual('a:1', self.keys.get('leader'))

    def test_dead_leader_is_replaced_and_restarted(self):
        self.keys.put('leader', 'b:1')
        self.statuses['b:1'] = ConnectionRefusedError('refused')
        seen = self.watcher.tick()
        self.assertEqual('c:1', self.keys.get('leader'))
        self.assertFalse(seen['b:1']['ready'])
        self.assertNotIn('b:1', self.keys.snapshot().nodes)
        command = self.keys.snapshot().commands['b:1']
        self.assertEqual(('restart', 'r-b:1', 'w1'),
                         (command['action'], command['run_id'],
                          command['by']))

    def test_one_slow_check_is_not_a_failure(self):
        self.keys.put('leader', 'b:1')
        self.watcher.tick()
        self.statuses['b:1'] = TimeoutError('timed out')
        self.watcher.tick()
        self.assertEqual('b:1', self.keys.get('leader'))
        self.assertEqual({}, self.keys.snapshot().commands)
        self.watcher.tick()
        self.assertEqual('c:1', self.keys.get('leader'))
        self.assertEqual('restart',
                         self.keys.snapshot().commands['b:1']['action'])

    def test_a_donor_leader_is_kept_when_nobody_is_ready(self):
        self.keys.put('leader', 'b:1')
        self.statuses['a:1'] = ConnectionRefusedError()
        self.statuses['c:1'] = test_health.status(
            wsrep_local_state_comment='Joiner')
        self.statuses['b:1'] = test_health.status(
            wsrep_local_state_comment='Donor/Desynced')
        self.watcher.tick()
        self.assertEqual('b:1', self.keys.get('leader'))

    def test_split_brain_is_fenced_once(self):
        self.statuses['c:1'] = test_health.status(
            wsrep_cluster_state_uuid=OTHER)
        self.watcher.tick()
        snap = self.keys.snapshot()
        self.assertEqual('fence', snap.commands['c:1']['action'])
        self.assertNotIn('c:1', snap.nodes)
        self.assertNotEqual('c:1', snap.leader)
        self.notify.mock.assert_any_call(
            'node', 'fenced', mock.ANY, priority='warning')
        # Obeyed (key removed): no new command within restart_grace.
        self.keys.delete('commands/c:1')
        self.watcher.tick()
        self.assertNotIn('c:1', self.keys.snapshot().commands)

    def test_joined_twice_restarts(self):
        self.statuses['a:1'] = test_health.status(
            wsrep_local_state_comment='Joined')
        self.watcher.tick()
        self.assertNotIn('a:1', self.keys.snapshot().commands)
        self.watcher.tick()
        self.assertEqual('restart',
                         self.keys.snapshot().commands['a:1']['action'])

    def test_no_command_outside_steady(self):
        self.keys.put('state', 'RECOVERY')
        self.statuses['a:1'] = ConnectionRefusedError('refused')
        self.watcher.tick()
        self.assertEqual({}, self.keys.snapshot().commands)

    def test_state_change_is_notified(self):
        self.watcher.tick()
        self.keys.put('state', 'RECOVERY')
        self.watcher.tick()
        self.notify.mock.assert_any_call(
            'state', 'changed',
            {'cluster': 'c1', 'old': 'STEADY', 'new': 'RECOVERY',
             'uuid': UUID})

    def test_haproxy_follows_the_leader(self):
        self.watcher.haproxies = [mock.Mock(socket_path='/s')]
        with mock.patch.object(watcher.haproxy, 'route_to_leader') as route:
            self.watcher.tick()
        route.assert_called_once_with(self.watcher.haproxies[0], 'galera',
                                      'b:1')

    def test_no_ready_node_no_leader(self):
        self.keys.put('leader', 'a:1')
        for addr in self.statuses:
            self.statuses[addr] = ConnectionRefusedError('down')
        self.watcher.tick()
        self.assertIsNone(self.keys.get('leader'))


class TestEviction(WatcherBase):
    """A leader whose mariadbd is gone is evicted on the survivors."""

    def test_refused_connection_evicts_on_survivors(self):
        for addr in self.statuses:
            self.statuses[addr]['wsrep_gcomm_uuid'] = (
                'c4fd541f-84c5-11f1-9a7f-b74280%s' % {'a:1': '8b6671',
                                                      'b:1': '8b6672',
                                                      'c:1': '8b6673'}[addr])
        self.watcher.tick()
        self.statuses['b:1'] = pymysql.err.OperationalError(
            2003, "Can't connect to MySQL server on '127.0.0.1' "
                  "([Errno 111] Connection refused)")
        with mock.patch.object(watcher.health, 'evict') as evict:
            self.watcher.tick()
            self.watcher.tick()
        self.assertEqual({'a:1', 'c:1'},
                         {c[0][0] for c in evict.call_args_list})
        self.assertEqual({'c4fd541f-84c5-11f1-9a7f-b742808b6672'},
                         {c[0][1] for c in evict.call_args_list})
        self.assertIn('evicted b:1', ''.join(
            str(c) for c in self.keys.get('decision')))

    def test_timeout_does_not_evict(self):
        self.statuses['b:1']['wsrep_gcomm_uuid'] = (
            'c4fd541f-84c5-11f1-9a7f-b742808b6672')
        self.watcher.tick()
        self.statuses['b:1'] = pymysql.err.OperationalError(
            2003, "Can't connect to MySQL server (timed out)")
        with mock.patch.object(watcher.health, 'evict') as evict:
            self.watcher.tick()
        evict.assert_not_called()

    def test_evict_rejects_a_bad_uuid(self):
        self.assertRaises(ValueError, health.evict, 'a:1', "x'; DROP", 'u',
                          'p', 1, 1)
