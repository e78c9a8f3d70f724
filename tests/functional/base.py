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

"""Base of the functional tests that run real Trellis daemons.

``ServiceProcessFixture`` starts one ``trellis-<svc>`` console script as
its own process group, waits until it is registered in etcd, and can
signal, restart and always clean it up (no process is ever left behind).
``ServiceTestCase`` gives a test class one etcd prefix and one message
transport shared by the daemons it starts; the transport is chosen by
``TRANSPORT`` / ``make_transport_fixture`` so the same tests can run over
another transport (e.g. ZeroMQ) by subclassing.
"""

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import fixtures
import oslo_messaging as messaging
from testtools import content
from testtools import content_type

from tests import base
from tests.functional import fixtures as func_fixtures
from trellis.common import etcd
from trellis.common import rpc
from trellis.common import service_registry

# Seconds a daemon gets to register in etcd after it was started.
START_TIMEOUT = 60
# Seconds a daemon gets to exit after SIGTERM before it is SIGKILLed.
STOP_TIMEOUT = 20
PR_SET_PDEATHSIG = 1

# Short service name -> console script and RPC topic.
SERVICES = {
    'api': rpc.API_TOPIC,
    'conductor': rpc.CONDUCTOR_TOPIC,
    'scheduler': rpc.SCHEDULER_TOPIC,
    'discovery': rpc.DISCOVERY_TOPIC,
    'installer': rpc.INSTALLER_TOPIC,
    'galera_watcher': rpc.GALERA_WATCHER_TOPIC,
}


def console_script(name: str) -> list[str]:
    """The argv that runs the console script ``name`` of this venv."""
    bindir = os.path.dirname(sys.executable)
    path = os.path.join(bindir, name)
    if os.path.exists(path):
        return [path]
    found = shutil.which(name)
    if found:
        return [found]
    raise RuntimeError('console script %s is not installed (pip install -e '
                       'the project into %s)' % (name, sys.prefix))


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies.

    A killed test runner cannot clean up; the daemon's master then stops
    gracefully on its own (and takes its worker with it).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:    # noqa: BLE001 - best effort, Linux only
        pass


def group_members(pgid: int) -> list[int]:
    """The pids of the live (non-zombie) processes of process group pgid."""
    members = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may contain spaces; fields follow its ')'.
        fields = stat[stat.rfind(')') + 2:].split()
        if len(fields) > 2 and fields[0] != 'Z' and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def wait_for(predicate: Any, timeout: float, interval: float = 0.1,
             what: str = 'condition',
             errors: tuple[type[BaseException], ...] = ()) -> Any:
    """Poll ``predicate()`` until truthy; return it or fail after timeout.

    Exceptions of the ``errors`` types count as "not yet" (a server that
    is still coming back), any other fails at once.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = predicate()
        except errors:
            result = None
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError('%s not reached within %ss' % (what, timeout))
        time.sleep(interval)


class NotificationCollector:
    """Notification endpoint that keeps everything it receives."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self._lock = threading.Lock()

    def _keep(self, publisher_id: str, event_type: str, payload: dict,
              priority: str) -> None:
        with self._lock:
            self.received.append({'publisher_id': publisher_id,
                                  'event_type': event_type,
                                  'payload': payload, 'priority': priority})

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self._keep(publisher_id, event_type, payload, 'info')

    def warn(self, ctxt, publisher_id, event_type, payload, metadata):
        self._keep(publisher_id, event_type, payload, 'warning')

    def find(self, event_type: str, publisher_id: str | None = None,
             **payload: Any) -> dict | None:
        """The first notification of this type (publisher, payload)."""
        with self._lock:
            for item in self.received:
                if (item['event_type'] == event_type
                        and publisher_id in (None, item['publisher_id'])
                        and all(item['payload'].get(k) == v
                                for k, v in payload.items())):
                    return item
        return None


