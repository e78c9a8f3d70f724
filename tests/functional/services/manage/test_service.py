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

"""trellis-manage against servers that are down or misbehave.

Each command must end on its own (``manage`` fails the test through
``TimeoutExpired`` if it hangs), exit non-zero, name the server at fault
and never print a password.
"""

import json
import socket
from urllib import parse

import fixtures

from tests.functional import base
from tests.functional import fixtures as func_fixtures

PASSWORD = 'Sup3r-Secret-pw'


class TestManageFailures(base.ServiceTestCase):
    """No daemons: only the class's etcd prefix and transport."""

    def _config(self, transport_url: str | None = None,
                etcd_url: str | None = None) -> str:
        tempdir = self.useFixture(fixtures.TempDir()).path
        return self.useFixture(func_fixtures.ConfigFileFixture(
            tempdir,
            DEFAULT={'transport_url': transport_url or self.transport_url},
            etcd={'url': etcd_url or self.etcd_fixture.url,
                  'prefix': self.etcd_fixture.prefix, 'timeout': 2},
        )).path

    def _black_hole(self) -> int:
        """A port that accepts connections and never answers."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(sock.close)
        sock.bind(('127.0.0.1', 0))
        sock.listen(16)
        return sock.getsockname()[1]

    def _assert_failed(self, result, *expected: str) -> None:
        self.assertNotEqual(0, result.returncode)
        for text in expected:
            self.assertIn(text, result.stderr)
        self.assertNotIn('Traceback', result.stderr)
        self.assertNotIn(PASSWORD, result.stdout + result.stderr)

    def test_service_list_empty(self):
        result = self.manage('service', 'list', '-f', 'json')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual([], json.loads(result.stdout))

    def test_etcd_refuses_connections(self):
        url = 'http://127.0.0.1:%d' % func_fixtures.servers.free_port()
        result = self.manage('service', 'list',
                             config_file=self._config(etcd_url=url))
        self._assert_failed(result, 'etcd at %s is unreachable' % url)

    def test_etcd_never_answers(self):
        url = 'http://127.0.0.1:%d' % self._black_hole()
        result = self.manage('service', 'list',
                             config_file=self._config(etcd_url=url))
        self._assert_failed(result, 'etcd at %s is unreachable' % url)

    def test_broker_refuses_connections(self):
        port = func_fixtures.servers.free_port()
        url = 'rabbit://trellis:%s@127.0.0.1:%d/' % (PASSWORD, port)
        result = self.manage('service', 'ping', 'conductor', '--timeout',
                             '2', config_file=self._config(url))
        self._assert_failed(
            result, 'rabbit://trellis:***@127.0.0.1:%d/ is unreachable'
            % port)

    def test_broker_never_answers(self):
        port = self._black_hole()
        url = 'rabbit://trellis:%s@127.0.0.1:%d/' % (PASSWORD, port)
        result = self.manage('service', 'ping', 'scheduler', '--timeout',
                             '2', config_file=self._config(url))
        self._assert_failed(
            result, 'rabbit://trellis:***@127.0.0.1:%d/ is unreachable'
            % port)

    def test_broker_rejects_the_password(self):
        good = parse.urlsplit(self.transport_url)
        netloc = 'guest:%s@%s:%d' % (PASSWORD, good.hostname, good.port)
        url = parse.urlunsplit(good._replace(netloc=netloc))
        result = self.manage('service', 'ping', 'installer', '--timeout',
                             '2', config_file=self._config(url))
        self._assert_failed(result, 'guest:***@%s:%d' % (good.hostname,
                                                         good.port))

    def test_ping_nobody_answers(self):
        result = self.manage('service', 'ping', 'trellis-galera-watcher',
                             '--timeout', '1.5')
        self._assert_failed(
            result, 'No trellis-galera-watcher answered within 1.5 s.')
        self.assertEqual(1, result.returncode)
