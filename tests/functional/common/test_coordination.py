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


"""Coordination (tooz over etcd3gw) against a real etcd.

Two or more members in this process, plus a member in a child process
that is SIGKILLed to stand for a crashed service.
"""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from tests import base
from tests.functional import base as func_base
from tests.functional import fixtures
from trellis.common import coordination
from trellis.common import exception

LOCK_TTL = 2
INTERVAL = 0.2
# Generous bound on anything that should happen "within about the TTL".
WAIT = LOCK_TTL + 15

# A member that holds a lock and campaigns, then waits to be killed.
_CHILD = textwrap.dedent('''
    import sys, threading
    from trellis.common.conf import CONF
    from trellis.common import coordination
    CONF([], project='trellis')
    url, prefix, ttl, interval = sys.argv[1:5]
    CONF.set_override('url', url, group='etcd')
    CONF.set_override('prefix', prefix, group='etcd')
    CONF.set_override('lock_ttl', int(ttl), group='coordination')
    CONF.set_override('heartbeat_interval', float(interval),
                      group='coordination')
    coord = coordination.Coordinator()
    coord.start()
    coord.join_group('workers', {'pid': 1})
    lock = coord.get_lock('cluster-1')
    assert lock.acquire(blocking=False)
    elected = threading.Event()
    coord.leader_election('galera', on_elected=elected.set)
    elected.wait(30)
    print('ready', coord.member_id, flush=True)
    threading.Event().wait(300)
''')



