#!/usr/bin/env python3
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

"""Galera failover and full-outage recovery times, on real servers.

A 3-node MariaDB 10.11 + Galera 4 cluster on loopback (one
``trellis-galera-node`` supervisor per node), HAProxy with an admin
socket, one ``trellis-galera-watcher`` and a private etcd (or
``--etcd-url``).

- Failover (``--runs`` times, default 10): a client writes through HAProxy
  every 10 ms; the leader's mariadbd is SIGKILLed; the figure is the time
  from the kill to the first successful write (INSERT, autocommit)
  through HAProxy. The killed node is restarted by its supervisor and
  the next run waits until the cluster is healthy again.
- Full outage (``--outages`` times, default 1): every supervisor and
  mariadbd is SIGKILLed after a few writes; the figure is the time from
  restarting the three supervisors to state STEADY with a successful
  write through HAProxy.

Usage: ``python tools/bench/galera_failover.py [--runs 10] [--outages 1]``
"""

import argparse
import os
import sys
import time

import benchutil

ROOT = os.path.dirname(benchutil.TOOLS_DIR)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.functional.services.galera_watcher import cluster as gc  # noqa: E402
from trellis.common import etcd  # noqa: E402


class Bench:

    def __init__(self, cluster: gc.GaleraCluster,
                 client: etcd.EtcdClient) -> None:
        self.cluster = cluster
        self.client = client
        self.base = 'galera/%s/' % cluster.name

    def get(self, name: str) -> str | None:
        return self.client.get(self.base + name)

    def healthy(self) -> str | None:
        nodes = self.client.get_prefix(self.base + 'nodes/')
        leader = self.get('leader')
        if (self.get('state') != 'STEADY' or len(nodes) != 3
                or leader is None):
            return None
        routes = self.cluster.haproxy_servers()
        if routes.get(leader) != 'ready' or list(routes.values()).count(
                'ready') != 1:
            return None
        # Every node Synced (no state transfer still running).
        for node in self.cluster.nodes:
            try:
                status = node.status()
            except Exception:
                return None
            if (status.get('wsrep_local_state_comment') != 'Synced'
                    or status.get('wsrep_cluster_size') != '3'):
                return None
        return leader if self.write_once(2.0) else None

    def write_once(self, timeout: float) -> bool:
        """One INSERT through HAProxy; True if it committed."""
        try:
            conn = self.cluster.connect()
        except Exception:
            return False
        try:
            with conn.cursor() as cur:
                cur.execute('INSERT INTO bench.t (v) VALUES (1)')
            return True
        except Exception:
            return False
        finally:
            try:
                conn.close()
            except Exception:
                pass

    def setup_schema(self) -> None:
        conn = self.cluster.connect()
        with conn.cursor() as cur:
            cur.execute('CREATE DATABASE IF NOT EXISTS bench')
            cur.execute('CREATE TABLE IF NOT EXISTS bench.t (id INT '
                        'AUTO_INCREMENT PRIMARY KEY, v INT)')
        conn.close()

    def first_write_after(self, started: float, old: str,
                          limit: float = 60) -> float:
        self.switched = None
        while time.monotonic() - started < limit:
            if self.write_once(1.0):
                return time.monotonic() - started
            if self.switched is None and self.get('leader') not in (None,
                                                                    old):
                self.switched = time.monotonic() - started
            time.sleep(0.01)
        raise benchutil.BenchError('no write through HAProxy within %ss'
                                   % limit)

    def failover(self) -> tuple[float, str, str]:
        leader = gc.wait_for(self.healthy, 120, 0.3, 'healthy cluster')
        node = [n for n in self.cluster.nodes if n.addr == leader][0]
        # A steady write load before the kill.
        for _ in range(20):
            self.write_once(1.0)
        started = time.monotonic()
        node.kill_mysqld()
        elapsed = self.first_write_after(started, leader)
        return elapsed, leader, self.get('leader') or '-'

    def outage(self) -> float:
        gc.wait_for(self.healthy, 120, 0.3, 'healthy cluster')
        for _ in range(20):
            self.write_once(1.0)
        for node in self.cluster.nodes:
            node.kill()
        gc.wait_for(lambda: not self.client.get_prefix(self.base + 'nodes/'),
                    30, what='leases of the killed nodes expired')
        started = time.monotonic()
        for node in self.cluster.nodes:
            node.start()
        gc.wait_for(lambda: self.get('state') == 'STEADY'
                    and self.write_once(1.0), 180, 0.1,
                    'STEADY and writable')
        return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    benchutil.add_backend_args(parser)
    parser.add_argument('--runs', type=int, default=10,
                        help='Leader kills (default 10).')
    parser.add_argument('--outages', type=int, default=1,
                        help='Full outages (default 1).')
    args = parser.parse_args()
    benchutil.install_sigterm_handler()
    print('# %s' % benchutil.machine_note())
    with benchutil.Backends(args, need_rabbit=False) as backends, \
            benchutil.processes() as procs:
        os.chmod(backends.base_dir, 0o755)   # mariadbd runs as mysql
        prefix = '/bench-galera-%s' % benchutil.unique_suffix()
        client = etcd.EtcdClient(backends.etcd_url, prefix=prefix)
        cluster = gc.GaleraCluster(backends.etcd_url, prefix,
                                   base_dir=os.path.join(backends.base_dir,
                                                         'galera'))
        try:
            cluster.start_haproxy()
            started = time.monotonic()
            for node in cluster.nodes:
                node.start()
            conf = os.path.join(backends.base_dir, 'watcher.conf')
            cluster.write_trellis_conf(
                conf, os.path.join(backends.base_dir, 'watcher.log'), {},
                host='bench-watcher', transport_url='fake://')
            procs.append(benchutil.ServiceProcess(
                [benchutil.console_script('trellis-galera-watcher'),
                 '--config-file', conf],
                os.path.join(backends.base_dir, 'watcher.out')).start())
            bench = Bench(cluster, client)
            gc.wait_for(lambda: bench.get('state') == 'STEADY', 120, 0.2,
                        'initial bootstrap')
            gc.wait_for(lambda: bench.get('leader'), 30, 0.1, 'a leader')
            bench.setup_schema()
            print('# initial bootstrap from empty datadirs: %.1fs'
                  % (time.monotonic() - started), flush=True)
            failovers = []
            for run in range(args.runs):
                elapsed, old, new = bench.failover()
                failovers.append(elapsed)
                switched = ('%.3fs' % bench.switched
                            if bench.switched is not None
                            else 'before the first failed write')
                print('failover %d: %.3fs (%s -> %s; leader key changed '
                      'after %s)' % (run + 1, elapsed, old, new, switched),
                      flush=True)
            outages = []
            for run in range(args.outages):
                elapsed = bench.outage()
                outages.append(elapsed)
                print('full outage %d: STEADY and writable %.1fs after the '
                      'restart' % (run + 1, elapsed), flush=True)
            if failovers:
                s = benchutil.summarize(failovers)
                print('FAILOVER kill -9 leader -> first write via HAProxy: '
                      'n=%d median=%.3fs max=%.3fs mean=%.3fs'
                      % (s['n'], s['median'], s['max'], s['mean']))
            if outages:
                s = benchutil.summarize(outages)
                print('FULL OUTAGE restart -> STEADY+writable: n=%d '
                      'median=%.1fs max=%.1fs' % (s['n'], s['median'],
                                                  s['max']))
        finally:
            for proc in procs:
                proc.stop()
            cluster.cleanup()
            client.delete_prefix('')
    return 0


if __name__ == '__main__':
    sys.exit(main())
