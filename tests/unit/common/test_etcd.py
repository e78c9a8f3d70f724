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


"""Tests of the etcd module's own logic, on a fake etcd3gw client."""

import base64
import json
import threading
from unittest import mock

from etcd3gw import exceptions as etcd_exc
import requests

from tests import base
from trellis.common import etcd
from trellis.common import exception


def _b64decode(value):
    return base64.b64decode(value).decode('utf-8')


class FakeRawLease:
    """Stands for ``etcd3gw.Lease``: ``refresh`` answers from a list."""

    def __init__(self, lease_id=0x1234, ttls=None):
        self.id = lease_id
        self.ttls = list(ttls or [])
        self.refreshed = 0
        self.revoked = False

    def refresh(self):
        self.refreshed += 1
        value = self.ttls.pop(0) if self.ttls else 10
        if isinstance(value, Exception):
            raise value
        return value

    def revoke(self):
        self.revoked = True
        return True


class EtcdTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.raw = mock.Mock()
        patcher = mock.patch.object(etcd.etcd3gw, 'client', autospec=True,
                                    return_value=self.raw)
        self.client_factory = patcher.start()
        self.addCleanup(patcher.stop)
        self.client = etcd.EtcdClient('http://10.0.0.5:2379',
                                      prefix='/trellis', timeout=2.5)


class TestConstruction(EtcdTestCase):

    def test_client_arguments(self):
        self.client_factory.assert_called_once_with(
            host='10.0.0.5', port=2379, protocol='http', ca_cert=None,
            cert_cert=None, cert_key=None, timeout=2.5)
        self.assertEqual('http://10.0.0.5:2379', self.client.url)
        self.assertIs(self.raw, self.client.raw)

    def test_default_port_and_https(self):
        etcd.EtcdClient('https://etcd.example', ca_cert='/ca.pem',
                        cert_file='/c.pem', key_file='/k.pem')
        self.client_factory.assert_called_with(
            host='etcd.example', port=2379, protocol='https',
            ca_cert='/ca.pem', cert_cert='/c.pem', cert_key='/k.pem',
            timeout=5.0)

    def test_invalid_urls(self):
        for url in ('ftp://10.0.0.1:2379', '10.0.0.1:2379', 'http://',
                    'localhost', ''):
            exc = self.assertRaises(exception.ConfigInvalid,
                                    etcd.EtcdClient, url)
            self.assertIn('[etcd] url', str(exc))
            self.assertIn(repr(url), str(exc))

    def test_from_conf(self):
        self.config(url='http://192.0.2.1:12379', prefix='/other',
                    timeout=7.0, group='etcd')
        client = etcd.EtcdClient.from_conf()
        self.assertEqual('/other', client.prefix)
        self.assertEqual(7.0, client.timeout)
        self.client_factory.assert_called_with(
            host='192.0.2.1', port=12379, protocol='http', ca_cert=None,
            cert_cert=None, cert_key=None, timeout=7.0)


class TestKeys(EtcdTestCase):

    def test_key(self):
        self.assertEqual('/trellis/services/t/h',
                         self.client.key('services/t/h'))
        self.assertEqual('/trellis/services/t/h',
                         self.client.key('/services/t/h'))
        self.assertEqual('/trellis/', self.client.key(''))

    def test_prefix_trailing_slash(self):
        client = etcd.EtcdClient('http://h:1', prefix='/a/b/')
        self.assertEqual('/a/b', client.prefix)
        self.assertEqual('/a/b/x', client.key('x'))

    def test_relative(self):
        self.assertEqual('services/t/h',
                         self.client.relative(b'/trellis/services/t/h'))
        self.assertEqual('services/t/h',
                         self.client.relative('/trellis/services/t/h'))
        # Keys outside the prefix (or of a longer prefix) are kept.
        self.assertEqual('/trellis2/x', self.client.relative('/trellis2/x'))
        self.assertEqual('/other/x', self.client.relative(b'/other/x'))

    def test_key_relative_round_trip(self):
        for path in ('a', 'a/b/c', 'galera/c1/nodes/10.0.0.1:3306'):
            self.assertEqual(path, self.client.relative(
                self.client.key(path)))


class TestEncodeValue(base.TestCase):

    def test_encode(self):
        self.assertEqual('text', etcd.encode_value('text'))
        self.assertEqual('bytes', etcd.encode_value(b'bytes'))
        self.assertEqual('{"a":1,"b":[1,2]}',
                         etcd.encode_value({'b': [1, 2], 'a': 1}))
        self.assertEqual('5', etcd.encode_value(5))
        self.assertEqual('null', etcd.encode_value(None))
        self.assertEqual('true', etcd.encode_value(True))

    def test_json_round_trip(self):
        value = {'host': 'h1', 'pid': 12, 'tags': ['x'], 'ok': False}
        self.assertEqual(value, json.loads(etcd.encode_value(value)))


