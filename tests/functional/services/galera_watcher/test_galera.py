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

"""A real 3-node Galera cluster, etcd, HAProxy and two watchers.

One cluster serves every scenario of the class (it costs about 15 s to
build); each test starts by waiting until the cluster is healthy (STEADY,
3 live nodes, one leader, HAProxy on it) and leaves it healthy. Data is
always checked through HAProxy, and on every node.
"""

import json
import os
import re
import signal
import threading
import time

import fixtures
import pymysql
from testtools import content

from tests.functional import base
from tests.functional.services.galera_watcher import cluster as gcluster
from trellis.common import context as trellis_context
from trellis.services.galera_watcher import rpcapi

SCHEMA = ('CREATE DATABASE IF NOT EXISTS galtest',
          'CREATE TABLE IF NOT EXISTS galtest.t (id INT AUTO_INCREMENT '
          'PRIMARY KEY, v VARCHAR(64))')


class GaleraClusterFixture(fixtures.Fixture):
    """Builds the cluster and HAProxy; always cleans every process up."""

    def __init__(self, etcd_fixture, spares: int = 1) -> None:
        super().__init__()
        self.etcd = etcd_fixture
        self.spares = spares

    def _setUp(self) -> None:
        self.cluster = gcluster.GaleraCluster(self.etcd.url,
                                              self.etcd.prefix)
        self.addCleanup(self.cluster.cleanup)
        # A misconfigured node (gcomm:// alone: its own cluster) that is a
        # server of the HAProxy backend: it must never get traffic.
        self.rogue = self.cluster.add_spare(gcomm='')
        self.cluster.start_haproxy(extra_nodes=[self.rogue])
        for node in self.cluster.nodes:
            node.start()


class Writer(threading.Thread):
    """Inserts rows through HAProxy until stopped; records what committed."""

    def __init__(self, cluster: gcluster.GaleraCluster, tag: str) -> None:
        super().__init__(daemon=True, name='writer-%s' % tag)
        self.cluster = cluster
        self.tag = tag
        self.committed: list[int] = []
        self.failures = 0
        self.first_ok_after: dict[float, float] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        conn = None
        n = 0
        while not self._stop_event.is_set():
            try:
                if conn is None:
                    conn = self.cluster.connect()
                with conn.cursor() as cur:
                    n += 1
                    cur.execute('INSERT INTO galtest.t (v) VALUES (%s)',
                                ('%s-%d' % (self.tag, n),))
                    self.committed.append(cur.lastrowid)
            except Exception:
                self.failures += 1
                if conn is not None:
                    try:
                        conn.close()
                    except Exception:
                        pass
                conn = None
                time.sleep(0.05)
            time.sleep(0.02)
        if conn is not None:
            conn.close()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(30)




