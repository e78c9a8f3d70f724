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

"""Start and stop private etcd, RabbitMQ and MariaDB servers.

Tests, CI and the development control plane need real servers, and
several copies of them run at once on one machine. Each server started
here lives entirely under one base folder, listens on loopback on ports
the kernel says are free, and is started and stopped by PID (there is no
systemd). A JSON state file in the base folder lets another process find
and stop the servers (``load``/``stop_all``).

Standard library only: importable with ``sys.path.insert(0, 'tools')``
before any dependency is installed, and runnable as a command::

    python3 tools/servers.py start etcd rabbitmq mariadb --base-dir DIR
    python3 tools/servers.py status --base-dir DIR
    python3 tools/servers.py stop --base-dir DIR
"""

import argparse
import contextlib
import dataclasses
import fcntl
import json
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from urllib import parse
from urllib import request

STATE_FILE = 'servers.json'
START_TIMEOUT = 90.0
RABBIT_BIN = '/usr/lib/rabbitmq/bin'
EPMD = shutil.which('epmd') or '/usr/bin/epmd'
# How many times a start is retried with new ports when a port chosen as
# free was taken by someone else before the server bound it.
PORT_ATTEMPTS = 3

# Popen objects of servers started by this process, so stop() reaps them.
_CHILDREN: dict[int, subprocess.Popen] = {}


class ServerError(Exception):
    """A server could not be started or reached; names it and its log."""


@dataclasses.dataclass
class Server:
    """One running private server and how to reach and stop it."""

    name: str
    url: str
    port: int
    pid: int
    base_dir: str
    log_file: str = ''
    start_time: int = 0          # /proc start time, guards against reuse
    extra: dict = dataclasses.field(default_factory=dict)

    def alive(self) -> bool:
        """True while the server's main process runs."""
        return _alive(self.pid, self.start_time)

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the server, wait, then SIGKILL its process group.

        For RabbitMQ the private epmd started with it is stopped too.
        Stopping a server that is already gone is not an error.
        """
        _terminate(self.pid, self.start_time, timeout)
        epmd_pid = self.extra.get('epmd_pid')
        if epmd_pid:
            _terminate(epmd_pid, self.extra.get('epmd_start_time', 0),
                       timeout)


# -- processes ------------------------------------------------------------

def _proc_start_time(pid: int) -> int:
    """Start time of ``pid`` in clock ticks, 0 if it is gone or a zombie."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return 0
    fields = stat[stat.rindex(')') + 2:].split()
    if fields[0] in ('Z', 'X'):
        return 0
    return int(fields[19])


def _alive(pid: int, start_time: int = 0) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None and child.poll() is not None:
        return False
    current = _proc_start_time(pid)
    if not current:
        return False
    return not start_time or current == start_time


def _terminate(pid: int, start_time: int, timeout: float) -> None:
    if _alive(pid, start_time):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid, start_time) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid, start_time):
            # Our servers are session leaders: kill what they spawned too.
            for kill in (lambda: os.killpg(pid, signal.SIGKILL),
                         lambda: os.kill(pid, signal.SIGKILL)):
                with contextlib.suppress(ProcessLookupError,
                                         PermissionError):
                    kill()
            deadline = time.monotonic() + 5
            while _alive(pid, start_time) and time.monotonic() < deadline:
                time.sleep(0.1)
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1)


def _spawn(argv: list[str], log_file: str,
           env: dict | None = None) -> subprocess.Popen:
    """Start a server in its own session with output appended to a log."""
    with open(log_file, 'ab') as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env,
                                start_new_session=True, close_fds=True)
    _CHILDREN[proc.pid] = proc
    return proc


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(('127.0.0.1', port)) == 0


