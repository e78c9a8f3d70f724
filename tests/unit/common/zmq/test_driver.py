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


"""Tests of the driver's logic with the sockets and etcd replaced."""

import sys

import oslo_messaging as messaging
from oslo_messaging._drivers import common as driver_common

from tests import base
from tests.unit.common.zmq import fake_etcd
from trellis.common import exception
from trellis.common.zmq import driver as zmq_driver
from trellis.common.zmq import framing
from trellis.common.zmq import matchmaker


class FakeReactor:
    """Records what the driver sends; ``on_send`` plays the server."""

    def __init__(self) -> None:
        self.sent = []
        self.replies = []
        self.on_send = None
        self.endpoint = 'tcp://127.0.0.1:50001'

    def send(self, endpoint, frames, token=None):
        if token is not None:
            token.sent = True
        self.sent.append((endpoint, framing.decode(frames)))
        if self.on_send is not None:
            self.on_send(endpoint, framing.decode(frames))

    def reply(self, identity, frames):
        self.replies.append((identity, framing.decode(frames)))

    def bind(self):
        return self.endpoint

    def stop(self):
        pass


class DriverTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        url = messaging.TransportURL.parse(self.conf, 'zmq://')
        self.driver = zmq_driver.ZmqDriver(
            self.conf, url, default_exchange='trellis',
            allowed_remote_exmods=[exception.__name__])
        self.etcd = fake_etcd.FakeEtcd()
        self.mm = matchmaker.Matchmaker(self.etcd, resync_interval=300)
        self.mm.add_observer(self.driver._on_entry_change)
        self.mm.start()
        self.reactor = FakeReactor()
        self.driver._matchmaker = self.mm
        self.driver._reactor = self.reactor
        self.driver._started = True
        self.addCleanup(self.driver.cleanup)

    def publish(self, topic, server, endpoint, kind='rpc', pool=None):
        self.etcd.put(matchmaker.entry_path('trellis', topic, server),
                      matchmaker.make_entry(endpoint, kind, pool))

    def answer(self, **reply):
        def on_send(endpoint, body):
            self.driver._on_reply(endpoint, dict(
                {'kind': 'reply', 'id': body['id'], 'result': None,
                 'failure': None, 'error': None}, **reply))
        self.reactor.on_send = on_send


