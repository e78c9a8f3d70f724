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


"""Processes, etcd and a base class for the ZeroMQ functional tests."""

import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

import fixtures
import oslo_messaging as messaging
from testtools import content

from tests import base
from tests.functional import fixtures as func_fixtures
from trellis.common import etcd
from trellis.common import exception

HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      'rpc_server.py')
TOPIC = 'zmq-test'
START_TIMEOUT = 60


class ServerProcess(fixtures.Fixture):
    """``rpc_server.py`` as its own process group; always killed at the end.

    ``endpoint`` is the ROUTER endpoint the process reported.
    """

    def __init__(self, tempdir: str, name: str, sections: dict,
                 topic: str = TOPIC) -> None:
        super().__init__()
        self.tempdir = tempdir
        self.name = name
        self.sections = sections
        self.topic = topic
        self.proc: subprocess.Popen | None = None
        self.endpoint: str | None = None
        self.starts = 0

    def _setUp(self) -> None:
        self.addCleanup(self.kill)
        self.start()

    def start(self, **zmq_options: Any) -> str:
        """Start (again); extra ``[zmq]`` options apply to this start."""
        self.starts += 1
        run_dir = os.path.join(self.tempdir, '%s-%d' % (self.name,
                                                        self.starts))
        os.makedirs(run_dir)
        sections = {k: dict(v) for k, v in self.sections.items()}
        sections.setdefault('zmq', {}).update(zmq_options)
        config = func_fixtures.ConfigFileFixture(run_dir, **sections)
        config.setUp()
        self.log_file = os.path.join(run_dir, 'output.log')
        with open(self.log_file, 'wb') as log:
            self.proc = subprocess.Popen(
                [sys.executable, HELPER, '--config-file', config.path,
                 '--topic', self.topic, '--server', self.name],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                start_new_session=True)
        line = self._read_line(START_TIMEOUT)
        if not line.startswith('READY '):
            self.kill()
            with open(self.log_file, errors='replace') as f:
                tail = f.read()[-3000:]
            raise RuntimeError('rpc_server %s did not start: %r\n%s'
                               % (self.name, line, tail))
        self.endpoint = line.split()[1]
        return self.endpoint

    def _read_line(self, timeout: float) -> str:
        selector = selectors.DefaultSelector()
        selector.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            if not selector.select(timeout):
                return ''
            return self.proc.stdout.readline().decode().strip()
        finally:
            selector.close()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group and reap it."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            stream.close()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


class PrivateEtcd(fixtures.Fixture):
    """An etcd of this test alone that can be stopped and started again.

    Unlike ``tools/servers.py`` (which starts from an empty data folder)
    a restart keeps the data, as a real etcd outage would.
    """

    def _setUp(self) -> None:
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.port = func_fixtures.servers.free_port()
        self.peer_port = func_fixtures.servers.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.proc: subprocess.Popen | None = None
        self.addCleanup(self.stop)
        self.start()

    def start(self) -> None:
        peer = 'http://127.0.0.1:%d' % self.peer_port
        log = open(os.path.join(self.dir, 'etcd.log'), 'ab')
        self.proc = subprocess.Popen(
            [shutil.which('etcd') or '/usr/bin/etcd', '--name', 'zmqtest',
             '--data-dir', os.path.join(self.dir, 'data'),
             '--listen-client-urls', self.url,
             '--advertise-client-urls', self.url,
             '--listen-peer-urls', peer,
             '--initial-advertise-peer-urls', peer,
             '--initial-cluster', 'zmqtest=%s' % peer,
             '--listen-metrics-urls', ''],
            stdout=log, stderr=log, start_new_session=True)
        log.close()
        client = etcd.EtcdClient(self.url, prefix='/x', timeout=2)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                client.status()
                return
            except exception.EtcdUnavailable:
                if (time.monotonic() > deadline
                        or self.proc.poll() is not None):
                    self.stop()
                    raise RuntimeError('private etcd did not start') from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class ZmqTestCase(base.TestCase):
    """The test process is a zmq client; servers are separate processes."""

    timeout = 240
    # Short so that dead servers leave the matchmaker quickly.
    MATCHMAKER_TTL = 3

    def setUp(self) -> None:
        super().setUp()
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.setup_etcd()
        self.config(matchmaker_ttl=self.MATCHMAKER_TTL,
                    matchmaker_resync_interval=1.0, group='zmq')
        self.processes: list[ServerProcess] = []
        self.addOnException(self._attach_server_logs)

    def setup_etcd(self) -> None:
        fixture = self.useFixture(func_fixtures.EtcdFixture())
        self.use_etcd(fixture.url, fixture.prefix)

    def use_etcd(self, url: str, prefix: str) -> None:
        self.etcd_url = url
        self.etcd_prefix = prefix
        self.etcd_client = etcd.EtcdClient(url, prefix=prefix)
        self.config(url=url, prefix=prefix, timeout=2, group='etcd')

    def server_sections(self) -> dict:
        return {
            'DEFAULT': {'transport_url': 'zmq://'},
            'etcd': {'url': self.etcd_url, 'prefix': self.etcd_prefix,
                     'timeout': 2},
            'zmq': {'matchmaker_ttl': self.MATCHMAKER_TTL,
                    'matchmaker_resync_interval': 1.0},
        }

    def start_server(self, name: str, sections: dict | None = None,
                     topic: str = TOPIC) -> ServerProcess:
        process = ServerProcess(self.tempdir, name,
                                sections or self.server_sections(), topic)
        self.processes.append(process)
        return self.useFixture(process)

    def _attach_server_logs(self, exc_info: Any) -> None:
        for process in self.processes:
            if os.path.exists(getattr(process, 'log_file', '')):
                self.addDetail('%s-log-%d' % (process.name, process.starts),
                               content.content_from_file(process.log_file,
                                                          buffer_now=True))

    def make_transport(self) -> messaging.Transport:
        transport = messaging.get_rpc_transport(
            self.conf, url='zmq://',
            allowed_remote_exmods=[exception.__name__])
        self.addCleanup(transport.cleanup)
        return transport

    def client(self, transport: messaging.Transport, timeout: float = 30,
               topic: str = TOPIC, **kwargs: Any) -> messaging.RPCClient:
        return messaging.get_rpc_client(
            transport, messaging.Target(topic=topic, **kwargs),
            timeout=timeout)