def _wait(name: str, proc: subprocess.Popen, log_file: str,
          ready, timeout: float = START_TIMEOUT) -> None:
    """Poll ``ready()`` until true; fail if the process dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError('%s exited with status %s during start; see %s'
                              % (name, proc.returncode, log_file))
        try:
            if ready():
                return
        except Exception:  # noqa: S110 - not ready yet, poll again
            pass
        time.sleep(0.2)
    raise ServerError('%s not ready after %.0f s; see %s'
                      % (name, timeout, log_file))


def _fail(proc: subprocess.Popen, exc: Exception) -> None:
    _terminate(proc.pid, 0, 10)
    raise exc


def _prepare_dir(path: str) -> str:
    path = os.path.abspath(path)
    os.makedirs(path, exist_ok=True)
    return path


def _log_tail(log_file: str, lines: int = 5) -> str:
    try:
        with open(log_file, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])
    except OSError:
        return ''


def _with_port_retries(name: str, port: int | None, start):
    """Call ``start(port)``; with a chosen port, retry on a lost race."""
    attempts = 1 if port else PORT_ATTEMPTS
    for attempt in range(attempts):
        try:
            return start(port or free_port())
        except ServerError:
            if attempt == attempts - 1:
                raise
    raise AssertionError('unreachable')


# -- state file -----------------------------------------------------------

@contextlib.contextmanager
def _locked_state(base_dir: str):
    path = os.path.join(base_dir, STATE_FILE)
    with open(os.path.join(base_dir, '.servers.lock'), 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = {}
            if os.path.exists(path):
                with open(path) as f:
                    state = json.load(f)
            yield state
            tmp = path + '.tmp'
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, 'w') as f:
                json.dump(state, f, indent=2, sort_keys=True)
            os.replace(tmp, path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _record(server: Server) -> Server:
    with _locked_state(server.base_dir) as state:
        state[server.name] = dataclasses.asdict(server)
    return server


def load(base_dir: str) -> dict[str, Server]:
    """The servers recorded under ``base_dir``, by name (maybe none)."""
    path = os.path.join(os.path.abspath(base_dir), STATE_FILE)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        state = json.load(f)
    return {name: Server(**data) for name, data in state.items()}


def stop_all(base_dir: str, timeout: float = 15) -> list[str]:
    """Stop every server recorded under ``base_dir``; return their names."""
    base_dir = os.path.abspath(base_dir)
    if not os.path.exists(os.path.join(base_dir, STATE_FILE)):
        return []
    stopped = []
    with _locked_state(base_dir) as state:
        for name in list(state):
            Server(**state[name]).stop(timeout)
            del state[name]
            stopped.append(name)
    return stopped


# -- etcd -----------------------------------------------------------------

def start_etcd(base_dir: str, port: int | None = None) -> Server:
    """Start a single-member etcd v3 under ``base_dir/etcd``, with no data."""
    base_dir = _prepare_dir(base_dir)
    etcd_dir = _prepare_dir(os.path.join(base_dir, 'etcd'))
    log_file = os.path.join(etcd_dir, 'etcd.log')

    def start(client_port: int) -> Server:
        peer = 'http://127.0.0.1:%d' % free_port()
        url = 'http://127.0.0.1:%d' % client_port
        name = 'trellis-%s' % secrets.token_hex(4)
        data_dir = os.path.join(etcd_dir, 'data')
        shutil.rmtree(data_dir, ignore_errors=True)
        proc = _spawn([
            shutil.which('etcd') or '/usr/bin/etcd', '--name', name,
            '--data-dir', data_dir,
            '--listen-client-urls', url, '--advertise-client-urls', url,
            '--listen-peer-urls', peer,
            '--initial-advertise-peer-urls', peer,
            '--initial-cluster', '%s=%s' % (name, peer),
            '--initial-cluster-state', 'new',
            '--listen-metrics-urls', '',
        ], log_file)

        def ready() -> bool:
            with request.urlopen(url + '/health', timeout=2) as resp:
                return json.load(resp).get('health') == 'true'

        try:
            _wait('etcd', proc, log_file, ready)
        except ServerError as exc:
            _fail(proc, exc)
        return Server('etcd', url, client_port, proc.pid, base_dir,
                      log_file, _proc_start_time(proc.pid),
                      {'peer_url': peer})

    return _record(_with_port_retries('etcd', port, start))


# -- RabbitMQ -------------------------------------------------------------

def _rabbit_env(server_dir: str, node: str, epmd_port: int,
                dist_port: int) -> dict[str, str]:
    ctl_min = random.randint(20000, 31900)
    return {
        'HOME': os.path.join(server_dir, 'home'),
        'RABBITMQ_NODENAME': node,
        'RABBITMQ_NODE_IP_ADDRESS': '127.0.0.1',
        'RABBITMQ_DIST_PORT': str(dist_port),
        'RABBITMQ_CTL_DIST_PORT_MIN': str(ctl_min),
        'RABBITMQ_CTL_DIST_PORT_MAX': str(ctl_min + 30),
        'RABBITMQ_MNESIA_BASE': os.path.join(server_dir, 'mnesia'),
        'RABBITMQ_LOG_BASE': os.path.join(server_dir, 'log'),
        'RABBITMQ_ENABLED_PLUGINS_FILE': os.path.join(server_dir,
                                                      'enabled_plugins'),
        'RABBITMQ_CONFIG_FILE': os.path.join(server_dir, 'rabbitmq'),
        'RABBITMQ_PID_FILE': os.path.join(server_dir, 'rabbitmq.pid'),
        'ERL_EPMD_ADDRESS': '127.0.0.1',
        'ERL_EPMD_PORT': str(epmd_port),
        'RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS':
            '-kernel inet_dist_use_interface {127,0,0,1}',
    }


def rabbitmqctl(server: Server, *args: str,
                timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``rabbitmqctl ARGS`` against ``server``; raise on failure."""
    env = dict(os.environ, **server.extra['env'])
    proc = subprocess.run([os.path.join(RABBIT_BIN, 'rabbitmqctl'),
                           '-q', *args], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    if proc.returncode:
        raise ServerError('rabbitmqctl %s failed (%d): %s; server log %s'
                          % (' '.join(args), proc.returncode,
                             (proc.stderr or proc.stdout).strip(),
                             server.log_file))
    return proc


def start_rabbitmq(base_dir: str, port: int | None = None) -> Server:
    """Start RabbitMQ (guest/guest) with a private epmd and Erlang cookie."""
    base_dir = _prepare_dir(base_dir)
    server_dir = _prepare_dir(os.path.join(base_dir, 'rabbitmq'))
    log_file = os.path.join(server_dir, 'rabbitmq.log')
    home = _prepare_dir(os.path.join(server_dir, 'home'))
    cookie = os.path.join(home, '.erlang.cookie')
    if not os.path.exists(cookie):
        fd = os.open(cookie, os.O_WRONLY | os.O_CREAT, 0o400)
        with os.fdopen(fd, 'w') as f:
            f.write(secrets.token_hex(16).upper())
    with open(os.path.join(server_dir, 'enabled_plugins'), 'w') as f:
        f.write('[].\n')
    with open(os.path.join(server_dir, 'rabbitmq.conf'), 'w') as f:
        f.write('loopback_users.guest = true\n'
                'disk_free_limit.absolute = 50MB\n')

    def start(amqp_port: int) -> Server:
        epmd_port = free_port()
        dist_port = free_port()
        node = 'trellis-%s@localhost' % secrets.token_hex(4)
        env = _rabbit_env(server_dir, node, epmd_port, dist_port)
        env['RABBITMQ_NODE_PORT'] = str(amqp_port)
        full_env = dict(os.environ, **env)
        epmd = _spawn([EPMD, '-port', str(epmd_port), '-address',
                       '127.0.0.1'], os.path.join(server_dir, 'epmd.log'),
                      full_env)
        proc = _spawn([os.path.join(RABBIT_BIN, 'rabbitmq-server')],
                      log_file, full_env)
        url = 'rabbit://guest:guest@127.0.0.1:%d/' % amqp_port
        server = Server('rabbitmq', url, amqp_port, proc.pid, base_dir,
                        log_file, _proc_start_time(proc.pid),
                        {'env': env, 'node': node, 'epmd_pid': epmd.pid,
                         'epmd_start_time': _proc_start_time(epmd.pid),
                         'dist_port': dist_port})

        def ready() -> bool:
            rabbitmqctl(server, 'await_startup', '--timeout', '5',
                        timeout=30)
            return _port_open(amqp_port)

        try:
            _wait('rabbitmq', proc, log_file, ready)
        except ServerError as exc:
            _terminate(epmd.pid, 0, 5)
            _fail(proc, exc)
        return server

    return _record(_with_port_retries('rabbitmq', port, start))


def rabbitmq_add_vhost(server: Server, vhost: str) -> str:
    """Create ``vhost``, let guest use it; return its transport URL."""
    rabbitmqctl(server, 'add_vhost', vhost)
    rabbitmqctl(server, 'set_permissions', '-p', vhost, 'guest',
                '.*', '.*', '.*')
    return 'rabbit://guest:guest@127.0.0.1:%d/%s' % (
        server.port, parse.quote(vhost, safe=''))


def rabbitmq_delete_vhost(server: Server, vhost: str) -> None:
    """Delete ``vhost`` and everything in it."""
    rabbitmqctl(server, 'delete_vhost', vhost)


# -- MariaDB --------------------------------------------------------------

_MYCNF = """[mysqld]
datadir={data}
socket={run}/mysqld.sock
pid-file={run}/mysqld.pid
log-error={run}/mariadb.log
port={port}
bind-address=127.0.0.1
user=mysql
skip-name-resolve
skip-log-bin
performance_schema=OFF
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
max_connections=500
"""


def _mysql_ids() -> tuple[int, int]:
    import pwd
    entry = pwd.getpwnam('mysql')
    return entry.pw_uid, entry.pw_gid


def mariadb_client(server: Server, sql: str, timeout: float = 60,
                   secret: str | None = None) -> subprocess.CompletedProcess:
    """Run SQL as root through the server's socket; raise on failure.

    ``secret`` is masked in the error message.
    """
    proc = subprocess.run(
        ['mariadb', '--defaults-file=' + server.extra['client_cnf'],
         '-N', '-B', '-e', sql], capture_output=True, text=True,
        timeout=timeout, check=False)
    if proc.returncode:
        error = proc.stderr.strip()
        if secret:
            error = error.replace(secret, '***')
        raise ServerError('mariadb client failed (%d): %s; server log %s'
                          % (proc.returncode, error, server.log_file))
    return proc


def _check_traversable(path: str) -> None:
    """Fail early if the mysql user cannot reach into ``path``."""
    while True:
        if not os.stat(path).st_mode & 0o001:
            raise ServerError('mariadb: mariadbd runs as user mysql and '
                              'cannot enter %s (mode %o); use a base '
                              'folder whose parents are world-searchable '
                              '(chmod o+x)' % (path,
                                               os.stat(path).st_mode & 0o777))
        if path == '/':
            return
        path = os.path.dirname(path)


def start_mariadb(base_dir: str, port: int | None = None) -> Server:
    """Start a standalone MariaDB whose root has a generated password."""
    base_dir = _prepare_dir(base_dir)
    server_dir = _prepare_dir(os.path.join(base_dir, 'mariadb'))
    # mariadbd runs as mysql and must reach its folders.
    for path in (base_dir, server_dir):
        os.chmod(path, os.stat(path).st_mode | 0o711)
    _check_traversable(os.path.dirname(base_dir))
    uid, gid = _mysql_ids()
    run_dir = _prepare_dir(os.path.join(server_dir, 'run'))
    os.chown(run_dir, uid, gid)
    log_file = os.path.join(run_dir, 'mariadb.log')
    password = secrets.token_urlsafe(18)
    pw_file = os.path.join(server_dir, 'root-password')
    fd = os.open(pw_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write(password + '\n')
    client_cnf = os.path.join(server_dir, 'client.cnf')
    fd = os.open(client_cnf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write('[client]\nuser=root\nsocket=%s/mysqld.sock\n' % run_dir)

    def start(tcp_port: int) -> Server:
        data = os.path.join(server_dir, 'data')
        shutil.rmtree(data, ignore_errors=True)
        os.makedirs(data)
        os.chown(data, uid, gid)
        cnf = os.path.join(server_dir, 'my.cnf')
        with open(cnf, 'w') as f:
            f.write(_MYCNF.format(data=data, run=run_dir, port=tcp_port))
        install = subprocess.run(
            ['mariadb-install-db', '--defaults-file=' + cnf,
             '--auth-root-authentication-method=normal', '--skip-test-db'],
            capture_output=True, text=True, check=False)
        if install.returncode:
            raise ServerError('mariadb-install-db failed: %s'
                              % install.stderr.strip()[-500:])
        proc = _spawn(['mariadbd', '--defaults-file=' + cnf],
                      os.path.join(server_dir, 'mariadbd.out'))
        url = 'mysql+pymysql://root:%s@127.0.0.1:%d/' % (password,
                                                         tcp_port)
        server = Server('mariadb', url, tcp_port, proc.pid, base_dir,
                        log_file, _proc_start_time(proc.pid),
                        {'client_cnf': client_cnf,
                         'password_file': pw_file,
                         'socket': os.path.join(run_dir, 'mysqld.sock')})

        def ready() -> bool:
            mariadb_client(server, 'SELECT 1', timeout=10)
            return _port_open(tcp_port)

        try:
            _wait('mariadb', proc, log_file, ready)
            mariadb_client(server, (
                "ALTER USER 'root'@'localhost' IDENTIFIED BY '{pw}';"
                "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';"
                "ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '{pw}';"
                "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' "
                "WITH GRANT OPTION; FLUSH PRIVILEGES;").format(pw=password),
                secret=password)
        except ServerError as exc:
            _fail(proc, exc)
        fd = os.open(client_cnf, os.O_WRONLY | os.O_TRUNC)
        with os.fdopen(fd, 'w') as f:
            f.write('[client]\nuser=root\npassword=%s\nsocket=%s\n'
                    % (password, server.extra['socket']))
        return server

    return _record(_with_port_retries('mariadb', port, start))


def _check_db_name(name: str) -> None:
    if not name or not all(c.isalnum() or c == '_' for c in name):
        raise ValueError('database names are letters, digits and _: %r'
                         % name)


def mariadb_create_database(server: Server, name: str) -> str:
    """Create database ``name``; return its SQLAlchemy URL."""
    _check_db_name(name)
    mariadb_client(server, 'CREATE DATABASE `%s` CHARACTER SET utf8mb4'
                   % name)
    return '%s%s?charset=utf8mb4' % (server.url, name)


def mariadb_drop_database(server: Server, name: str) -> None:
    """Drop database ``name`` if it exists."""
    _check_db_name(name)
    mariadb_client(server, 'DROP DATABASE IF EXISTS `%s`' % name)


# -- command line ---------------------------------------------------------

STARTERS = {
    'etcd': start_etcd,
    'rabbitmq': start_rabbitmq,
    'mariadb': start_mariadb,
}
EXPORTS = {
    'etcd': 'TRELLIS_TEST_ETCD_URL',
    'rabbitmq': 'TRELLIS_TEST_TRANSPORT_URL',
    'mariadb': 'TRELLIS_TEST_MYSQL_URL',
}


def _cmd_start(args: argparse.Namespace) -> int:
    base_dir = _prepare_dir(args.base_dir)
    lines = ['export TRELLIS_TEST_SERVERS_DIR=%s' % shlex.quote(base_dir)]
    for name in args.servers:
        existing = load(base_dir).get(name)
        if existing is not None and existing.alive():
            server = existing
        else:
            t0 = time.monotonic()
            try:
                server = STARTERS[name](base_dir)
            except (ServerError, OSError, subprocess.SubprocessError) as exc:
                print('ERROR: %s failed to start: %s' % (name, exc),
                      file=sys.stderr)
                match = re.search(r'(?:see|server log) (\S+)$', str(exc))
                if match:
                    print(_log_tail(match.group(1)), file=sys.stderr)
                return 1
            print('%s started in %.1f s (pid %d, port %d, log %s)'
                  % (name, time.monotonic() - t0, server.pid, server.port,
                     server.log_file), file=sys.stderr)
        lines.append('export %s=%s' % (EXPORTS[name],
                                       shlex.quote(server.url)))
    print('\n'.join(lines))
    return 0


def _cmd_stop(args: argparse.Namespace) -> int:
    for name in stop_all(args.base_dir):
        print('%s stopped' % name, file=sys.stderr)
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    servers = load(args.base_dir)
    if not servers:
        print('no servers recorded in %s' % args.base_dir)
        return 1
    down = 0
    for name, server in sorted(servers.items()):
        alive = server.alive()
        down += not alive
        # Never print the MariaDB password.
        url = parse.urlsplit(server.url)
        shown = url._replace(netloc=url.netloc.split('@')[-1]).geturl()
        print('%-9s %-5s pid %-7d %s log %s'
              % (name, 'up' if alive else 'DOWN', server.pid, shown,
                 server.log_file))
    return 1 if down else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    start = sub.add_parser('start', help='start servers, print exports')
    start.add_argument('servers', nargs='+', choices=sorted(STARTERS))
    for p in (start, sub.add_parser('stop', help='stop all servers'),
              sub.add_parser('status', help='show the servers')):
        p.add_argument('--base-dir', required=True)
    args = parser.parse_args(argv)
    return {'start': _cmd_start, 'stop': _cmd_stop,
            'status': _cmd_status}[args.command](args)


if __name__ == '__main__':
    sys.exit(main())
