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

"""Tests of ``trellis-manage service list`` and ``service ping``."""

import argparse
import io
import json
import time
from unittest import mock

import oslo_messaging as messaging

from tests import base
from trellis.common import exception
from trellis.common import service_registry
from trellis.services.manage import app
from trellis.services.manage import service

NOW = 1795000000.0      # 2026-11-18 11:06:40 UTC


def _status(topic='trellis-conductor', host='h1', up=True, **kwargs):
    values = dict(last_seen=NOW, started_at=NOW - 3600, pid=42,
                  version='0.1.0', stopped_at=None)
    values.update(kwargs)
    return service_registry.ServiceStatus(topic=topic, host=host, up=up,
                                          **values)


class ManageTestCase(base.TestCase):
    """Runs the real cliff app in-process, config and logging mocked."""

    def setUp(self):
        super().setUp()
        self.useFixture_patch('trellis.services.manage.app.load_config')
        self.useFixture_patch('trellis.services.manage.app.setup_logging')

    def useFixture_patch(self, target, **kwargs):
        patcher = mock.patch(target, **kwargs)
        mocked = patcher.start()
        self.addCleanup(patcher.stop)
        return mocked

    def manage(self, *argv):
        stdout, stderr = io.StringIO(), io.StringIO()
        code = app.TrellisManage(stdout=stdout, stderr=stderr).run(
            list(argv))
        return code, stdout.getvalue(), stderr.getvalue()


