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


"""The trellis-api daemon: bind checks, the cheroot server's lifecycle."""

import socket
import threading
from unittest import mock

import fixtures

from tests.unit.services.api import base
from trellis.common import service
from trellis.services.api import manager
from trellis.services.api import server
from trellis.services.cmd import api as cmd_api


def _listening_socket():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    sock.listen(1)
    return sock


class TestBind(base.APITestCase):

    def test_free_address(self):
        sock = socket.socket()
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
        sock.close()
        server.check_bind('127.0.0.1', port)

    def test_address_in_use_names_the_address(self):
        sock = _listening_socket()
        self.addCleanup(sock.close)
        port = sock.getsockname()[1]
        exc = self.assertRaises(server.APIBindError, server.check_bind,
                                '127.0.0.1', port)
        self.assertIn('127.0.0.1:%d' % port, str(exc))
        self.assertIn('Address already in use', str(exc))
        self.assertIn('[api] port', str(exc))

    def test_make_server_in_use(self):
        sock = _listening_socket()
        self.addCleanup(sock.close)
        port = sock.getsockname()[1]
        exc = self.assertRaises(server.APIBindError, server.make_server,
                                mock.Mock(), '127.0.0.1', port, 2)
        self.assertIn('127.0.0.1:%d' % port, str(exc))

    def test_format_address(self):
        self.assertEqual('10.0.0.1:80', server.format_address('10.0.0.1', 80))
        self.assertEqual('[::1]:80', server.format_address('::1', 80))


class TestAPIService(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.config(host_ip='127.0.0.1', port=6785, threads=3, group='api')
        self.http = mock.Mock(spec=server.WSGIServer)
        self.http.bind_addr = ('127.0.0.1', 6785)
        self.served = threading.Event()
        self.http.serve.side_effect = lambda: self.served.wait(10)
        self.http.stop.side_effect = self.served.set
        self.useFixture(fixtures.MockPatchObject(
            server, 'make_server', return_value=self.http))
        self.create_app = self.useFixture(fixtures.MockPatchObject(
            server.api_app, 'create_app')).mock
        self.svc = server.APIService(manager.APIManager('h1'))

    def test_init_does_nothing_but_keep_data(self):
        server.make_server.assert_not_called()
        self.create_app.assert_not_called()
        self.assertIsNone(self.svc.bind_address)

    def test_start_binds_then_serves_in_a_thread(self):
        with mock.patch.object(service.RPCService, 'start',
                               autospec=True,
                               side_effect=lambda s: s.start_extra()):
            self.svc.start()
        server.make_server.assert_called_once_with(
            self.create_app.return_value, '127.0.0.1', 6785, 3)
        self.assertEqual(('127.0.0.1', 6785), self.svc.bind_address)
        thread = self.svc._http_thread
        self.assertTrue(thread.daemon)
        self.svc.stop_extra()
        self.http.stop.assert_called_once_with()
        self.assertFalse(thread.is_alive())
        self.http.serve.assert_called_once_with()
        self.assertIsNone(self.svc.bind_address)
        # A second stop is harmless.
        self.svc.stop_extra()
        self.http.stop.assert_called_once_with()

    def test_failed_start_releases_the_port(self):
        with mock.patch.object(service.RPCService, 'start',
                               side_effect=RuntimeError('no broker')):
            self.assertRaises(RuntimeError, self.svc.start)
        self.http.stop.assert_called_once_with()

    def test_bind_failure_stops_before_rpc(self):
        server.make_server.side_effect = server.APIBindError(
            address='127.0.0.1:6785', error='Address already in use')
        with mock.patch.object(service.RPCService, 'start') as rpc_start:
            self.assertRaises(server.APIBindError, self.svc.start)
        rpc_start.assert_not_called()


class TestMain(base.APITestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(service, 'prepare_service'))
        self.launch = self.useFixture(fixtures.MockPatchObject(
            service, 'launch', return_value=0)).mock

    def test_port_in_use_exits_1_before_launch(self):
        sock = _listening_socket()
        self.addCleanup(sock.close)
        self.config(host_ip='127.0.0.1', port=sock.getsockname()[1],
                    group='api')
        logger = self.useFixture(fixtures.FakeLogger(
            name='trellis.services.cmd.api', level='ERROR'))
        exc = self.assertRaises(SystemExit, cmd_api.main)
        self.assertEqual(1, exc.code)
        self.launch.assert_not_called()
        self.assertIn('cannot listen on 127.0.0.1:%d'
                      % sock.getsockname()[1], logger.output)

    def test_launches_the_api_service(self):
        with mock.patch.object(server, 'check_bind') as check:
            exc = self.assertRaises(SystemExit, cmd_api.main)
        self.assertEqual(0, exc.code)
        check.assert_called_once_with(self.conf.api.host_ip,
                                      self.conf.api.port)
        svc = self.launch.call_args[0][0]
        self.assertIsInstance(svc, server.APIService)
        self.assertEqual('trellis-api', svc.topic)