class TestSend(DriverTestCase):

    def test_call_returns_the_result(self):
        self.publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        self.answer(result={'pong': True})
        result = self.driver.send(messaging.Target(topic='conductor'),
                                  {'user': 'u'}, {'method': 'ping'},
                                  wait_for_reply=True, timeout=5)
        self.assertEqual({'pong': True}, result)
        endpoint, body = self.reactor.sent[0]
        self.assertEqual('tcp://10.0.0.1:1', endpoint)
        self.assertEqual('call', body['kind'])
        self.assertEqual({'exchange': 'trellis', 'topic': 'conductor',
                          'server': None, 'fanout': False}, body['target'])
        self.assertEqual({}, self.driver._pending)

    def test_call_reraises_allowed_remote_exception(self):
        self.publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        try:
            raise exception.ConfigInvalid(error='bad')
        except exception.ConfigInvalid:
            failure = driver_common.serialize_remote_exception(
                sys.exc_info())
        self.answer(failure=failure)
        exc = self.assertRaises(
            exception.ConfigInvalid, self.driver.send,
            messaging.Target(topic='conductor'), {}, {'method': 'x'},
            wait_for_reply=True, timeout=5)
        self.assertIn('bad', str(exc))

    def test_other_remote_exception_is_remote_error(self):
        self.publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        try:
            raise KeyError('k')
        except KeyError:
            failure = driver_common.serialize_remote_exception(
                sys.exc_info())
        self.answer(failure=failure)
        # Builtins are allowed by oslo.messaging; a module that is not
        # allowed comes back as RemoteError.
        self.assertRaises(KeyError, self.driver.send,
                          messaging.Target(topic='conductor'), {}, {},
                          wait_for_reply=True, timeout=5)

    def test_call_times_out(self):
        self.publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        exc = self.assertRaises(
            messaging.MessagingTimeout, self.driver.send,
            messaging.Target(topic='conductor', server='h1'), {}, {},
            wait_for_reply=True, timeout=0.2)
        self.assertIn('h1', str(exc))

    def test_call_without_server_times_out_clearly(self):
        exc = self.assertRaises(
            messaging.MessagingTimeout, self.driver.send,
            messaging.Target(topic='nobody'), {}, {},
            wait_for_reply=True, timeout=0.2)
        self.assertIn('No zmq server for topic nobody', str(exc))

    def test_peer_down_fails_the_call_at_once(self):
        self.publish('conductor', 'h1', 'tcp://10.0.0.1:1')

        def on_send(endpoint, body):
            self.driver._on_peer_down(endpoint, 'the connection was closed',
                                      True)
        self.reactor.on_send = on_send
        exc = self.assertRaises(
            zmq_driver.ServerUnavailable, self.driver.send,
            messaging.Target(topic='conductor'), {}, {},
            wait_for_reply=True, timeout=60)
        self.assertIsInstance(exc, messaging.MessagingTimeout)
        self.assertIn('may or may not have run', str(exc))
        self.assertEqual(1, len(self.reactor.sent))

    def test_peer_down_before_sending_is_not_a_maybe(self):
        queued = zmq_driver._PendingCall('q', 'tcp://10.0.0.1:1')
        on_wire = zmq_driver._PendingCall('w', 'tcp://10.0.0.1:1')
        on_wire.sent = True
        other = zmq_driver._PendingCall('o', 'tcp://10.0.0.2:1')
        self.driver._pending.update(q=queued, w=on_wire, o=other)
        self.driver._on_peer_down('tcp://10.0.0.1:1', 'closed', True)
        self.assertTrue(queued.resendable)
        self.assertIn('was not delivered', str(queued.exc))
        self.assertFalse(on_wire.resendable)
        self.assertIn('may or may not have run', str(on_wire.exc))
        self.assertFalse(other.done())
        self.assertTrue(self.driver._is_down('tcp://10.0.0.1:1'))

    def test_undelivered_topic_call_goes_to_another_server(self):
        self.publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        self.publish('conductor', 'h2', 'tcp://10.0.0.2:1')

        def on_send(endpoint, body):
            if endpoint == 'tcp://10.0.0.1:1':
                self.driver._on_peer_down(endpoint, 'refused', False)
            else:
                self.driver._on_reply(endpoint, {
                    'kind': 'reply', 'id': body['id'], 'result': 'ok',
                    'failure': None, 'error': None})
        self.reactor.on_send = on_send
        for _ in range(2):
            self.assertEqual('ok', self.driver.send(
                messaging.Target(topic='conductor'), {}, {},
                wait_for_reply=True, timeout=5))
        # The refusing server is avoided afterwards.
        self.assertEqual(['tcp://10.0.0.1:1', 'tcp://10.0.0.2:1',
                          'tcp://10.0.0.2:1'],
                         [e for e, _ in self.reactor.sent])

    def test_undelivered_call_to_a_named_server_fails(self):
        self.publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        self.reactor.on_send = lambda endpoint, body: (
            self.driver._on_peer_down(endpoint, 'refused', False))
        exc = self.assertRaises(
            zmq_driver.ServerUnavailable, self.driver.send,
            messaging.Target(topic='conductor', server='h1'), {}, {},
            wait_for_reply=True, timeout=5)
        self.assertIn('was not delivered', str(exc))

    def test_heartbeats_keep_a_call_alive(self):
        self.publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        self.reactor.on_send = None
        self.assertRaises(messaging.MessagingTimeout, self.driver.send,
                          messaging.Target(topic='conductor'), {}, {},
                          wait_for_reply=True, timeout=5,
                          call_monitor_timeout=0.2)
        self.assertEqual(0.2, self.reactor.sent[0][1]['timeout'])

    def test_cast_to_one_server(self):
        self.publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        self.publish('conductor', 'h2', 'tcp://10.0.0.2:1')
        self.assertIsNone(self.driver.send(
            messaging.Target(topic='conductor', server='h2'), {},
            {'method': 'm'}))
        endpoint, body = self.reactor.sent[0]
        self.assertEqual('tcp://10.0.0.2:1', endpoint)
        self.assertEqual('cast', body['kind'])

    def test_cast_without_server_fails(self):
        self.assertRaises(messaging.MessageDeliveryFailure, self.driver.send,
                          messaging.Target(topic='nobody'), {}, {}, retry=0)

    def test_fanout_reaches_every_process_once(self):
        self.publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        self.publish('conductor', 'h2', 'tcp://10.0.0.2:1')
        self.publish('conductor', 'h3', 'tcp://10.0.0.2:1')
        self.driver.send(messaging.Target(topic='conductor', fanout=True),
                         {}, {})
        self.assertEqual(['tcp://10.0.0.1:1', 'tcp://10.0.0.2:1'],
                         sorted(e for e, _ in self.reactor.sent))
        self.assertTrue(all(b['target']['fanout']
                            for _, b in self.reactor.sent))

    def test_fanout_to_nobody_is_fine(self):
        self.driver.send(messaging.Target(topic='x', fanout=True), {}, {})
        self.assertEqual([], self.reactor.sent)

    def test_notification_one_copy_per_pool_and_per_listener(self):
        topic = 'notifications.info'
        self.publish(topic, 'l1', 'tcp://a:1', 'notify', pool='p')
        self.publish(topic, 'l2', 'tcp://b:1', 'notify', pool='p')
        self.publish(topic, 'l3', 'tcp://c:1', 'notify')
        self.publish(topic, 'l4', 'tcp://d:1', 'notify')
        self.publish(topic, 'rpc-server', 'tcp://e:1', 'rpc')
        self.driver.send_notification(
            messaging.Target(topic=topic), {}, {'event_type': 'x'}, 2.0)
        endpoints = sorted(e for e, _ in self.reactor.sent)
        self.assertEqual(3, len(endpoints))
        self.assertIn('tcp://c:1', endpoints)
        self.assertIn('tcp://d:1', endpoints)
        self.assertNotIn('tcp://e:1', endpoints)

    def test_notification_without_listener_is_dropped(self):
        self.driver.send_notification(
            messaging.Target(topic='notifications.info'), {}, {}, 2.0)
        self.assertEqual([], self.reactor.sent)


