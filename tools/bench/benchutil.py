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

"""What the benchmarks under ``tools/bench/`` share.

- ``Backends``: a private etcd and RabbitMQ started through
  ``tools/servers.py`` (or the URLs given on the command line), stopped
  again on exit, Ctrl-C or SIGTERM.
- ``ServiceProcess``: one real Trellis daemon started from a config file in
  its own process group, so that it can be killed as a whole.
- ``summarize``: p50/p99/mean/max of a list of samples.
"""

import argparse
import contextlib
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any
from typing import Callable
from typing import Iterator

from trellis.common import urls

TOOLS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class BenchError(Exception):
    """A benchmark could not run (a server or service did not come up)."""


def mask_url(url: str) -> str:
    """``url`` with its password replaced, fit for printing."""
    return urls.mask_password(url)


def add_backend_args(parser: argparse.ArgumentParser) -> None:
    """The options that pick or start etcd and RabbitMQ."""
    parser.add_argument(
        '--etcd-url',
        help='Use this etcd (e.g. http://127.0.0.1:2379) instead of '
             'starting a private one; keys go under a unique prefix.')
    parser.add_argument(
        '--transport-url',
        help='Use this RabbitMQ (e.g. rabbit://guest:guest@127.0.0.1:5672/)'
             ' instead of starting a private one.')
    parser.add_argument(
        '--base-dir',
        help='Folder for server data, config files and service logs '
             '(default: a temporary folder, removed at the end).')
    parser.add_argument(
        '--keep', action='store_true',
        help='Keep the base folder (logs) at the end.')


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt('signal %d' % signum)


def install_sigterm_handler() -> None:
    """Make SIGTERM unwind like Ctrl-C, so every ``finally`` runs."""
    signal.signal(signal.SIGTERM, _raise_interrupt)


def run_main(run: Callable[..., int], *args: Any,
             error_status: int = 1) -> int:
    """Run a benchmark to its exit status.

    SIGTERM unwinds like Ctrl-C (130), so everything started is stopped;
    a ``BenchError`` (a server or service did not come up) is printed and
    gives ``error_status``.
    """
    install_sigterm_handler()
    try:
        return run(*args)
    except BenchError as err:
        print('ERROR: %s' % err, file=sys.stderr)
        return error_status
    except KeyboardInterrupt:
        print('interrupted; everything started was stopped',
              file=sys.stderr)
        return 130


def _import_servers() -> Any:
    if TOOLS_DIR not in sys.path:
        sys.path.insert(0, TOOLS_DIR)
    try:
        import servers  # tools/servers.py
    except ImportError as exc:
        raise BenchError('tools/servers.py is not available (%s); pass '
                         '--etcd-url and --transport-url instead' % exc
                         ) from exc
    return servers


class Backends:
    """etcd and RabbitMQ for one benchmark run, plus its working folder.

    Use as a context manager: servers started here are stopped on exit,
    whatever the reason.
    """

    def __init__(self, args: argparse.Namespace, need_etcd: bool = True,
                 need_rabbit: bool = True) -> None:
        self._args = args
        self._need_etcd = need_etcd
        self._need_rabbit = need_rabbit
        self._servers: list[Any] = []
        self._servers_module: Any = None
        self._made_dir = False
        self.base_dir = ''
        self.etcd_url: str = args.etcd_url or ''
        self.transport_url: str = args.transport_url or ''

    def __enter__(self) -> 'Backends':
        if self._args.base_dir:
            self.base_dir = os.path.abspath(self._args.base_dir)
            os.makedirs(self.base_dir, exist_ok=True)
        else:
            self.base_dir = tempfile.mkdtemp(prefix='trellis-bench-')
            self._made_dir = True
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        # tools/servers.py cannot clean up a server whose start is cut
        # short by Ctrl-C (it is not recorded yet), so Ctrl-C and SIGTERM
        # wait until each start has finished (bounded by servers.py).
        deferred = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, deferred)
        try:
            self._start_servers()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, deferred)

    def _start_servers(self) -> None:
        if ((self._need_etcd and not self.etcd_url) or
                (self._need_rabbit and not self.transport_url)):
            servers = self._servers_module = _import_servers()
            servers_dir = os.path.join(self.base_dir, 'servers')
            if self._need_etcd and not self.etcd_url:
                started = time.monotonic()
                server = servers.start_etcd(servers_dir)
                self._servers.append(server)
                self.etcd_url = server.url
                print('# started a private etcd at %s in %.1fs'
                      % (server.url, time.monotonic() - started),
                      flush=True)
            if self._need_rabbit and not self.transport_url:
                started = time.monotonic()
                server = servers.start_rabbitmq(servers_dir)
                self._servers.append(server)
                self.transport_url = server.url
                print('# started a private RabbitMQ at %s in %.1fs'
                      % (mask_url(server.url), time.monotonic() - started),
                      flush=True)

    def __exit__(self, *exc: Any) -> None:
        for server in reversed(self._servers):
            try:
                server.stop()
            except Exception as err:
                print('# could not stop %r: %s' % (server, err),
                      file=sys.stderr)
        self._servers = []
        if self._servers_module is not None:
            # Backstop: whatever got recorded (e.g. interrupted mid-start).
            try:
                self._servers_module.stop_all(
                    os.path.join(self.base_dir, 'servers'))
            except Exception as err:
                print('# could not stop servers: %s' % err, file=sys.stderr)
        if self._made_dir and not self._args.keep:
            shutil.rmtree(self.base_dir, ignore_errors=True)
        elif self.base_dir:
            print('# logs and configs kept in %s' % self.base_dir)