class TestCoordination(base.TestCase):

    timeout = 120

    def setUp(self):
        super().setUp()
        self.etcd = self.useFixture(fixtures.EtcdFixture())
        self.config(url=self.etcd.url, prefix=self.etcd.prefix,
                    group='etcd')
        self.config(lock_ttl=LOCK_TTL, heartbeat_interval=INTERVAL,
                    group='coordination')
        namespace = self.etcd.prefix.strip('/')
        raw = self.etcd.client.raw
        # tooz keeps its keys outside our prefix; remove this test's.
        self.addCleanup(raw.delete_prefix, 'tooz/groups/%s.' % namespace)
        self.addCleanup(raw.delete_prefix,
                        '/tooz/locks%s/' % self.etcd.prefix)

    def _member(self) -> coordination.Coordinator:
        coord = coordination.Coordinator()
        coord.start()
        self.addCleanup(coord.stop)
        return coord

    def _child(self) -> tuple[subprocess.Popen, str]:
        """A member in another process, holding ``cluster-1``, leading."""
        proc = subprocess.Popen(
            [sys.executable, '-c', _CHILD, self.etcd.url, self.etcd.prefix,
             str(LOCK_TTL), str(INTERVAL)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            start_new_session=True)

        def kill():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
            proc.stdout.close()

        self.addCleanup(kill)
        line = []
        reader = threading.Thread(
            target=lambda: line.append(proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(60)
        self.assertTrue(line and line[0].startswith('ready '),
                        'the child member did not start: %r' % line)
        return proc, line[0].split()[1]

    # -- locks -------------------------------------------------------------

    def test_lock_contention(self):
        a, b = self._member(), self._member()
        lock_a, lock_b = a.get_lock('cluster-1'), b.get_lock('cluster-1')
        self.assertTrue(lock_a.acquire(blocking=False))
        self.assertFalse(lock_b.acquire(blocking=False))
        self.assertRaises(exception.LockNotAcquired,
                          b.get_lock('cluster-1', timeout=0.5).__enter__)
        self.assertTrue(lock_a.is_still_held())
        # A lock of another name is independent.
        with b.get_lock('cluster-2', timeout=1):
            pass
        self.assertTrue(lock_a.release())
        self.assertFalse(lock_a.is_still_held())
        with b.get_lock('cluster-1', timeout=5) as held:
            self.assertTrue(held.is_still_held())
            self.assertFalse(lock_a.acquire(blocking=False))
        self.assertTrue(lock_a.acquire(blocking=False))
        lock_a.release()

    def test_lock_outlives_ttl_while_beating(self):
        a, b = self._member(), self._member()
        lock_a = a.get_lock('cluster-1')
        self.assertTrue(lock_a.acquire(blocking=False))
        time.sleep(LOCK_TTL * 2)
        self.assertTrue(lock_a.is_still_held())
        self.assertFalse(b.get_lock('cluster-1').acquire(blocking=False))

    def test_stopped_member_frees_its_lock_at_once(self):
        a, b = self._member(), self._member()
        self.assertTrue(a.get_lock('cluster-1').acquire(blocking=False))
        a.stop()
        # Immediately, not after the TTL.
        self.assertTrue(b.get_lock('cluster-1').acquire(blocking=False))

    def test_crashed_member_lock_expires(self):
        proc, _ = self._child()
        b = self._member()
        lock_b = b.get_lock('cluster-1')
        self.assertFalse(lock_b.acquire(blocking=False))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        self.assertTrue(lock_b.acquire(blocking=True, timeout=WAIT))

    # -- groups ------------------------------------------------------------

    def test_group_membership(self):
        a, b = self._member(), self._member()
        a.join_group('conductors', {'zone': 'z1'})
        b.join_group('conductors', {'zone': 'z2'})
        self.assertEqual({a.member_id: {'zone': 'z1'},
                          b.member_id: {'zone': 'z2'}},
                         a.get_members('conductors'))
        self.assertIn('conductors', a.get_groups())
        b.leave_group('conductors')
        self.assertEqual([a.member_id], list(b.get_members('conductors')))
        a.stop()
        self.assertEqual({}, b.get_members('conductors'))

    def test_get_groups_lists_names_only(self):
        a, b = self._member(), self._member()
        a.join_group('g1')
        b.join_group('g1')
        b.join_group('g2')
        self.assertEqual(['g1', 'g2'], a.get_groups())

    def test_crashed_member_leaves_its_groups(self):
        proc, child_id = self._child()
        b = self._member()
        b.join_group('workers')
        self.assertEqual({child_id: {'pid': 1}, b.member_id: {}},
                         b.get_members('workers'))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        self.assertTrue(func_base.wait_for(
            lambda: child_id not in b.get_members('workers'), WAIT,
            interval=0.2))
        self.assertEqual([b.member_id], list(b.get_members('workers')))

    # -- leader election ---------------------------------------------------

    def test_one_leader_then_takeover_on_stop(self):
        a, b = self._member(), self._member()
        events = []
        ea = a.leader_election('galera', interval=INTERVAL,
                               on_elected=lambda: events.append('a+'),
                               on_lost=lambda: events.append('a-'))
        eb = b.leader_election('galera', interval=INTERVAL,
                               on_elected=lambda: events.append('b+'),
                               on_lost=lambda: events.append('b-'))
        self.assertTrue(func_base.wait_for(
            lambda: ea.is_leader or eb.is_leader, WAIT))
        # Several rounds later there is still exactly one leader.
        for _ in range(10):
            time.sleep(INTERVAL)
            self.assertEqual(1, [ea.is_leader, eb.is_leader].count(True))
        leader, standby = (ea, eb) if ea.is_leader else (eb, ea)
        leader.stop()
        self.assertFalse(leader.is_leader)
        self.assertTrue(standby.elected.wait(WAIT))
        first = 'a' if leader is ea else 'b'
        second = 'b' if first == 'a' else 'a'
        self.assertEqual([first + '+', first + '-', second + '+'], events)

    def test_takeover_when_heartbeat_stops(self):
        a, b = self._member(), self._member()
        lost = threading.Event()
        ea = a.leader_election('galera', interval=INTERVAL,
                               on_lost=lost.set)
        self.assertTrue(ea.elected.wait(WAIT))
        eb = b.leader_election('galera', interval=INTERVAL)
        # a hangs: its heartbeat stops, so its lock lease runs out.
        a._stop.set()
        a._heart.join(10)
        self.assertTrue(eb.elected.wait(WAIT))
        # a notices that the lock is no longer its own.
        self.assertTrue(lost.wait(WAIT))
        self.assertFalse(ea.is_leader)
        self.assertTrue(eb.is_leader)

    def test_takeover_when_leader_is_killed(self):
        proc, _ = self._child()
        b = self._member()
        eb = b.leader_election('galera', interval=INTERVAL)
        self.assertFalse(eb.elected.wait(INTERVAL * 5))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        self.assertTrue(eb.elected.wait(WAIT))