class TestReadsAndWrites(EtcdTestCase):

    def test_get(self):
        self.raw.get.return_value = [b'value']
        self.assertEqual('value', self.client.get('k'))
        self.raw.get.assert_called_once_with('/trellis/k')

    def test_get_missing(self):
        self.raw.get.return_value = []
        self.assertIsNone(self.client.get('k'))
        self.assertIsNone(self.client.get_json('k'))

    def test_get_json(self):
        self.raw.get.return_value = [b'{"a": [1]}']
        self.assertEqual({'a': [1]}, self.client.get_json('k'))

    def test_get_with_meta(self):
        self.raw.get.return_value = [(b'v', {'mod_revision': '7'})]
        self.assertEqual(('v', {'mod_revision': '7'}),
                         self.client.get_with_meta('k'))
        self.raw.get.assert_called_once_with('/trellis/k', metadata=True)
        self.raw.get.return_value = []
        self.assertEqual((None, {}), self.client.get_with_meta('k'))

    def test_get_prefix(self):
        self.raw.get_prefix.return_value = [
            (b'1', {'key': b'/trellis/services/a/h1'}),
            (b'{"x": 2}', {'key': b'/trellis/services/a/h2'}),
            (b'not json', {'key': b'/trellis/services/a/h3'})]
        self.assertEqual({'services/a/h1': '1',
                          'services/a/h2': '{"x": 2}',
                          'services/a/h3': 'not json'},
                         self.client.get_prefix('services/a/'))
        self.raw.get_prefix.assert_called_with(
            '/trellis/services/a/', sort_order='ascend', sort_target='key')
        with mock.patch.object(etcd.LOG, 'warning') as warn:
            self.assertEqual({'services/a/h1': 1,
                              'services/a/h2': {'x': 2}},
                             self.client.get_prefix_json('services/a/'))
        self.assertTrue(warn.called)

    def test_put(self):
        self.client.put('k', {'a': 1})
        self.raw.put.assert_called_once_with('/trellis/k', '{"a":1}',
                                             lease=None)

    def test_put_with_lease(self):
        raw_lease = FakeRawLease()
        lease = etcd.Lease(self.client, raw_lease, 10)
        self.client.put('k', 'v', lease=lease)
        self.raw.put.assert_called_once_with('/trellis/k', 'v',
                                             lease=raw_lease)

    def test_create(self):
        self.raw.create.return_value = True
        self.assertTrue(self.client.create('k', 'v'))
        self.raw.create.return_value = False
        self.assertFalse(self.client.create('k', 'v'))
        self.raw.create.assert_called_with('/trellis/k', 'v', lease=None)

    def test_replace(self):
        self.raw.replace.return_value = True
        self.assertTrue(self.client.replace('k', {'s': 1}, {'s': 2}))
        self.raw.replace.assert_called_once_with('/trellis/k', '{"s":1}',
                                                 '{"s":2}')

    def test_delete(self):
        self.raw.delete.return_value = True
        self.assertTrue(self.client.delete('k'))
        self.raw.delete.assert_called_once_with('/trellis/k')
        self.client.delete_prefix('services/')
        self.raw.delete_prefix.assert_called_once_with('/trellis/services/')


class TestErrors(EtcdTestCase):

    def _check(self, error, expected_text):
        self.raw.get.side_effect = error
        exc = self.assertRaises(exception.EtcdUnavailable, self.client.get,
                                'k')
        self.assertIn('http://10.0.0.5:2379', str(exc))
        self.assertIn(expected_text, str(exc))
        self.assertEqual(503, exc.code)
        self.assertIs(error, exc.__cause__)

    def test_connection_failed(self):
        self._check(etcd_exc.ConnectionFailedError('connection refused'),
                    'connection refused')

    def test_timeout_without_text(self):
        self._check(etcd_exc.ConnectionTimeoutError(),
                    'ConnectionTimeoutError')

    def test_requests_error(self):
        self._check(requests.ConnectionError('no route to host'),
                    'no route to host')

    def test_every_call_translates(self):
        error = etcd_exc.InternalServerError('boom')
        for name in ('put', 'create', 'replace', 'delete', 'delete_prefix',
                     'get_prefix', 'transaction', 'lease', 'status'):
            getattr(self.raw, name).side_effect = error
        calls = [lambda: self.client.put('k', 'v'),
                 lambda: self.client.create('k', 'v'),
                 lambda: self.client.replace('k', 'a', 'b'),
                 lambda: self.client.delete('k'),
                 lambda: self.client.delete_prefix('k'),
                 lambda: self.client.get_prefix('k'),
                 lambda: self.client.transaction([], []),
                 lambda: self.client.lease(5),
                 self.client.status]
        for call in calls:
            self.assertRaises(exception.EtcdUnavailable, call)

    def test_other_errors_pass(self):
        self.raw.get.side_effect = KeyError('bug')
        self.assertRaises(KeyError, self.client.get, 'k')