class FileContent(content.Content):
    """A test detail showing a file; ``snapshot()`` keeps its text.

    Details are read when the result is reported, after cleanups may
    have removed the file; a snapshot taken in an earlier cleanup keeps
    the text.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._data: bytes | None = None
        super().__init__(content_type.UTF8_TEXT, self._read)

    def _read(self) -> list[bytes]:
        if self._data is not None:
            return [self._data]
        try:
            with open(self.path, 'rb') as f:
                return [f.read()]
        except OSError as exc:
            return [('(%s: %s)' % (self.path, exc)).encode()]

    def snapshot(self) -> None:
        self._data = b''.join(self._read())


class ServiceProcessFixture(fixtures.Fixture):
    """One ``trellis-<service>`` daemon in its own process group.

    :param service: short name (``conductor``, ``galera_watcher``, ...).
    :param etcd_fixture: an ``EtcdFixture`` (url, prefix, client).
    :param transport_url: the RPC/notification transport URL.
    :param host: ``[DEFAULT] host``; unique per test by default.
    :param lease_ttl: ``[service] lease_ttl`` (small: fast failure tests).
    :param config: more sections/options, ``{'api': {'port': 1234}}``.
    :param wait: wait in ``setUp`` until it is registered; with False,
        call ``wait_registered()`` (to start several daemons at once).

    ``log_file`` is the daemon's oslo.log file; the fixture attaches it
    (and the process's stdout/stderr) to the test through
    ``getDetails()``, which testtools shows when a test fails.
    """

    def __init__(self, service: str, etcd_fixture: Any, transport_url: str,
                 host: str | None = None, lease_ttl: int = 2,
                 config: dict[str, dict[str, Any]] | None = None,
                 wait: bool = True) -> None:
        super().__init__()
        self.wait_on_setup = wait
        self.service = service
        self.topic = SERVICES[service]
        self.script = 'trellis-' + service.replace('_', '-')
        self.etcd = etcd_fixture
        self.transport_url = transport_url
        self.host = host or func_fixtures.unique_name(
            '%s-' % service.replace('_', '-'))
        self.lease_ttl = lease_ttl
        self.extra_config = config or {}
        self.process: subprocess.Popen | None = None
        self.pgid: int | None = None
        self._output = None

    # -- configuration ---------------------------------------------------

    def _sections(self) -> dict[str, dict[str, Any]]:
        sections: dict[str, dict[str, Any]] = {
            'DEFAULT': {'host': self.host,
                        'transport_url': self.transport_url,
                        'log_file': self.log_file,
                        'debug': True,
                        'rpc_ping_timeout': 10},
            'etcd': {'url': self.etcd.url, 'prefix': self.etcd.prefix,
                     'timeout': 5},
            'service': {'lease_ttl': self.lease_ttl, 'stop_timeout': 5},
            'oslo_messaging_rabbit': {'rabbit_retry_interval': 1},
        }
        for name, options in self.extra_config.items():
            sections.setdefault(name, {}).update(options)
        return sections

    def _setUp(self) -> None:
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.log_file = os.path.join(self.tempdir, '%s.log' % self.service)
        self.output_file = os.path.join(self.tempdir, 'output.txt')
        self.config_file = self.useFixture(func_fixtures.ConfigFileFixture(
            self.tempdir, **self._sections())).path
        for name, path in (('log', self.log_file),
                           ('output', self.output_file)):
            detail = FileContent(path)
            self.addDetail('%s-%s' % (self.service, name), detail)
            # After stop(), before TempDir removes the file (LIFO).
            self.addCleanup(detail.snapshot)
        # Registered before start() so it also runs when start() fails.
        self.addCleanup(self.stop)
        self.start(wait=self.wait_on_setup)

    # -- life cycle --------------------------------------------------------

    @property
    def registration_path(self) -> str:
        return '%s%s/%s' % (service_registry.LIVE_PREFIX, self.topic,
                            self.host)

    def registered(self) -> bool:
        """Whether the daemon's live key is in etcd right now."""
        return self.etcd.client.get(self.registration_path) is not None

    def start(self, timeout: float = START_TIMEOUT,
              wait: bool = True) -> None:
        """Start the daemon and wait until it is registered in etcd."""
        if self.running():
            raise RuntimeError('%s is already running' % self.script)
        argv = console_script(self.script) + [
            '--config-file', self.config_file]
        output = open(self.output_file, 'ab')
        try:
            self.process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True,
                close_fds=True, preexec_fn=_die_with_parent)
        finally:
            output.close()
        self.pgid = self.process.pid
        if wait:
            self.wait_registered(timeout)

    def wait_registered(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until the daemon is registered; fail if it exits first."""
        assert self.process is not None, 'start() was not called'
        deadline = time.monotonic() + timeout
        while not self.registered():
            if self.process.poll() is not None:
                raise RuntimeError(
                    '%s exited with %s before registering in etcd; see %s'
                    % (self.script, self.process.returncode, self.log_file))
            if time.monotonic() >= deadline:
                raise RuntimeError('%s did not register in etcd within %ss; '
                                   'see %s' % (self.script, timeout,
                                               self.log_file))
            time.sleep(0.1)

    def running(self) -> bool:
        """Whether any process of the daemon's group is alive."""
        return bool(self.pids())

    def pids(self) -> list[int]:
        """Live processes of the daemon: cotyledon's master and worker."""
        if self.pgid is None:
            return []
        if self.process is not None:
            self.process.poll()    # reap the master if it exited
        return group_members(self.pgid)

    def send_signal(self, sig: int) -> None:
        """Send ``sig`` to the master only (SIGTERM: graceful stop)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the whole process group (master and worker)."""
        if self.pgid is None:
            return
        try:
            os.killpg(self.pgid, sig)
        except ProcessLookupError:
            pass

    def wait_exit(self, timeout: float) -> bool:
        """Wait until every process of the group is gone; True if so."""
        deadline = time.monotonic() + timeout
        while self.running():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM the master, then SIGKILL whatever of the group remains."""
        if self.pgid is None:
            return
        if self.running():
            self.send_signal(signal.SIGTERM)
            if not self.wait_exit(timeout):
                self.kill(signal.SIGKILL)
                if not self.wait_exit(10):
                    raise RuntimeError('%s (process group %s) survived '
                                       'SIGKILL: %s' % (
                                           self.script, self.pgid,
                                           self.pids()))
        if self.process is not None:
            self.process.wait(timeout=10)

    def restart(self, timeout: float = START_TIMEOUT) -> None:
        """Stop (gracefully, if still running) and start again."""
        self.stop()
        self.start(timeout)


class ServiceTestCase(base.TestCase):
    """A test class whose daemons share one etcd prefix and one transport.

    ``setUpClass`` starts the servers' fixtures (a fresh etcd prefix, a
    fresh transport such as a RabbitMQ vhost) and the daemons named in
    ``SERVICES_TO_START`` once for all the tests of the class; every
    test can still start its own with ``start_service``.
    """

    TRANSPORT = 'rabbit'
    SERVICES_TO_START: tuple[str, ...] = ()
    LEASE_TTL = 2
    timeout = 240

    @classmethod
    def make_transport_fixture(cls) -> fixtures.Fixture:
        """A fixture with ``transport_url``; override for other transports.

        If it also has ``notification_transport_url`` (a brokerless RPC
        transport with notifications on a broker), the daemons send
        their notifications there.
        """
        if cls.TRANSPORT == 'rabbit':
            return func_fixtures.RabbitMQFixture()
        raise ValueError('no fixture for transport %r; override '
                         'make_transport_fixture' % cls.TRANSPORT)

    @classmethod
    def service_config(cls, service: str) -> dict[str, dict[str, Any]]:
        """Extra configuration of one daemon (the API needs a port)."""
        if service == 'api':
            # Authentication has its own suite (services/api/test_auth).
            return {'api': {'port': func_fixtures.servers.free_port(),
                            'host_ip': '127.0.0.1',
                            'auth_strategy': 'noauth'}}
        return {}

    @classmethod
    def common_config(cls) -> dict[str, dict[str, Any]]:
        """Configuration every daemon and ``trellis-manage`` share."""
        sections: dict[str, dict[str, Any]] = {}
        if cls.notification_transport_url != cls.transport_url:
            sections['oslo_messaging_notifications'] = {
                'transport_url': cls.notification_transport_url}
        return sections

    @classmethod
    def manage_config(cls) -> dict[str, dict[str, Any]]:
        """Configuration of ``trellis-manage``: the class's servers."""
        sections = cls.common_config()
        sections['DEFAULT'] = {'transport_url': cls.transport_url}
        sections['etcd'] = {'url': cls.etcd_fixture.url,
                            'prefix': cls.etcd_fixture.prefix, 'timeout': 5}
        return sections

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls._class_fixtures: list[fixtures.Fixture] = []
        cls.services: dict[str, ServiceProcessFixture] = {}
        try:
            cls.etcd_fixture = cls._use_class_fixture(
                func_fixtures.EtcdFixture())
            cls.transport_fixture = cls._use_class_fixture(
                cls.make_transport_fixture())
            cls.transport_url = cls.transport_fixture.transport_url
            cls.notification_transport_url = getattr(
                cls.transport_fixture, 'notification_transport_url',
                None) or cls.transport_url
            cls.tempdir = cls._use_class_fixture(fixtures.TempDir()).path
            cls.manage_config_file = cls._use_class_fixture(
                func_fixtures.ConfigFileFixture(
                    cls.tempdir, **cls.manage_config())).path
            # Started together, then waited for: much faster on few cores.
            for service in cls.SERVICES_TO_START:
                cls.services[service] = cls._use_class_fixture(
                    cls.make_service_fixture(service, wait=False))
            for service in cls.services.values():
                service.wait_registered()
        except BaseException:
            cls._cleanup_class_fixtures()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        cls._cleanup_class_fixtures()
        super().tearDownClass()

    @classmethod
    def _use_class_fixture(cls, fixture: fixtures.Fixture) -> Any:
        cls._class_fixtures.append(fixture)
        fixture.setUp()
        return fixture

    @classmethod
    def _cleanup_class_fixtures(cls) -> None:
        # Let the daemons stop together; each cleanup then waits for its.
        for service in cls.services.values():
            service.send_signal(signal.SIGTERM)
        errors = []
        while cls._class_fixtures:
            try:
                cls._class_fixtures.pop().cleanUp()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]

    @classmethod
    def make_service_fixture(cls, service: str,
                             **kwargs: Any) -> ServiceProcessFixture:
        config = cls.common_config()
        for name, options in kwargs.pop(
                'config', cls.service_config(service)).items():
            config.setdefault(name, {}).update(options)
        return ServiceProcessFixture(
            service, cls.etcd_fixture, cls.transport_url,
            lease_ttl=kwargs.pop('lease_ttl', cls.LEASE_TTL),
            config=config, **kwargs)

    def setUp(self) -> None:
        super().setUp()
        self.etcd_client: etcd.EtcdClient = self.etcd_fixture.client
        # This process talks to the same servers as the daemons.
        self.config(url=self.etcd_fixture.url,
                    prefix=self.etcd_fixture.prefix, group='etcd')
        # oslo.messaging registers transport_url on first use.
        messaging.TransportURL(self.conf)
        self.config(transport_url=self.transport_url)
        for service in self.services.values():
            self._attach_logs(service)

    def _attach_logs(self, service: ServiceProcessFixture) -> None:
        """Show a class-wide daemon's log and output if this test fails."""
        for name, path in (('log', service.log_file),
                           ('output', service.output_file)):
            self.addDetail('%s-%s' % (service.service, name),
                           FileContent(path))

    def listen_notifications(self) -> NotificationCollector:
        """Collect the notifications the daemons emit from now on."""
        transport = messaging.get_notification_transport(
            self.conf, url=self.notification_transport_url)
        self.addCleanup(transport.cleanup)
        collector = NotificationCollector()
        listener = messaging.get_notification_listener(
            transport, [messaging.Target(topic='notifications')],
            [collector], executor='threading')
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)
        return collector

    def start_service(self, service: str,
                      **kwargs: Any) -> ServiceProcessFixture:
        """Start one more daemon for this test only."""
        return self.useFixture(self.make_service_fixture(service, **kwargs))

    def use_rpc(self) -> None:
        """Initialise this process's RPC transport for the test."""
        rpc.init()
        self.addCleanup(rpc.cleanup)

    def manage(self, *args: str, config_file: str | None = None,
               timeout: float = 90) -> subprocess.CompletedProcess:
        """Run ``trellis-manage`` (the class's servers by default).

        A hung command fails the test through ``TimeoutExpired``.
        """
        if config_file is None:
            config_file = self.manage_config_file
        argv = console_script('trellis-manage') + [
            '--config-file', config_file] + list(args)
        result = subprocess.run(argv, capture_output=True, text=True,
                                timeout=timeout, stdin=subprocess.DEVNULL)
        self.addDetail('trellis-manage %s' % ' '.join(args),
                       content.text_content(
                           'exit %s\n--- stdout\n%s\n--- stderr\n%s' % (
                               result.returncode, result.stdout,
                               result.stderr)))
        return result

