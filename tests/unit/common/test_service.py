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


"""Tests of the daemon base: start and stop order, bounded stop."""

import threading
from unittest import mock

from oslo_config import cfg
from oslo_messaging import conffixture

from tests import base
from trellis.common import manager as base_manager
from trellis.common import service


class TestRPCService(base.TestCase):

    def setUp(self):
        super().setUp()
        # Registers [DEFAULT] transport_url, which start() logs.
        self.useFixture(conffixture.ConfFixture(self.conf))
        self.config(stop_timeout=1, group='service')
        self.config(lease_ttl=8, keepalive_interval=2.0, group='service')
        self.calls = mock.Mock()
        self.manager = mock.Mock(spec=base_manager.Manager)
        self.manager.topic = 'trellis-conductor'
        self.manager.host = 'h1'
        self.calls.attach_mock(self.manager, 'manager')
        for name, target in (('rpc_init', (service.rpc, 'init')),
                             ('rpc_cleanup', (service.rpc, 'cleanup')),
                             ('get_server', (service.rpc, 'get_server')),
                             ('from_conf', (service.etcd.EtcdClient,
                                            'from_conf')),
                             ('registration', (service.service_registry,
                                               'ServiceRegistration')),
                             ('emit', (service.notifications, 'emit'))):
            patcher = mock.patch.object(*target)
            self.calls.attach_mock(patcher.start(), name)
            self.addCleanup(patcher.stop)
        self.server = self.calls.get_server.return_value
        self.etcd_client = self.calls.from_conf.return_value
        self.registration = self.calls.registration.return_value
        self.svc = service.RPCService(self.manager)

    def _names(self):
        return [c[0] for c in self.calls.mock_calls
                if not c[0].endswith('__str__')]

    def test_init_keeps_plain_data(self):
        self.assertEqual('trellis-conductor', self.svc.topic)
        self.assertEqual('h1', self.svc.host)
        self.assertEqual([], self.calls.mock_calls)
        self.assertIsNone(self.svc.etcd)

    def test_start_order(self):
        self.svc.start()
        self.assertEqual(
            ['rpc_init', 'from_conf', 'manager.init_host', 'get_server',
             'get_server().start', 'registration', 'registration().start',
             'emit'],
            self._names())
        self.assertIs(self.etcd_client, self.svc.etcd)

    def test_start_arguments(self):
        self.svc.start()
        target, endpoints = self.calls.get_server.call_args[0]
        self.assertEqual('trellis-conductor', target.topic)
        self.assertEqual('h1', target.server)
        self.assertEqual([self.manager], endpoints)
        self.calls.registration.assert_called_once_with(
            self.etcd_client, 'trellis-conductor', 'h1', ttl=8,
            keepalive_interval=2.0)
        context, topic, obj, action, payload = self.calls.emit.call_args[0]
        self.assertTrue(context.is_admin)
        self.assertEqual(('trellis-conductor', 'service', 'started'),
                         (topic, obj, action))
        self.assertEqual('h1', payload.host)

    def test_extra_hooks(self):
        extra = object()

        class Extra(service.RPCService):
            def extra_endpoints(self):
                return [extra]

            def start_extra(self):
                self.started_extra = True

        svc = Extra(self.manager)
        svc.start()
        self.assertEqual([self.manager, extra],
                         self.calls.get_server.call_args[0][1])
        self.assertTrue(svc.started_extra)

    def test_stop_order(self):
        self.svc.start()
        self.calls.reset_mock()
        self.svc.stop()
        self.assertEqual(
            ['registration().stop', 'get_server().stop', 'get_server().wait',
             'manager.del_host', 'emit', 'rpc_cleanup'],
            self._names())
        self.assertEqual('stopped', self.calls.emit.call_args[0][3])

    def test_stop_is_idempotent(self):
        self.svc.start()
        self.svc.stop()
        self.svc.stop()
        self.server.stop.assert_called_once_with()
        self.registration.stop.assert_called_once_with()
        self.calls.rpc_cleanup.assert_called_once_with()

    def test_stop_before_start(self):
        self.svc.stop()
        self.manager.del_host.assert_called_once_with()
        self.calls.rpc_cleanup.assert_called_once_with()
        self.server.stop.assert_not_called()

    def test_stuck_requests_do_not_block_stop(self):
        release = threading.Event()
        self.addCleanup(release.set)
        self.server.wait.side_effect = lambda: release.wait(30)
        self.svc.start()
        with mock.patch.object(service.LOG, 'warning') as warn:
            self.svc.stop()
        # Gave up on the drain after [service] stop_timeout, then went on
        # to deregister: the service shows down at once.
        self.assertIn('finish in-flight requests', str(warn.call_args_list))
        self.registration.stop.assert_called_once_with()
        self.calls.rpc_cleanup.assert_called_once_with()

    def test_errors_while_stopping_do_not_block_stop(self):
        self.server.stop.side_effect = RuntimeError('broker gone')
        self.manager.del_host.side_effect = RuntimeError('bug')
        self.svc.start()
        with mock.patch.object(service.LOG, 'warning') as warn:
            self.svc.stop()
        self.assertIn('broker gone', str(warn.call_args_list))
        self.registration.stop.assert_called_once_with()
        self.calls.rpc_cleanup.assert_called_once_with()

    def test_wait_returns_after_stop(self):
        self.svc.start()
        waiter = threading.Thread(target=self.svc.wait, daemon=True)
        waiter.start()
        self.assertTrue(waiter.is_alive())
        self.svc.stop()
        waiter.join(10)
        self.assertFalse(waiter.is_alive())


class TestRunBounded(base.TestCase):

    def test_returns_when_done(self):
        func = mock.Mock()
        with mock.patch.object(service.LOG, 'warning') as warn:
            service.RPCService._run_bounded('do it', func, 5)
        func.assert_called_once_with()
        warn.assert_not_called()

    def test_gives_up_after_timeout(self):
        release = threading.Event()
        self.addCleanup(release.set)
        started = threading.Event()

        def stuck():
            started.set()
            release.wait(30)

        with mock.patch.object(service.LOG, 'warning') as warn:
            service.RPCService._run_bounded('drain', stuck, 0.05)
        self.assertTrue(started.is_set())
        warn.assert_called_once_with('Gave up waiting to %s after %ss',
                                     'drain', 0.05)

    def test_error_is_logged(self):
        func = mock.Mock(side_effect=ValueError('bad'))
        with mock.patch.object(service.LOG, 'warning') as warn:
            service.RPCService._run_bounded('do it', func, 5)
        self.assertIn('bad', str(warn.call_args))

    def test_thread_is_daemon(self):
        seen = []
        service.RPCService._run_bounded(
            'x', lambda: seen.append(threading.current_thread().daemon), 5)
        self.assertEqual([True], seen)


class TestPrepareAndLaunch(base.TestCase):

    def test_prepare_service(self):
        conf = cfg.ConfigOpts()
        with mock.patch.object(service.log, 'setup') as setup:
            service.prepare_service(['trellis-conductor', '--debug'], conf)
        self.assertTrue(conf.debug)
        setup.assert_called_once_with(conf, 'trellis')

    def test_launch(self):
        svc = mock.Mock()
        with mock.patch.object(service.service, 'launch') as launch:
            launch.return_value.wait.return_value = 0
            self.assertEqual(0, service.launch(svc))
        launch.assert_called_once_with(self.conf, svc, workers=1,
                                       restart_method='mutate')