class TestTransactions(EtcdTestCase):

    def test_value_equals(self):
        compare = self.client.txn_value_equals('state', {'s': 'STEADY'})
        self.assertEqual('EQUAL', compare['result'])
        self.assertEqual('VALUE', compare['target'])
        self.assertEqual('/trellis/state', _b64decode(compare['key']))
        self.assertEqual('{"s":"STEADY"}', _b64decode(compare['value']))

    def test_missing(self):
        compare = self.client.txn_missing('leader')
        self.assertEqual({'result': 'EQUAL', 'target': 'CREATE',
                          'create_revision': 0},
                         {k: v for k, v in compare.items() if k != 'key'})
        self.assertEqual('/trellis/leader', _b64decode(compare['key']))

    def test_put(self):
        request = self.client.txn_put('leader', 'n1')['request_put']
        self.assertEqual('/trellis/leader', _b64decode(request['key']))
        self.assertEqual('n1', _b64decode(request['value']))
        self.assertNotIn('lease', request)
        lease = etcd.Lease(self.client, FakeRawLease(0x99), 10)
        request = self.client.txn_put('leader', 'n1', lease)['request_put']
        self.assertEqual(0x99, request['lease'])

    def test_delete(self):
        request = self.client.txn_delete('q/a')['request_delete_range']
        self.assertEqual('/trellis/q/a', _b64decode(request['key']))

    def test_transaction(self):
        self.raw.transaction.return_value = {'succeeded': True}
        compare = [self.client.txn_missing('a')]
        success = [self.client.txn_put('a', '1')]
        self.assertTrue(self.client.transaction(compare, success))
        self.raw.transaction.assert_called_once_with(
            {'compare': compare, 'success': success, 'failure': []})
        self.raw.transaction.return_value = {}
        self.assertFalse(self.client.transaction(compare, success,
                                                 [self.client.txn_delete('a')]))