@mock.patch.object(time, 'time', return_value=NOW)
class TestServiceList(ManageTestCase):

    def setUp(self):
        super().setUp()
        self.from_conf = self.useFixture_patch(
            'trellis.common.etcd.EtcdClient.from_conf')
        self.list_services = self.useFixture_patch(
            'trellis.common.service_registry.list_services')

    def test_columns_and_states(self, mock_time):
        self.list_services.return_value = [
            _status(),
            _status(topic='trellis-scheduler', host='h2', up=False,
                    last_seen=NOW - 75, version=None)]
        code, out, err = self.manage('service', 'list', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([
            {'Topic': 'trellis-conductor', 'Host': 'h1', 'State': 'up',
             'Last Seen': '2026-11-18 11:06:40 UTC',
             'Started': '2026-11-18 10:06:40 UTC', 'Version': '0.1.0'},
            {'Topic': 'trellis-scheduler', 'Host': 'h2', 'State': 'down',
             'Last Seen': '2026-11-18 11:05:25 UTC (1m15s ago)',
             'Started': '2026-11-18 10:06:40 UTC', 'Version': '-'},
        ], json.loads(out))
        self.list_services.assert_called_once_with(
            self.from_conf.return_value, topic=None)

    def test_long_adds_pid_and_stopped(self, mock_time):
        self.list_services.return_value = [
            _status(up=False, stopped_at=NOW - 5, last_seen=NOW - 5),
            _status(host='h2', pid=None)]
        code, out, err = self.manage('service', 'list', '--long',
                                     '-f', 'json')
        self.assertEqual(0, code, err)
        rows = json.loads(out)
        self.assertEqual([42, '-'], [r['PID'] for r in rows])
        self.assertEqual(['2026-11-18 11:06:35 UTC', '-'],
                         [r['Stopped'] for r in rows])

    def test_topic_filter_accepts_short_names(self, mock_time):
        self.list_services.return_value = []
        code, out, err = self.manage('service', 'list', '--topic',
                                     'galera_watcher', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([], json.loads(out))
        self.list_services.assert_called_once_with(
            mock.ANY, topic='trellis-galera-watcher')

    def test_unknown_topic_is_a_usage_error(self, mock_time):
        # argparse exits 2 (cliff lets SystemExit through), usage on stderr.
        stderr = io.StringIO()
        with mock.patch('sys.stderr', stderr):
            exc = self.assertRaises(SystemExit, self.manage, 'service',
                                    'list', '--topic', 'nova')
        self.assertEqual(2, exc.code)
        self.assertIn("unknown service 'nova'", stderr.getvalue())
        self.list_services.assert_not_called()

    def test_etcd_unreachable(self, mock_time):
        self.list_services.side_effect = exception.EtcdUnavailable(
            url='http://10.0.0.1:2379', error='ConnectionFailedError')
        code, out, err = self.manage('service', 'list')
        self.assertEqual(1, code)
        self.assertEqual('etcd at http://10.0.0.1:2379 is unreachable or '
                         'failed: ConnectionFailedError\n', err)
        self.assertEqual('', out)

    def test_debug_shows_the_traceback(self, mock_time):
        self.list_services.side_effect = exception.EtcdUnavailable(
            url='http://10.0.0.1:2379', error='boom')
        code, out, err = self.manage('--debug', 'service', 'list')
        self.assertEqual(1, code)
        self.assertIn('Traceback', err)
        self.assertIn('etcd at http://10.0.0.1:2379', err)


class TestServicePing(ManageTestCase):

    def setUp(self):
        super().setUp()
        self.check_bus = self.useFixture_patch(
            'trellis.services.manage.base.check_bus')
        self.api = mock.Mock()
        self.api_cls = mock.Mock(return_value=self.api)
        patcher = mock.patch.dict(service.RPCAPI_BY_TOPIC,
                                  {'trellis-conductor': self.api_cls})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_answer(self):
        self.api.ping.return_value = {'host': 'h1',
                                      'topic': 'trellis-conductor',
                                      'version': '0.1.0', 'uptime': 3725.5}
        code, out, err = self.manage('service', 'ping', 'conductor',
                                     '--host', 'h1', '--timeout', '4',
                                     '-f', 'json')
        self.assertEqual(0, code, err)
        answer = json.loads(out)
        self.assertEqual({'Host': 'h1', 'Topic': 'trellis-conductor',
                          'Version': '0.1.0', 'Uptime': '1h02m'},
                         {k: answer[k] for k in ('Host', 'Topic', 'Version',
                                                 'Uptime')})
        self.assertGreaterEqual(answer['Round Trip (ms)'], 0)
        self.check_bus.assert_called_once_with()
        self.api.ping.assert_called_once_with(mock.ANY, host='h1',
                                              timeout=4.0, retry=0)

    def test_default_timeout_from_config(self):
        self.config(rpc_ping_timeout=7)
        self.api.ping.return_value = {'host': 'h1', 'uptime': 1}
        code, out, err = self.manage('service', 'ping', 'trellis-conductor')
        self.assertEqual(0, code, err)
        self.api.ping.assert_called_once_with(mock.ANY, host=None,
                                              timeout=7, retry=0)

    def test_nobody_answers(self):
        self.api.ping.side_effect = messaging.MessagingTimeout('late')
        code, out, err = self.manage('service', 'ping', 'conductor',
                                     '--timeout', '3')
        self.assertEqual(1, code)
        self.assertEqual('No trellis-conductor answered within 3 s.\n', err)

    def test_nobody_answers_on_host(self):
        self.api.ping.side_effect = messaging.MessagingTimeout('late')
        code, out, err = self.manage('service', 'ping', 'conductor',
                                     '--host', 'h9', '--timeout', '2.5')
        self.assertEqual(1, code)
        self.assertEqual('No trellis-conductor on host h9 answered within '
                         '2.5 s.\n', err)

    def test_bus_unreachable(self):
        self.check_bus.side_effect = exception.MessagingUnavailable(
            url='rabbit://u:***@10.0.0.1:5672/', error='refused')
        code, out, err = self.manage('service', 'ping', 'conductor')
        self.assertEqual(1, code)
        self.assertEqual('The message bus at rabbit://u:***@10.0.0.1:5672/ '
                         'is unreachable: refused\n', err)
        self.api.ping.assert_not_called()


class TestHelpers(base.TestCase):

    def test_topic_name(self):
        for value in ('conductor', 'trellis-conductor', ' conductor '):
            self.assertEqual('trellis-conductor', service.topic_name(value))
        self.assertEqual('trellis-galera-watcher',
                         service.topic_name('galera_watcher'))
        self.assertRaises(argparse.ArgumentTypeError, service.topic_name,
                          'trellis-nova')

    def test_every_topic_has_an_rpcapi(self):
        for topic, cls in service.RPCAPI_BY_TOPIC.items():
            self.assertEqual(topic, cls.TOPIC)
        self.assertEqual(set(service.rpc.ALL_TOPICS),
                         set(service.RPCAPI_BY_TOPIC))

    def test_format_age(self):
        self.assertEqual(['0s', '59s', '1m00s', '59m59s', '1h00m',
                          '23h59m', '1d00h'],
                         [service.format_age(s) for s in
                          (0.4, 59, 60, 3599, 3600, 86399, 86400)])

    def test_format_time(self):
        self.assertEqual('-', service.format_time(None))
        self.assertEqual('2026-11-18 11:06:40 UTC',
                         service.format_time(NOW, now=NOW + 0.5))
        self.assertEqual('2026-11-18 11:06:40 UTC (2s ago)',
                         service.format_time(NOW, now=NOW + 2))