class TestReceive(DriverTestCase):

    def _listen(self, topic='conductor', server='h1'):
        listener = self.driver.listen(
            messaging.Target(topic=topic, server=server), 1, None)
        received = []
        listener.start(received.extend)
        self.addCleanup(listener.stop)
        return listener, received

    def _request(self, kind='call', server=None, fanout=False,
                 topic='conductor'):
        return {'kind': kind, 'id': 'm1',
                'target': framing.target_dict('trellis', topic, server,
                                              fanout),
                'ctxt': {'u': 1}, 'message': {'method': 'ping'},
                'timeout': 10}

    def test_listener_registers_and_unregisters(self):
        listener, _ = self._listen()
        path = 'matchmaker/trellis/conductor/h1'
        self.assertIn(path, self.etcd.data)
        listener.stop()
        self.assertNotIn(path, self.etcd.data)

    def test_call_is_delivered_and_replied(self):
        _, received = self._listen()
        self.driver._on_request(b'peer', self._request())
        self.assertEqual(1, len(received))
        incoming = received[0]
        self.assertEqual({'u': 1}, incoming.ctxt)
        self.assertEqual({'method': 'ping'}, incoming.message)
        self.assertEqual(10, incoming.client_timeout)
        incoming.heartbeat()
        incoming.reply({'pong': 1})
        self.assertEqual([(b'peer', {'kind': 'heartbeat', 'id': 'm1'}),
                          (b'peer', {'kind': 'reply', 'id': 'm1',
                                     'result': {'pong': 1}, 'failure': None,
                                     'error': None})],
                         self.reactor.replies)

    def test_failure_reply_is_serialised(self):
        _, received = self._listen()
        self.driver._on_request(b'peer', self._request())
        try:
            raise ValueError('nope')
        except ValueError:
            received[0].reply(failure=sys.exc_info())
        failure = self.reactor.replies[0][1]['failure']
        self.assertIn('ValueError', failure)
        self.assertIn('nope', failure)

    def test_cast_gets_no_reply(self):
        _, received = self._listen()
        self.driver._on_request(b'peer', self._request('cast'))
        received[0].reply('ignored')
        self.assertEqual([], self.reactor.replies)

    def test_call_for_a_server_not_here_is_refused_at_once(self):
        self._listen()
        self.driver._on_request(b'peer', self._request(server='h2'))
        reply = self.reactor.replies[0][1]
        self.assertIn('no server for topic conductor, server h2',
                      reply['error'])

    def test_fanout_reaches_every_local_listener(self):
        _, first = self._listen(server='h1')
        _, second = self._listen(server='h2')
        self.driver._on_request(b'peer', self._request('cast', fanout=True))
        self.assertEqual((1, 1), (len(first), len(second)))

    def test_stopped_listener_gets_nothing(self):
        listener, received = self._listen()
        listener.stop()
        self.driver._on_request(b'peer', self._request())
        self.assertEqual([], received)
        self.assertIsNotNone(self.reactor.replies[0][1]['error'])

    def test_notification_listener(self):
        listener = self.driver.listen_for_notifications(
            [(messaging.Target(topic='notifications'), 'info')], 'pool-a',
            1, None)
        received = []
        listener.start(received.extend)
        self.addCleanup(listener.stop)
        (exchange, topic, name), = listener.subscriptions
        self.assertEqual(('trellis', 'notifications.info'), (exchange, topic))
        entry = self.mm.lookup('trellis', topic, name, kind='notify')
        self.assertEqual('pool-a', entry['pool'])
        self.driver._on_request(b'peer', {
            'kind': 'notify', 'id': 'n1',
            'target': framing.target_dict('trellis', topic, name),
            'ctxt': {}, 'message': {'event_type': 'e'}})
        self.assertEqual([{'event_type': 'e'}],
                         [m.message for m in received])

    def test_cleanup_fails_waiting_calls_and_unpublishes(self):
        self._listen()
        pending = zmq_driver._PendingCall('x', 'tcp://a:1')
        self.driver._pending['x'] = pending
        self.driver.cleanup()
        self.assertIsInstance(pending.exc, messaging.MessagingException)
        self.assertEqual({}, self.etcd.data)
        self.assertRaises(messaging.MessagingException,
                          self.driver._ensure_started)