class TestLease(EtcdTestCase):

    def _lease(self, ttls=None, ttl=9):
        self.raw_lease = FakeRawLease(0xabc, ttls)
        self.raw.lease.return_value = self.raw_lease
        lease = self.client.lease(ttl)
        self.addCleanup(lease.stop_keep_alive)
        return lease

    def test_grant(self):
        lease = self._lease()
        self.raw.lease.assert_called_once_with(ttl=9)
        self.assertEqual(0xabc, lease.id)
        self.assertEqual(9, lease.ttl)
        self.assertIs(self.raw_lease, lease.raw)
        self.assertFalse(lease.lost.is_set())

    def test_refresh(self):
        lease = self._lease([7, 0])
        self.assertEqual(7, lease.refresh())
        self.assertFalse(lease.lost.is_set())
        self.assertEqual(0, lease.refresh())
        self.assertTrue(lease.lost.is_set())

    def test_refresh_error(self):
        lease = self._lease([etcd_exc.ConnectionFailedError('down')])
        self.assertRaises(exception.EtcdUnavailable, lease.refresh)
        self.assertFalse(lease.lost.is_set())

    def test_keep_alive_refreshes_and_calls_back(self):
        lease = self._lease([9, 9, 9])
        refreshed = threading.Event()
        calls = []

        def on_refresh():
            calls.append(self.raw_lease.refreshed)
            if len(calls) == 3:
                refreshed.set()

        lease.keep_alive(interval=0.01, on_refresh=on_refresh)
        self.assertTrue(refreshed.wait(10))
        lease.stop_keep_alive()
        self.assertEqual([1, 2, 3], calls[:3])
        self.assertFalse(lease.lost.is_set())

    def test_keep_alive_sets_lost_and_stops(self):
        lease = self._lease([9, -1])
        on_refresh = mock.Mock()
        with mock.patch.object(etcd.LOG, 'error') as log_error:
            lease.keep_alive(interval=0.01, on_refresh=on_refresh)
            self.assertTrue(lease.lost.wait(10))
            lease._thread.join(10)
        self.assertFalse(lease._thread.is_alive())
        self.assertEqual(2, self.raw_lease.refreshed)
        on_refresh.assert_called_once_with()
        self.assertTrue(log_error.called)

    def test_keep_alive_survives_errors(self):
        # A failed refresh, then a callback that raises, then a clean one.
        lease = self._lease([etcd_exc.ConnectionFailedError('down'), 9, 9])
        done = threading.Event()
        calls = []

        def on_refresh():
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError('callback bug')
            done.set()

        with mock.patch.object(etcd.LOG, 'warning') as warn, \
                mock.patch.object(etcd.LOG, 'exception') as log_exc:
            lease.keep_alive(interval=0.01, on_refresh=on_refresh)
            self.assertTrue(done.wait(10))
            lease.stop_keep_alive()
        self.assertGreaterEqual(self.raw_lease.refreshed, 3)
        self.assertIn('down', str(warn.call_args))
        self.assertTrue(log_exc.called)
        self.assertFalse(lease.lost.is_set())

    def test_keep_alive_default_interval(self):
        lease = self._lease(ttl=9)
        with mock.patch.object(etcd.threading, 'Thread') as thread_cls:
            lease.keep_alive()
            target = thread_cls.call_args[1]['target']
        self.assertTrue(thread_cls.call_args[1]['daemon'])
        stop = mock.Mock()
        stop.wait.return_value = True
        lease._stop = stop
        target()
        stop.wait.assert_called_once_with(3.0)

    def test_keep_alive_once(self):
        lease = self._lease()
        lease.keep_alive(interval=5)
        thread = lease._thread
        lease.keep_alive(interval=5)
        self.assertIs(thread, lease._thread)

    def test_revoke(self):
        lease = self._lease()
        lease.keep_alive(interval=5)
        thread = lease._thread
        lease.revoke()
        self.assertTrue(self.raw_lease.revoked)
        self.assertTrue(lease.lost.is_set())
        self.assertFalse(thread.is_alive())

    def test_revoke_a_lease_already_gone(self):
        lease = self._lease()
        self.raw_lease.revoke = mock.Mock(side_effect=etcd_exc.Etcd3Exception(
            '{"error":"etcdserver: requested lease not found","code":5}',
            'Not Found'))
        lease.revoke()
        self.assertTrue(lease.lost.is_set())

    def test_http_error_text(self):
        self.raw.get.side_effect = etcd_exc.Etcd3Exception(
            '{"error":"etcdserver: too many requests"}', 'Bad Request')
        exc = self.assertRaises(exception.EtcdUnavailable, self.client.get,
                                'k')
        self.assertIn('too many requests', str(exc))

    def test_revoke_error(self):
        lease = self._lease()
        self.raw_lease.revoke = mock.Mock(
            side_effect=etcd_exc.ConnectionFailedError('down'))
        self.assertRaises(exception.EtcdUnavailable, lease.revoke)


class TestWatch(EtcdTestCase):

    def test_events(self):
        cancel = mock.Mock()
        events = [
            {'type': 'PUT', 'kv': {'key': b'/trellis/q/a', 'value': b'1'}},
            {'type': 'DELETE', 'kv': {'key': b'/trellis/q/a'}},
            {'kv': {'key': b'/trellis/q/b', 'value': b'2'}},
        ]
        self.raw.watch_prefix.return_value = (iter(events), cancel)
        seen = []
        done = threading.Event()

        def callback(event):
            seen.append(event)
            if event['key'] == 'q/a' and event['type'] == 'PUT':
                raise RuntimeError('a callback bug does not stop the watch')
            if len(seen) == 3:
                done.set()

        with mock.patch.object(etcd.LOG, 'exception') as log_exc:
            watch = self.client.watch('q/', callback, prefix=True)
            self.assertTrue(done.wait(10))
            watch.cancel()
        self.raw.watch_prefix.assert_called_once_with('/trellis/q/')
        cancel.assert_called_once_with()
        self.assertEqual([
            {'type': 'PUT', 'key': 'q/a', 'value': '1'},
            {'type': 'DELETE', 'key': 'q/a', 'value': None},
            {'type': 'PUT', 'key': 'q/b', 'value': '2'}], seen)
        self.assertTrue(log_exc.called)

    def test_single_key(self):
        self.raw.watch.return_value = (iter([]), mock.Mock())
        watch = self.client.watch('leader', mock.Mock())
        watch.cancel()
        self.raw.watch.assert_called_once_with('/trellis/leader')

    def test_watch_error(self):
        self.raw.watch.side_effect = etcd_exc.ConnectionFailedError('down')
        self.assertRaises(exception.EtcdUnavailable, self.client.watch,
                          'leader', mock.Mock())
