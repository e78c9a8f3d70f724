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


"""RPC, notifications and security over zmq:// between real processes."""

import socket
import threading

import oslo_messaging as messaging
import zmq

from tests.functional import fixtures as func_fixtures
from tests.functional.base import wait_for
from tests.functional.common.zmq import zmq_fixtures
from trellis.common import exception
from trellis.common.zmq import driver as zmq_driver


class NotificationSink:
    """A notification endpoint that keeps what it gets."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict]] = []
        self.lock = threading.Lock()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        with self.lock:
            self.events.append((publisher_id, event_type, payload))

    def of_type(self, event_type: str) -> list:
        with self.lock:
            return [e for e in self.events if e[1] == event_type]


class TestRPC(zmq_fixtures.ZmqTestCase):

    def setUp(self):
        super().setUp()
        self.s1 = self.start_server('s1')
        self.s2 = self.start_server('s2')
        self.transport = self.make_transport()

    def test_call_returns_values(self):
        client = self.client(self.transport)
        value = {'a': [1, 2.5, 'x', None, True], 'b': {'c': 'ü'}}
        self.assertEqual(value, client.call({}, 'echo', value=value))

    def test_topic_and_server_addressing(self):
        client = self.client(self.transport)
        self.assertEqual('s2', client.prepare(server='s2').call(
            {}, 'whoami')['server'])
        self.assertEqual('s1', client.prepare(server='s1').call(
            {}, 'whoami')['server'])
        # Topic alone: round robin over the live servers.
        seen = {client.call({}, 'whoami')['server'] for _ in range(6)}
        self.assertEqual({'s1', 's2'}, seen)

    def test_cast_and_fanout(self):
        client = self.client(self.transport)
        for n in range(4):
            client.cast({}, 'record', value=n)
        client.prepare(server='s1').cast({}, 'record', value='only-s1')
        client.prepare(fanout=True).cast({}, 'record', value='everyone')

        def recorded():
            got = {name: client.prepare(server=name).call({}, 'recorded')
                   for name in ('s1', 's2')}
            if all('everyone' in v for v in got.values()) and sum(
                    len(v) for v in got.values()) == 7:
                return got
            return None

        got = wait_for(recorded, 30, what='all casts handled')
        self.assertEqual([0, 1, 2, 3], sorted(
            v for values in got.values() for v in values
            if isinstance(v, int)))
        self.assertIn('only-s1', got['s1'])
        self.assertNotIn('only-s1', got['s2'])

    def test_remote_exceptions(self):
        client = self.client(self.transport)
        exc = self.assertRaises(exception.ConfigInvalid, client.call, {},
                                'fail_trellis')
        self.assertIn('as asked', str(exc))
        self.assertRaises(ValueError, client.call, {}, 'fail_builtin')
        # A module that is not allowed comes back as RemoteError, as
        # over RabbitMQ.
        exc = self.assertRaises(messaging.RemoteError, client.call, {},
                                'nope')
        self.assertEqual('NoSuchMethod', exc.exc_type)

    def test_call_timeout(self):
        client = self.client(self.transport, timeout=1)
        exc = self.assertRaises(messaging.MessagingTimeout, client.call,
                                {}, 'sleep', seconds=5)
        self.assertNotIsInstance(exc, zmq_driver.ServerUnavailable)

    def test_matchmaker_entries(self):
        entries = self.etcd_client.get_prefix_json('matchmaker/')
        self.assertEqual(
            self.s1.endpoint,
            entries['matchmaker/trellis/zmq-test/s1']['endpoint'])
        self.assertEqual(
            self.s2.endpoint,
            entries['matchmaker/trellis/zmq-test/s2']['endpoint'])
        # A graceful stop removes the entry at once.
        self.s2.stop()
        self.assertNotIn('matchmaker/trellis/zmq-test/s2',
                         self.etcd_client.get_prefix('matchmaker/'))

    def test_notifications_over_zmq(self):
        sink = NotificationSink()
        ntransport = messaging.get_notification_transport(self.conf,
                                                          url='zmq://')
        self.addCleanup(ntransport.cleanup)
        listener = messaging.get_notification_listener(
            ntransport, [messaging.Target(topic='notifications')], [sink],
            executor='threading')
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)
        client = self.client(self.transport, server='s1')

        def received():
            # Best effort: emit until the publisher has seen the listener.
            client.call({}, 'emit', event_type='zmq.test',
                        payload={'n': 1})
            return sink.of_type('zmq.test')

        events = wait_for(received, 30, interval=0.2,
                          what='a notification over zmq')
        self.assertEqual(('zmq-test.s1', 'zmq.test', {'n': 1}), events[0])


class TestBindAddress(zmq_fixtures.ZmqTestCase):

    def test_binds_only_to_the_configured_address(self):
        sections = self.server_sections()
        sections['zmq']['bind_address'] = '127.0.0.2'
        server = self.start_server('s1', sections)
        self.assertTrue(server.endpoint.startswith('tcp://127.0.0.2:'))
        port = int(server.endpoint.rsplit(':', 1)[1])
        # Nothing listens on that port on another address.
        with socket.socket() as sock:
            self.assertNotEqual(0, sock.connect_ex(('127.0.0.1', port)))
        client = self.client(self.make_transport())
        self.assertEqual('s1', client.call({}, 'whoami')['server'])


class TestNotificationsToRabbitMQ(zmq_fixtures.ZmqTestCase):
    """RPC over ZeroMQ, notifications through RabbitMQ."""

    def test_split_transports(self):
        rabbit = self.useFixture(func_fixtures.RabbitMQFixture())
        sections = self.server_sections()
        sections['oslo_messaging_notifications'] = {
            'transport_url': rabbit.transport_url}
        self.start_server('s1', sections)
        sink = NotificationSink()
        ntransport = messaging.get_notification_transport(
            self.conf, url=rabbit.transport_url)
        self.addCleanup(ntransport.cleanup)
        listener = messaging.get_notification_listener(
            ntransport, [messaging.Target(topic='notifications')], [sink],
            executor='threading')
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)
        client = self.client(self.make_transport())
        self.assertTrue(client.call({}, 'emit', event_type='split.test',
                                    payload={'via': 'rabbit'}))
        events = wait_for(lambda: sink.of_type('split.test'), 30,
                          what='a notification through RabbitMQ')
        self.assertEqual([('zmq-test.s1', 'split.test', {'via': 'rabbit'})],
                         events)
        # Nothing about notifications went to the zmq matchmaker.
        entries = self.etcd_client.get_prefix_json('matchmaker/')
        self.assertEqual(['matchmaker/trellis/zmq-test/s1'], list(entries))


def _keypair() -> list[str]:
    """A CURVE key pair as oslo.config values ("$" must be doubled)."""
    return [k.decode().replace('$', '$$') for k in zmq.curve_keypair()]


class TestCurve(zmq_fixtures.ZmqTestCase):
    """CURVE: only clients whose public key is allowed get a call in."""

    def setUp(self):
        super().setUp()
        self.server_keys = _keypair()
        self.good_keys = _keypair()
        self.bad_keys = _keypair()
        server_side = _keypair()
        sections = self.server_sections()
        sections['zmq'].update({
            'security': 'curve',
            'curve_server_public_key': self.server_keys[0],
            'curve_server_secret_key': self.server_keys[1],
            'curve_client_public_key': server_side[0],
            'curve_client_secret_key': server_side[1],
            'curve_allowed_client_keys': [self.good_keys[0]],
        })
        self.start_server('s1', sections)

    def _transport(self, security, client_keys=None):
        self.config(security=security, group='zmq')
        if client_keys:
            self.config(curve_server_public_key=self.server_keys[0],
                        curve_client_public_key=client_keys[0],
                        curve_client_secret_key=client_keys[1],
                        group='zmq')
        transport = self.make_transport()
        # The driver reads its security settings when it first sends.
        self.assertRaises(messaging.MessagingTimeout,
                          self.client(transport, timeout=1,
                                      topic='nobody').call, {}, 'x')
        return transport

    def test_only_allowed_keys_get_through(self):
        good = self.client(self._transport('curve', self.good_keys),
                           timeout=10)
        self.assertEqual('s1', good.call({}, 'whoami')['server'])

        unknown_key = self.client(
            self._transport('curve', self.bad_keys), timeout=10)
        exc = self.assertRaises(zmq_driver.ServerUnavailable,
                                unknown_key.call, {}, 'record',
                                value='bad-key')
        self.assertIn('CURVE', str(exc))

        plain = self.client(self._transport('none'), timeout=10)
        self.assertRaises(messaging.MessagingTimeout, plain.call, {},
                          'record', value='no-curve')
        plain.cast({}, 'record', value='no-curve-cast')
        unknown_key.cast({}, 'record', value='bad-key-cast')

        # The server ran only what the allowed client sent.
        good.cast({}, 'record', value='good')
        recorded = wait_for(lambda: good.call({}, 'recorded'), 10,
                            what='the good cast')
        self.assertEqual(['good'], recorded)
