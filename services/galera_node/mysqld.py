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

"""The local mariadbd: its datadir, its Galera position, its process.

``--defaults-file`` is always the first option (MariaDB ignores it
anywhere else). Data is never removed: a datadir without ``init.ok`` that
is not empty is refused, not wiped.
"""

import os
import re
import signal
import subprocess
import time

from oslo_log import log

LOG = log.getLogger(__name__)

INIT_OK = 'init.ok'
GRASTATE = 'grastate.dat'
_RECOVERED = re.compile(
    r'WSREP: Recovered position:\s*([0-9a-f-]{36}):(-?\d+)')
# What may be in a datadir that was never initialised.
_IGNORED_ENTRIES = {'lost+found'}


class MysqldError(Exception):
    """The local mariadbd could not be prepared, started or stopped."""


class Defaults:
    """The ``[mysqld]`` settings of a defaults file that we need."""

    def __init__(self, defaults_file: str, values: dict[str, str]) -> None:
        self.defaults_file = defaults_file
        self.values = values
        self.datadir = values.get('datadir', '/var/lib/mysql')
        self.port = int(values.get('port', 3306))
        self.host = values.get('bind-address', '127.0.0.1')
        if self.host in ('0.0.0.0', '::', '*'):
            self.host = '127.0.0.1'
        self.pid_file = values.get('pid-file') or os.path.join(
            self.datadir, 'mysqld.pid')
        self.user = values.get('user')

    @property
    def address(self) -> str:
        return '%s:%d' % (self.host, self.port)