def unique_suffix() -> str:
    return '%d-%s' % (os.getpid(), os.urandom(3).hex())


def write_config(path: str, *, transport_url: str, etcd_url: str,
                 etcd_prefix: str, host: str,
                 lease_ttl: int | None = None,
                 log_file: str | None = None) -> str:
    """Write a ``trellis.conf`` for one daemon and return its path."""
    lines = ['[DEFAULT]',
             'transport_url = %s' % transport_url,
             'host = %s' % host]
    if log_file:
        lines.append('log_file = %s' % log_file)
    lines += ['', '[etcd]', 'url = %s' % etcd_url,
              'prefix = %s' % etcd_prefix]
    if lease_ttl is not None:
        lines += ['', '[service]', 'lease_ttl = %d' % lease_ttl]
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    os.chmod(path, 0o600)
    return path


def console_script(name: str) -> str:
    """Path of a console script of the running venv (or on PATH)."""
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    if os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which(name)
    if not found:
        raise BenchError('%s is not installed (pip install -e .)' % name)
    return found


class ServiceProcess:
    """A process started in its own session (so its own process group)."""

    def __init__(self, argv: list[str], log_path: str) -> None:
        self.argv = argv
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> 'ServiceProcess':
        with open(self.log_path, 'ab') as log:
            self.proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def group_alive(self) -> bool:
        """Whether any live process of the group is left (a worker may be).

        Zombies do not count: an orphaned worker is reaped late by PID 1
        on this kind of machine.
        """
        if self.proc is None:
            return False
        self.proc.poll()
        if not os.path.isdir('/proc/self'):
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return False
            return True
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % entry) as f:
                    fields = f.read().rpartition(')')[2].split()
            except OSError:
                continue
            # fields: state, ppid, pgrp, ...
            if int(fields[2]) == self.proc.pid and fields[0] not in 'ZX':
                return True
        return False

    def signal_group(self, signum: int) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signum)

    def signal(self, signum: int) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(signum)

    def wait_gone(self, timeout: float) -> bool:
        """Wait (bounded) until the whole group has exited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.group_alive():
                return True
            time.sleep(0.05)
        return not self.group_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the group, then SIGKILL whatever is left."""
        if self.proc is None:
            return
        if self.group_alive():
            self.signal_group(signal.SIGTERM)
            if not self.wait_gone(timeout):
                self.signal_group(signal.SIGKILL)
                self.wait_gone(5.0)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(1.0)

    def tail(self, lines: int = 20) -> str:
        try:
            with open(self.log_path, errors='replace') as f:
                return ''.join(f.readlines()[-lines:])
        except OSError:
            return ''


@contextlib.contextmanager
def processes() -> Iterator[list[ServiceProcess]]:
    """A list of processes that are all stopped on the way out."""
    procs: list[ServiceProcess] = []
    try:
        yield procs
    finally:
        for proc in reversed(procs):
            try:
                proc.stop()
            except Exception as err:
                print('# could not stop %s: %s' % (proc.argv[0], err),
                      file=sys.stderr)


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(values: list[float]) -> dict[str, float]:
    """n, p50, p99, mean, max (nearest-rank percentiles)."""
    ordered = sorted(values)
    return {'n': len(ordered),
            'p50': percentile(ordered, 50),
            'p99': percentile(ordered, 99),
            'mean': statistics.fmean(ordered) if ordered else math.nan,
            'max': ordered[-1] if ordered else math.nan,
            'median': statistics.median(ordered) if ordered else math.nan}


def machine_note() -> str:
    load = os.getloadavg()
    return ('%d CPUs, load average %.2f %.2f %.2f'
            % (os.cpu_count() or 0, load[0], load[1], load[2]))
