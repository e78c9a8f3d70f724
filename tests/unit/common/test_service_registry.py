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


"""Tests of service liveness in etcd (on a mocked EtcdClient)."""

import os
from unittest import mock

from tests import base
from trellis.common import etcd
from trellis.common import exception
from trellis.common import service_registry
from trellis.common import version


class TestServiceRegistration(base.TestCase):

    def setUp(self):
        super().setUp()
        self.client = mock.Mock(spec=etcd.EtcdClient)
        self.lease = mock.Mock(spec=etcd.Lease)
        self.lease.id = 0x42
        self.client.lease.return_value = self.lease
        self.reg = service_registry.ServiceRegistration(
            self.client, 'trellis-conductor', 'h1', ttl=6,
            keepalive_interval=1.5)

    def test_paths(self):
        self.assertEqual('services/trellis-conductor/h1', self.reg.path)
        self.assertEqual('service_records/trellis-conductor/h1',
                         self.reg.record_path)

    @mock.patch.object(service_registry.time, 'time', return_value=1000.0)
    def test_start(self, mock_time):
        self.reg.start()
        self.client.lease.assert_called_once_with(6)
        self.assertIs(self.lease, self.reg.lease)
        info = {'topic': 'trellis-conductor', 'host': 'h1',
                'pid': os.getpid(), 'version': version.version_string(),
                'started_at': 1000.0}
        record = dict(info, last_seen=1000.0, stopped_at=None)
        self.assertEqual(
            [mock.call('services/trellis-conductor/h1', info,
                       lease=self.lease),
             mock.call('service_records/trellis-conductor/h1', record)],
            self.client.put.call_args_list)
        self.lease.keep_alive.assert_called_once_with(
            1.5, on_refresh=self.reg._on_refresh)

    def test_refresh_updates_last_seen(self):
        with mock.patch.object(service_registry.time, 'time',
                               return_value=10.0):
            self.reg.start()
        self.client.put.reset_mock()
        with mock.patch.object(service_registry.time, 'time',
                               return_value=13.0):
            self.reg._on_refresh()
        path, record = self.client.put.call_args[0]
        self.assertEqual('service_records/trellis-conductor/h1', path)
        self.assertEqual(13.0, record['last_seen'])
        self.assertEqual(10.0, record['started_at'])
        self.assertIsNone(record['stopped_at'])
        self.assertNotIn('lease', self.client.put.call_args[1])

    def test_stop_revokes_and_keeps_record(self):
        self.reg.start()
        self.client.put.reset_mock()
        with mock.patch.object(service_registry.time, 'time',
                               return_value=20.0):
            self.reg.stop()
        self.lease.revoke.assert_called_once_with()
        path, record = self.client.put.call_args[0]
        self.assertEqual('service_records/trellis-conductor/h1', path)
        self.assertEqual(20.0, record['stopped_at'])
        self.assertEqual(20.0, record['last_seen'])
        self.assertIsNone(self.reg.lease)

    def test_stop_twice(self):
        self.reg.start()
        self.reg.stop()
        self.reg.stop()
        self.lease.revoke.assert_called_once_with()

    def test_stop_before_start(self):
        self.reg.stop()
        self.client.put.assert_not_called()

    def test_etcd_failure_on_stop_is_logged(self):
        self.reg.start()
        self.lease.revoke.side_effect = exception.EtcdUnavailable(
            url='http://e:2379', error='down')
        with mock.patch.object(service_registry.LOG, 'warning') as warn:
            self.reg.stop()
        self.assertIn('down', str(warn.call_args))
        self.assertIsNone(self.reg.lease)

    def test_record_failure_on_stop_is_logged(self):
        self.reg.start()
        self.client.put.side_effect = exception.EtcdUnavailable(
            url='http://e:2379', error='down')
        with mock.patch.object(service_registry.LOG, 'warning') as warn:
            self.reg.stop()
        self.lease.revoke.assert_called_once_with()
        self.assertTrue(warn.called)