class TestGaleraWatcher(base.ServiceTestCase):
    """Scenarios 1-6 of the Galera watcher issue on one shared cluster."""

    timeout = 300

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        try:
            cls.gfix = cls._use_class_fixture(
                GaleraClusterFixture(cls.etcd_fixture))
            cls.cluster = cls.gfix.cluster
            config = {'galera': cls.cluster.galera_options(),
                      'coordination': {'lock_ttl': 3,
                                       'heartbeat_interval': 0.5}}
            cls.watchers = [
                cls._use_class_fixture(cls.make_service_fixture(
                    'galera_watcher', config=config,
                    host='watcher-%s' % x)) for x in ('a', 'b')]
        except BaseException:
            cls._cleanup_class_fixtures()
            raise

    def setUp(self) -> None:
        super().setUp()
        for watcher in self.watchers:
            self._attach_logs(watcher)
        for node in self.cluster.all_nodes():
            self.addDetail('%s-log' % node.name,
                           base.FileContent(node.log_file))
        self.keys_base = 'galera/%s/' % self.cluster.name
        self.leader = self.wait_healthy()
        self.ensure_schema()

    # -- helpers -----------------------------------------------------------

    def get(self, name: str) -> str | None:
        return self.etcd_client.get(self.keys_base + name)

    def live_nodes(self) -> set[str]:
        prefix = self.keys_base + 'nodes/'
        return {k[len(prefix):]
                for k in self.etcd_client.get_prefix(prefix)}

    def node_by_addr(self, addr: str) -> gcluster.GaleraNode:
        for node in self.cluster.all_nodes():
            if node.addr == addr:
                return node
        self.fail('no node %s' % addr)

    def healthy(self) -> str | None:
        """The leader if the cluster is healthy, else None."""
        addrs = {n.addr for n in self.cluster.nodes}
        if self.get('state') != 'STEADY' or self.live_nodes() != addrs:
            return None
        leader = self.get('leader')
        if leader not in addrs:
            return None
        routes = self.cluster.haproxy_servers()
        expected = {a: 'maint' for a in routes}
        expected[leader] = 'ready'
        if routes != expected:
            return None
        for node in self.cluster.nodes:
            status = node.status()
            if (status.get('wsrep_local_state_comment') != 'Synced'
                    or status.get('wsrep_cluster_size') != '3'):
                return None
        return leader

    def wait_healthy(self, timeout: float = 120) -> str:
        return gcluster.wait_for(self.healthy, timeout, 0.3,
                                 'healthy cluster')

    def ensure_schema(self) -> None:
        conn = self.cluster.connect()
        try:
            with conn.cursor() as cur:
                for sql in SCHEMA:
                    cur.execute(sql)
        finally:
            conn.close()

    def write(self, count: int, tag: str) -> list[int]:
        ids = []
        conn = self.cluster.connect()
        try:
            with conn.cursor() as cur:
                for i in range(count):
                    cur.execute('INSERT INTO galtest.t (v) VALUES (%s)',
                                ('%s-%d' % (tag, i),))
                    ids.append(cur.lastrowid)
        finally:
            conn.close()
        return ids

    def ids(self, conn: pymysql.connections.Connection) -> set[int]:
        try:
            with conn.cursor() as cur:
                cur.execute('SELECT id FROM galtest.t')
                return {row[0] for row in cur.fetchall()}
        finally:
            conn.close()

    def assert_rows_everywhere(self, expected: set[int]) -> None:
        """Every id is readable through HAProxy and on every node."""
        through_proxy = self.ids(self.cluster.connect())
        self.assertEqual(set(), expected - through_proxy,
                         'rows missing through HAProxy')
        for node in self.cluster.nodes:
            # Galera applies asynchronously on the other nodes.
            gcluster.wait_for(
                lambda n=node: expected <= self.ids(n.connect()), 10,
                what='rows on %s' % node.name)

    def proxy_port(self) -> int:
        conn = self.cluster.connect()
        try:
            with conn.cursor() as cur:
                cur.execute('SELECT @@port')
                return cur.fetchone()[0]
        finally:
            conn.close()

    def record_decisions(self) -> list[str]:
        """Collect every decision written to etcd from now on."""
        decisions: list[str] = []

        def _on_event(event: dict) -> None:
            if event['value']:
                decisions.append(json.loads(event['value'])['decision'])

        watch = self.etcd_client.watch(self.keys_base + 'decision',
                                       _on_event)
        self.addCleanup(watch.cancel)
        return decisions

    def record_states(self) -> list[str]:
        states: list[str] = []
        watch = self.etcd_client.watch(
            self.keys_base + 'state',
            lambda event: states.append(event['value']))
        self.addCleanup(watch.cancel)
        return states

    def power_cut(self, nodes: list[gcluster.GaleraNode]) -> None:
        for node in nodes:
            node.kill()

    def wait_leases_gone(self, nodes: list[gcluster.GaleraNode]) -> None:
        gone = {n.addr for n in nodes}
        gcluster.wait_for(lambda: not (self.live_nodes() & gone), 15,
                          what='dead nodes out of nodes/')

    # -- scenarios -----------------------------------------------------------

    def test_1_initial_bootstrap(self):
        # setUpClass started three empty datadirs; setUp waited for health.
        uuid = self.get('uuid')
        self.assertRegex(uuid, r'^[0-9a-f-]{36}$')
        for node in self.cluster.nodes:
            status = node.status()
            self.assertEqual('3', status['wsrep_cluster_size'])
            self.assertEqual(uuid, status['wsrep_cluster_state_uuid'])
            self.assertEqual('Primary', status['wsrep_cluster_status'])
        routes = self.cluster.haproxy_servers()
        self.assertEqual([self.leader],
                         [a for a, s in routes.items() if s == 'ready'])
        leader_port = self.node_by_addr(self.leader).port
        for _ in range(5):
            self.assertEqual(leader_port, self.proxy_port())
        self.assert_rows_everywhere(set(self.write(5, 'bootstrap')))
        # Operators see the same through trellis-manage (RPC to a watcher).
        result = self.manage('galera', 'status', self.cluster.name,
                             '-f', 'json', '--timeout', '20')
        self.assertEqual(0, result.returncode, result.stderr)
        rows = json.loads(result.stdout[result.stdout.index('['):])
        self.assertEqual(sorted(n.addr for n in self.cluster.nodes),
                         sorted(r['Address'] for r in rows
                                if r['Ready']))
        self.assertEqual([self.leader],
                         [r['Address'] for r in rows if r['Leader']])
        self.assertIn('state STEADY, uuid %s' % uuid, result.stdout)
        result = self.manage('galera', 'leader', self.cluster.name,
                             '-f', 'json', '--timeout', '20')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(self.leader, json.loads(result.stdout)['Leader'])

    def test_2_leader_killed_under_load(self):
        notifications = self.listen_notifications()
        writer = Writer(self.cluster, 'failover')
        writer.start()
        self.addCleanup(writer.stop)
        gcluster.wait_for(lambda: len(writer.committed) >= 20, 20,
                          what='writes before the kill')
        old = self.node_by_addr(self.leader)
        self.assertTrue(old.kill_mysqld())
        before = len(writer.committed)
        new_leader = gcluster.wait_for(
            lambda: (self.get('leader') not in (None, old.addr)
                     and self.get('leader')), 30, what='a new leader')
        gcluster.wait_for(lambda: len(writer.committed) > before + 10, 30,
                          what='writes through HAProxy after the kill')
        self.assertEqual(self.node_by_addr(new_leader).port,
                         self.proxy_port())
        gcluster.wait_for(
            lambda: notifications.find('trellis.galera.leader.changed',
                                       new=new_leader),
            20, what='leader change notification')
        # The supervisor restarted the killed node; it rejoins.
        self.wait_healthy()
        self.assertIn(old.addr, self.live_nodes())
        writer.stop()
        self.assert_rows_everywhere(set(writer.committed))

    def test_3_full_outage_recovers_from_highest_seqno(self):
        decisions = self.record_decisions()
        states = self.record_states()
        committed = set(self.write(5, 'before-outage'))
        others = [n for n in self.cluster.nodes if n.addr != self.leader]
        first, last = others[0], [n for n in self.cluster.nodes
                                  if n is not others[0]]
        # The first node dies early and misses the rows written after.
        self.power_cut([first])
        gcluster.wait_for(lambda: self.write(1, 'probe'), 20, 0.5,
                          'writable after the first loss')
        committed |= set(self.write(10, 'after-first-loss'))
        committed |= set(self.ids(self.cluster.connect()))
        self.power_cut(last)
        self.wait_leases_gone(self.cluster.nodes)
        started = time.monotonic()
        for node in self.cluster.nodes:
            node.start()
        self.wait_healthy()
        elapsed = time.monotonic() - started
        self.assertIn('RECOVERY', states)
        chosen = [d for d in decisions
                  if d.startswith('bootstrap the recovered cluster from')]
        self.assertEqual(1, len(chosen), decisions)
        bootstrapper = re.search(r'from (\S+) ', chosen[0]).group(1)
        self.assertIn(bootstrapper, [n.addr for n in last])
        seqnos = dict(re.findall(r'(127\.0\.0\.1:\d+)=(-?\d+)', chosen[0]))
        self.assertLess(int(seqnos[first.addr]),
                        int(seqnos[bootstrapper]))
        self.assert_rows_everywhere(committed)
        self.addDetail('recovery-seconds',
                       content.text_content('%.1f' % elapsed))

    def test_4_force_bootstrap_of_a_chosen_node(self):
        decisions = self.record_decisions()
        kept = set(self.write(5, 'kept'))
        kept |= set(self.ids(self.cluster.connect()))
        forced = [n for n in self.cluster.nodes if n.addr != self.leader][0]
        rest = [n for n in self.cluster.nodes if n is not forced]
        self.power_cut([forced])
        gcluster.wait_for(lambda: self.write(1, 'probe'), 20, 0.5,
                          'writable after the first loss')
        self.write(5, 'lost')
        self.power_cut(rest)
        self.wait_leases_gone(self.cluster.nodes)
        # The operator forces the node with the older data (RPC).
        self.use_rpc()
        answer = rpcapi.GaleraWatcherAPI().recover(
            trellis_context.get_admin_context(), self.cluster.name,
            force_node=forced.addr, timeout=20)
        self.assertEqual('RECOVERY', answer['state'])
        for node in self.cluster.nodes:
            node.start()
        self.wait_healthy(180)
        self.assertIn('bootstrap the recovered cluster from %s (forced '
                      'bootstrap of %s)' % (forced.addr, forced.addr),
                      decisions)
        self.assertIsNone(self.get('force_bootstrap'))
        rows = self.ids(self.cluster.connect())
        self.assertEqual(set(), kept - rows)
        self.assertEqual(len(kept), len(rows),
                         'rows written after the forced node died must be '
                         'gone: the cluster was rebuilt from its data')
        self.assert_rows_everywhere(kept)
        # The nodes whose data diverged kept it aside (never deleted).
        for node in rest:
            self.assertTrue([d for d in os.listdir(node.dir)
                             if d.startswith('data.diverged-')], node.name)

    def test_5_split_brain_node_is_fenced(self):
        rogue = self.gfix.rogue
        notifications = self.listen_notifications()
        self.addCleanup(self.etcd_client.delete,
                        self.keys_base + 'fenced/' + rogue.addr)
        self.addCleanup(rogue.stop)
        seen_routes: list[dict] = []
        stop = threading.Event()

        def _sample() -> None:
            while not stop.is_set():
                seen_routes.append(self.cluster.haproxy_servers())
                time.sleep(0.05)

        sampler = threading.Thread(target=_sample, daemon=True)
        sampler.start()
        self.addCleanup(stop.set)
        rogue.start()
        record = gcluster.wait_for(
            lambda: self.get('fenced/' + rogue.addr), 60,
            what='rogue node fenced')
        self.assertIn('split brain', json.loads(record)['reason'])
        gcluster.wait_for(lambda: not rogue.mysqld_pids(), 30,
                          what='rogue mariadbd stopped')
        stop.set()
        sampler.join(5)
        self.assertTrue(seen_routes)
        self.assertEqual([], [r for r in seen_routes
                              if r.get(rogue.addr) != 'maint'])
        self.assertNotIn(rogue.addr, self.live_nodes())
        self.assertEqual(self.leader, self.get('leader'))
        for _ in range(5):
            self.assertNotEqual(rogue.port, self.proxy_port())
        self.assert_rows_everywhere(set(self.write(3, 'after-fence')))
        # Data is never deleted: the rogue datadir is still there.
        self.assertTrue(rogue.mysqld_pids() == [])
        members = json.loads(self.get('members/' + rogue.addr))
        self.assertEqual('fenced', members['phase'])
        self.assertEqual('warning', gcluster.wait_for(
            lambda: notifications.find('trellis.galera.node.fenced',
                                       node=rogue.addr), 20,
            what='fence notification')['priority'])
        # SIGTERM: the supervisor deregisters (its keys go at once).
        rogue.stop()
        self.assertIsNone(self.get('members/' + rogue.addr))

    def test_6_active_watcher_killed_standby_takes_over(self):
        active_host = self.get('watcher')
        active = [w for w in self.watchers if w.host == active_host][0]
        standby = [w for w in self.watchers if w is not active][0]
        writer = Writer(self.cluster, 'watcher-failover')
        writer.start()
        self.addCleanup(writer.stop)
        gcluster.wait_for(lambda: len(writer.committed) >= 10, 20,
                          what='writes before the kill')
        failures = writer.failures
        active.kill(signal.SIGKILL)
        self.assertTrue(active.wait_exit(10))
        gcluster.wait_for(lambda: self.get('watcher') == standby.host, 20,
                          what='standby watcher active')
        active.start()
        count = len(writer.committed)
        gcluster.wait_for(lambda: len(writer.committed) > count + 10, 20,
                          what='writes after the takeover')
        # No write failed: HAProxy kept its routing meanwhile.
        self.assertEqual(failures, writer.failures)
        # The new active watcher acts: a leader failure is handled.
        old = self.node_by_addr(self.get('leader'))
        old.kill_mysqld()
        gcluster.wait_for(lambda: self.get('leader') not in (None, old.addr),
                          30, what='new leader from the new watcher')
        self.wait_healthy()
        self.assertEqual(standby.host, self.get('watcher'))
        writer.stop()
        self.assertGreater(len(writer.committed), 10)
        self.assert_rows_everywhere(set(writer.committed))
