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

"""A real Galera cluster on loopback for functional tests and benchmarks.

Each node is a ``trellis-galera-node`` supervisor (its own process group)
that starts mariadbd (MariaDB 10.11 + Galera 4, user ``mysql``, one
datadir, free ports). ``HAProxy`` is a real haproxy with an admin socket
whose backend lists every node in maintenance; the watcher routes it.

Nothing is left behind: ``cleanup()`` stops the supervisors (SIGTERM,
then SIGKILL), SIGKILLs any mariadbd still running with one of this
cluster's defaults files (unique temporary paths) and haproxy.

Used by the tests and by ``tools/bench/galera_failover.py``; needs only
the standard library, PyMySQL and ``tools/servers.py`` (free ports).
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import pymysql

from tests.functional import base as func_base

_TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      *([os.pardir] * 4), 'tools')
if _TOOLS not in sys.path:
    sys.path.insert(0, _TOOLS)

import servers  # noqa: E402  (tools/servers.py)

PASSWORD = 'galera-test-secret'
USER = 'trellis'
# Fast failure detection on loopback: a dead node leaves the component
# after about 1 s instead of 5-6 s (Galera's defaults are for WANs).
PROVIDER_OPTIONS = (
    'evs.keepalive_period=PT0.2S;evs.suspect_timeout=PT1S;'
    'evs.inactive_timeout=PT2S;evs.inactive_check_period=PT0.3S;'
    'evs.install_timeout=PT2S;pc.wait_prim_timeout=PT15S;'
    'gcache.size=32M')


def _script(name: str) -> str:
    path = os.path.join(os.path.dirname(sys.executable), name)
    return path if os.path.exists(path) else (shutil.which(name) or name)


def _procs_with(text: str) -> list[int]:
    """Pids of live processes whose command line contains ``text``."""
    found = []
    needle = text.encode()
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                cmdline = f.read()
            with open('/proc/%s/stat' % entry) as f:
                stat = f.read()
        except OSError:
            continue
        if needle in cmdline and stat[stat.rfind(')') + 2:][:1] != 'Z':
            found.append(int(entry))
    return found


def wait_for(predicate, timeout: float, interval: float = 0.2,
             what: str = 'condition'):
    """``base.wait_for``, a node that is down being "not yet"."""
    return func_base.wait_for(predicate, timeout, interval, what,
                              errors=(Exception,))


class GaleraNode:
    """One mariadbd and its trellis-galera-node supervisor."""

    def __init__(self, cluster: 'GaleraCluster', index: int,
                 gcomm: str | None = None) -> None:
        self.cluster = cluster
        self.name = 'n%d' % index
        self.dir = os.path.join(cluster.base_dir, self.name)
        os.makedirs(os.path.join(self.dir, 'data'), exist_ok=True)
        os.makedirs(os.path.join(self.dir, 'tmp'), exist_ok=True)
        self.port = servers.free_port()
        self.gcomm_port = servers.free_port()
        self.ist_port = servers.free_port()
        self.sst_port = servers.free_port()
        self.addr = '127.0.0.1:%d' % self.port
        self.my_cnf = os.path.join(self.dir, 'my.cnf')
        self.conf_file = os.path.join(self.dir, 'trellis.conf')
        self.log_file = os.path.join(self.dir, 'node.log')
        self.output_file = os.path.join(self.dir, 'output.txt')
        self.gcomm = gcomm
        self.process: subprocess.Popen | None = None

    def write_config(self, peers: list['GaleraNode']) -> None:
        gcomm = self.gcomm if self.gcomm is not None else ','.join(
            '127.0.0.1:%d' % p.gcomm_port for p in peers)
        with open(self.my_cnf, 'w') as f:
            f.write('\n'.join([
                '[mysqld]',
                'user=mysql',
                'datadir=%s/data' % self.dir,
                'socket=%s/mysqld.sock' % self.dir,
                'pid-file=%s/mysqld.pid' % self.dir,
                'log-error=%s/mysqld.log' % self.dir,
                'tmpdir=%s/tmp' % self.dir,
                'port=%d' % self.port,
                'bind-address=127.0.0.1',
                'skip-name-resolve',
                'binlog_format=ROW',
                'default_storage_engine=InnoDB',
                'innodb_autoinc_lock_mode=2',
                'innodb_buffer_pool_size=32M',
                'innodb_log_file_size=16M',
                'innodb_flush_log_at_trx_commit=1',
                'performance_schema=OFF',
                'wsrep_on=ON',
                'wsrep_provider=/usr/lib/galera/libgalera_smm.so',
                'wsrep_cluster_name=%s' % self.cluster.name,
                'wsrep_cluster_address=gcomm://%s' % gcomm,
                'wsrep_node_address=127.0.0.1:%d' % self.gcomm_port,
                'wsrep_node_name=%s' % self.name,
                'wsrep_provider_options="gmcast.listen_addr=tcp://'
                '127.0.0.1:%d;ist.recv_addr=127.0.0.1:%d;%s"'
                % (self.gcomm_port, self.ist_port, PROVIDER_OPTIONS),
                'wsrep_sst_method=rsync',
                'wsrep_sst_receive_address=127.0.0.1:%d' % self.sst_port,
                '']))
        self.cluster.write_trellis_conf(self.conf_file, self.log_file, {
            'defaults_file': self.my_cnf, 'node_address': self.addr},
            host=self.name)
        subprocess.run(['chown', '-R', 'mysql:mysql', self.dir], check=True)

    # -- supervisor ------------------------------------------------------

    def start(self) -> None:
        if self.running():
            raise RuntimeError('%s is already running' % self.name)
        with open(self.output_file, 'ab') as out:
            self.process = subprocess.Popen(
                [_script('trellis-galera-node'), '--config-file',
                 self.conf_file], stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
                close_fds=True)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def mysqld_pids(self) -> list[int]:
        return _procs_with('--defaults-file=%s' % self.my_cnf)

    def kill_mysqld(self) -> list[int]:
        """SIGKILL mariadbd only; the supervisor restarts it."""
        pids = self.mysqld_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids

    def kill(self) -> None:
        """Power cut: SIGKILL the supervisor, then mariadbd."""
        if self.running():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.kill_mysqld()
        wait_for(lambda: not self.mysqld_pids(), 10,
                 what='%s mariadbd gone' % self.name)

    def stop(self, timeout: float = 40) -> None:
        """SIGTERM the supervisor (clean stop); SIGKILL what is left."""
        if self.running():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.kill_mysqld()

    def connect(self, **kwargs) -> pymysql.connections.Connection:
        return pymysql.connect(host='127.0.0.1', port=self.port, user=USER,
                               password=PASSWORD, connect_timeout=2,
                               read_timeout=10, write_timeout=10,
                               autocommit=True, **kwargs)

    def status(self) -> dict:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW GLOBAL STATUS LIKE 'wsrep_%'")
                return dict(cur.fetchall())
        finally:
            conn.close()


class GaleraCluster:
    """Nodes, HAProxy and the configuration the watcher needs."""

    def __init__(self, etcd_url: str, etcd_prefix: str, size: int = 3,
                 base_dir: str | None = None,
                 extra: dict | None = None) -> None:
        self.base_dir = base_dir or tempfile.mkdtemp(prefix='trellis-galera-')
        os.makedirs(self.base_dir, exist_ok=True)
        os.chmod(self.base_dir, 0o755)   # mariadbd runs as mysql
        self.name = 'c%s' % os.path.basename(self.base_dir)[-8:].replace(
            '_', 'x').replace('-', 'x')
        self.etcd_url = etcd_url
        self.etcd_prefix = etcd_prefix
        self.size = size
        self.extra = extra or {}
        self.haproxy_port = servers.free_port()
        self.haproxy_socket = os.path.join(self.base_dir, 'haproxy.sock')
        self.haproxy: subprocess.Popen | None = None
        self.nodes = [GaleraNode(self, i + 1) for i in range(size)]
        for node in self.nodes:
            node.write_config(self.nodes)
        self.spares: list[GaleraNode] = []

    def galera_options(self) -> dict:
        options = {'cluster': self.name, 'cluster_size': self.size,
                   'user': USER, 'password': PASSWORD,
                   'poll_interval': 0.3, 'lease_ttl': 3,
                   'connect_timeout': 1.0, 'query_timeout': 2,
                   'restart_grace': 20, 'stop_timeout': 30,
                   'haproxy_sockets': self.haproxy_socket,
                   'haproxy_backend': 'galera'}
        options.update(self.extra)
        return options

    def write_trellis_conf(self, path: str, log_file: str, galera: dict,
                           host: str, transport_url: str | None = None
                           ) -> None:
        options = dict(self.galera_options(), **galera)
        lines = ['[DEFAULT]', 'host = %s' % host, 'debug = true',
                 'log_file = %s' % log_file]
        if transport_url:
            lines.append('transport_url = %s' % transport_url)
        lines += ['',
                 '[etcd]', 'url = %s' % self.etcd_url,
                 'prefix = %s' % self.etcd_prefix, '', '[galera]']
        lines += ['%s = %s' % item for item in options.items()]
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def add_spare(self, gcomm: str) -> GaleraNode:
        """A node outside the HAProxy backend's normal members.

        ``gcomm=''`` makes a misconfigured node that forms its own
        cluster (another uuid): the split-brain case.
        """
        node = GaleraNode(self, len(self.nodes) + len(self.spares) + 1,
                          gcomm=gcomm)
        node.write_config(self.nodes)
        self.spares.append(node)
        return node

    # -- HAProxy ---------------------------------------------------------

    def start_haproxy(self, extra_nodes: list[GaleraNode] = ()) -> None:
        cfg = os.path.join(self.base_dir, 'haproxy.cfg')
        lines = ['global',
                 '    stats socket %s mode 600 level admin'
                 % self.haproxy_socket,
                 '    maxconn 512',
                 'defaults',
                 '    mode tcp',
                 '    timeout connect 1s',
                 '    timeout client 60s',
                 '    timeout server 60s',
                 'listen galera',
                 '    bind 127.0.0.1:%d' % self.haproxy_port,
                 '    balance first']
        for node in list(self.nodes) + list(extra_nodes):
            lines.append('    server %s %s disabled' % (node.name, node.addr))
        with open(cfg, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        with open(os.path.join(self.base_dir, 'haproxy.out'), 'ab') as out:
            self.haproxy = subprocess.Popen(
                ['haproxy', '-db', '-f', cfg], stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        wait_for(lambda: os.path.exists(self.haproxy_socket), 10,
                 what='haproxy admin socket')

    def haproxy_servers(self) -> dict[str, str]:
        """``{addr: 'ready'|'maint'}`` from the admin socket."""
        from trellis.services.galera_watcher import haproxy
        admin = haproxy.HAProxyAdmin(self.haproxy_socket)
        return {s.addr: 'maint' if s.in_maint else 'ready'
                for s in admin.servers('galera')}

    def connect(self, **kwargs) -> pymysql.connections.Connection:
        """A connection through HAProxy (to the leader)."""
        return pymysql.connect(host='127.0.0.1', port=self.haproxy_port,
                               user=USER, password=PASSWORD,
                               connect_timeout=2, read_timeout=10,
                               write_timeout=10, autocommit=True, **kwargs)

    # -- life cycle ------------------------------------------------------

    def all_nodes(self) -> list[GaleraNode]:
        return list(self.nodes) + list(self.spares)

    def cleanup(self) -> None:
        for node in self.all_nodes():
            with contextlib.suppress(Exception):
                node.stop(timeout=30)
        for pid in _procs_with(self.base_dir):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.haproxy is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.haproxy.pid, signal.SIGKILL)
            self.haproxy.wait(10)
        with contextlib.suppress(Exception):
            wait_for(lambda: not _procs_with(self.base_dir), 10,
                     what='no process left in %s' % self.base_dir)
        if not os.environ.get('TRELLIS_KEEP_GALERA'):
            shutil.rmtree(self.base_dir, ignore_errors=True)