def read_defaults(defaults_file: str) -> Defaults:
    """Read ``[mysqld]`` (and ``[galera]``) through my_print_defaults."""
    try:
        out = subprocess.run(
            ['my_print_defaults', '--defaults-file=%s' % defaults_file,
             'mysqld', 'server', 'galera', 'mariadb', 'mariadbd'],
            check=True, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise MysqldError('Cannot read %s: %s' % (defaults_file, exc)) from exc
    values = {}
    for line in out.splitlines():
        name, _sep, value = line.lstrip('-').partition('=')
        values[name.replace('_', '-')] = value
    return Defaults(defaults_file, values)


def is_initialised(defaults: Defaults) -> bool:
    return os.path.exists(os.path.join(defaults.datadir, INIT_OK))


def mark_initialised(defaults: Defaults) -> None:
    path = os.path.join(defaults.datadir, INIT_OK)
    if not os.path.exists(path):
        with open(path, 'w') as f:
            f.write('%d\n' % int(time.time()))


def _chown(path: str, user: str | None) -> None:
    if not user or os.geteuid() != 0:
        return
    subprocess.run(['chown', '-R', '%s:' % user, path], check=True,
                   timeout=120)


def initialise(defaults: Defaults, install_db: str, mysqld: str,
               user: str, password: str) -> None:
    """First start: create the system tables and the expected users.

    :raises: MysqldError if the datadir holds data but no ``init.ok``.
    """
    datadir = defaults.datadir
    os.makedirs(datadir, exist_ok=True)
    leftovers = set(os.listdir(datadir)) - _IGNORED_ENTRIES
    if leftovers:
        raise MysqldError(
            'Datadir %s has no %s but is not empty (%s); refusing to '
            'initialise it. Move the data away or create %s by hand.'
            % (datadir, INIT_OK, ', '.join(sorted(leftovers)[:5]), INIT_OK))
    _chown(datadir, defaults.user)
    _run([install_db, '--defaults-file=%s' % defaults.defaults_file,
          '--auth-root-authentication-method=normal', '--skip-test-db'],
         'initialise %s' % datadir)
    # mariadbd without networking nor wsrep creates the users.
    quoted = password.replace('\\', '\\\\').replace("'", "\\'")
    sql = 'FLUSH PRIVILEGES;\n' + ''.join(
        "CREATE USER IF NOT EXISTS '{u}'@'{h}' IDENTIFIED BY '{p}';\n"
        "GRANT ALL PRIVILEGES ON *.* TO '{u}'@'{h}' WITH GRANT OPTION;\n"
        .format(u=user, h=h, p=quoted) for h in ('%', 'localhost'))
    _run([mysqld, '--defaults-file=%s' % defaults.defaults_file,
          '--bootstrap', '--skip-networking', '--wsrep-on=OFF',
          '--wsrep-provider=none'], 'create users in %s' % datadir,
         stdin=sql)
    mark_initialised(defaults)
    LOG.info('Initialised datadir %s with user %s', datadir, user)


def _run(argv: list[str], what: str, stdin: str | None = None,
         timeout: float = 300) -> str:
    try:
        proc = subprocess.run(argv, input=stdin, capture_output=True,
                              text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as exc:
        raise MysqldError('Could not %s: %s' % (what, exc)) from exc
    if proc.returncode != 0:
        raise MysqldError('Could not %s (exit %d): %s'
                          % (what, proc.returncode,
                             (proc.stderr or proc.stdout)[-2000:]))
    return proc.stdout + proc.stderr


def read_grastate(datadir: str) -> dict[str, str]:
    """``grastate.dat`` as ``{uuid, seqno, safe_to_bootstrap}``."""
    result = {}
    try:
        with open(os.path.join(datadir, GRASTATE)) as f:
            for line in f:
                name, sep, value = line.partition(':')
                if sep and not name.startswith('#'):
                    result[name.strip()] = value.strip()
    except OSError:
        pass
    return result


def set_safe_to_bootstrap(datadir: str) -> None:
    """Let this node start a new Primary Component (recovery only)."""
    path = os.path.join(datadir, GRASTATE)
    with open(path) as f:
        text = f.read()
    if 'safe_to_bootstrap:' in text:
        text = re.sub(r'safe_to_bootstrap:\s*\d', 'safe_to_bootstrap: 1',
                      text)
    else:
        text += 'safe_to_bootstrap: 1\n'
    with open(path, 'w') as f:
        f.write(text)


def parse_recovered_position(text: str) -> tuple[str, int] | None:
    matches = list(_RECOVERED.finditer(text))
    if not matches:
        return None
    return matches[-1].group(1), int(matches[-1].group(2))


def recover_position(defaults: Defaults, mysqld: str) -> tuple[str | None,
                                                               int]:
    """The node's (uuid, seqno): grastate.dat, else ``--wsrep-recover``.

    Returns ``(None, -1)`` for a node without any Galera state.
    """
    grastate = read_grastate(defaults.datadir)
    uuid = grastate.get('uuid')
    seqno = int(grastate.get('seqno', '-1') or -1)
    if uuid and seqno >= 0:
        return uuid, seqno
    log_file = os.path.join(defaults.datadir, 'wsrep-recover.log')
    _run([mysqld, '--defaults-file=%s' % defaults.defaults_file,
          '--wsrep-recover', '--log-error=%s' % log_file],
         'recover the Galera position')
    try:
        with open(log_file) as f:
            found = parse_recovered_position(f.read())
        os.unlink(log_file)
    except OSError:
        found = None
    if found is None or found[0] == '00000000-0000-0000-0000-000000000000':
        return uuid, -1
    return found


def set_aside(defaults: Defaults) -> str:
    """Move the datadir away (kept, never deleted); leave an empty one.

    For a node whose data diverged from a cluster that an operator forced
    to bootstrap from another node: it must take a full state transfer,
    which would overwrite its files. Returns where the old data went.
    """
    datadir = defaults.datadir.rstrip('/')
    target = '%s.diverged-%d' % (datadir, int(time.time()))
    try:
        os.rename(datadir, target)
    except OSError as exc:
        raise MysqldError('Cannot move diverged datadir %s to %s: %s'
                          % (datadir, target, exc)) from exc
    os.makedirs(datadir)
    _chown(datadir, defaults.user)
    os.chmod(datadir, 0o750)
    return target


class Process:
    """One running mariadbd, started and stopped by the supervisor."""

    def __init__(self, defaults: Defaults, mysqld: str) -> None:
        self.defaults = defaults
        self.mysqld = mysqld
        self.proc: subprocess.Popen | None = None

    def start(self, extra: list[str]) -> None:
        argv = [self.mysqld, '--defaults-file=%s'
                % self.defaults.defaults_file] + extra
        LOG.info('Starting %s', ' '.join(argv))
        # Own session: a Ctrl-C meant for the supervisor does not reach it;
        # the supervisor stops it itself.
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     start_new_session=True)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def pid_file_exists(self) -> bool:
        return os.path.exists(self.defaults.pid_file)

    def exit_code(self) -> int | None:
        return self.proc.poll() if self.proc else None

    def stop(self, timeout: float) -> None:
        """SIGTERM (a clean shutdown saves the seqno), then SIGKILL."""
        if not self.running():
            return
        LOG.info('Stopping mariadbd %d', self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            LOG.warning('mariadbd %d did not stop in %ss; killing it',
                        self.proc.pid, timeout)
            self.proc.kill()
            self.proc.wait(10)


def stop_stale(defaults: Defaults, timeout: float) -> None:
    """Stop a mariadbd left over by a previous supervisor, if any."""
    try:
        with open(defaults.pid_file) as f:
            pid = int(f.read().strip())
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            cmdline = f.read().replace(b'\0', b' ').decode()
    except (OSError, ValueError):
        return
    if defaults.defaults_file not in cmdline:
        return
    LOG.warning('mariadbd %d of %s is still running from a previous start; '
                'stopping it', pid, defaults.defaults_file)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while os.path.exists('/proc/%d' % pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if os.path.exists('/proc/%d' % pid):
        os.kill(pid, signal.SIGKILL)