class TestListServices(base.TestCase):

    def setUp(self):
        super().setUp()
        self.client = mock.Mock(spec=etcd.EtcdClient)
        self.live = {}
        self.records = {}

        def get_prefix_json(path):
            source = (self.live if path.startswith('services/')
                      else self.records)
            return {k: v for k, v in source.items() if k.startswith(path)}

        self.client.get_prefix_json.side_effect = get_prefix_json

    def _record(self, topic, host, **kwargs):
        record = {'topic': topic, 'host': host, 'pid': 10, 'version': '0.9',
                  'started_at': 1.0, 'last_seen': 5.0, 'stopped_at': None}
        record.update(kwargs)
        self.records['service_records/%s/%s' % (topic, host)] = record

    def _live(self, topic, host, **kwargs):
        info = {'topic': topic, 'host': host, 'pid': 20, 'version': '1.0',
                'started_at': 2.0}
        info.update(kwargs)
        self.live['services/%s/%s' % (topic, host)] = info

    @mock.patch.object(service_registry.time, 'time', return_value=100.0)
    def test_merge(self, mock_time):
        # Up: a live key (and its record).
        self._record('trellis-api', 'h1')
        self._live('trellis-api', 'h1')
        # Down, killed: a record with no live key.
        self._record('trellis-conductor', 'h2', last_seen=50.0)
        # Down, stopped cleanly.
        self._record('trellis-conductor', 'h1', stopped_at=60.0,
                     last_seen=60.0)
        # Up, record not written yet.
        self._live('trellis-scheduler', 'h3')
        rows = service_registry.list_services(self.client)
        self.assertEqual(
            [('trellis-api', 'h1'), ('trellis-conductor', 'h1'),
             ('trellis-conductor', 'h2'), ('trellis-scheduler', 'h3')],
            [(r.topic, r.host) for r in rows])
        api, cond1, cond2, sched = rows
        self.assertTrue(api.up)
        self.assertEqual(100.0, api.last_seen)
        self.assertEqual(20, api.pid)
        self.assertEqual('1.0', api.version)
        self.assertEqual(2.0, api.started_at)
        self.assertIsNone(api.stopped_at)
        self.assertFalse(cond1.up)
        self.assertEqual(60.0, cond1.stopped_at)
        self.assertEqual(60.0, cond1.last_seen)
        self.assertFalse(cond2.up)
        self.assertEqual(50.0, cond2.last_seen)
        self.assertIsNone(cond2.stopped_at)
        self.assertEqual(10, cond2.pid)
        self.assertTrue(sched.up)
        self.assertEqual(100.0, sched.last_seen)

    def test_live_clears_stale_stopped_at(self):
        # Restarted: the record still says stopped, the live key wins.
        self._record('trellis-api', 'h1', stopped_at=3.0)
        self._live('trellis-api', 'h1')
        row, = service_registry.list_services(self.client)
        self.assertTrue(row.up)
        self.assertIsNone(row.stopped_at)

    def test_topic_filter(self):
        self._record('trellis-api', 'h1')
        self._record('trellis-conductor', 'h1')
        rows = service_registry.list_services(self.client,
                                              topic='trellis-api')
        self.assertEqual(['trellis-api'], [r.topic for r in rows])
        self.client.get_prefix_json.assert_any_call('services/trellis-api/')
        self.client.get_prefix_json.assert_any_call(
            'service_records/trellis-api/')

    def test_empty(self):
        self.assertEqual([], service_registry.list_services(self.client))

    def test_to_dict(self):
        self._record('trellis-api', 'h1')
        row, = service_registry.list_services(self.client)
        self.assertEqual({'topic': 'trellis-api', 'host': 'h1', 'up': False,
                          'last_seen': 5.0, 'started_at': 1.0, 'pid': 10,
                          'version': '0.9', 'stopped_at': None},
                         row.to_dict())

    def test_etcd_error_propagates(self):
        self.client.get_prefix_json.side_effect = exception.EtcdUnavailable(
            url='http://e:2379', error='down')
        self.assertRaises(exception.EtcdUnavailable,
                          service_registry.list_services, self.client)

    def test_forget(self):
        self.client.delete.return_value = True
        self.assertTrue(service_registry.forget_service(
            self.client, 'trellis-api', 'h1'))
        self.client.delete.assert_called_once_with(
            'service_records/trellis-api/h1')
