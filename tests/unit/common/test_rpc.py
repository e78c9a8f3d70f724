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


"""Tests of the RPC transport owner."""

from unittest import mock

import oslo_messaging as messaging
from oslo_messaging import conffixture
from oslo_messaging.rpc import dispatcher

from tests import base
from trellis.common import context
from trellis.common import exception
from trellis.common import rpc


class RPCTestCase(base.TestCase):
    """A test on the in-process ``fake:/`` transport."""

    def setUp(self):
        super().setUp()
        messaging_conf = self.useFixture(conffixture.ConfFixture(self.conf))
        messaging_conf.transport_url = 'fake:/'
        self.addCleanup(rpc.cleanup)


class TestRequestContextSerializer(base.TestCase):

    def setUp(self):
        super().setUp()
        self.base = mock.Mock(spec=messaging.Serializer)
        self.serializer = rpc.RequestContextSerializer(self.base)
        self.context = context.RequestContext(
            user_id='u1', project_id='p1', roles=['admin'], is_admin=True,
            request_id='req-1')

    def test_context_round_trip(self):
        data = self.serializer.serialize_context(self.context)
        self.assertIsInstance(data, dict)
        copy = self.serializer.deserialize_context(data)
        self.assertIsInstance(copy, context.RequestContext)
        self.assertEqual(self.context.to_dict(), copy.to_dict())
        self.assertTrue(copy.is_admin)
        self.assertEqual('req-1', copy.request_id)

    def test_dict_context_passes_through(self):
        data = {'user': 'u2'}
        self.assertIs(data, self.serializer.serialize_context(data))

    def test_entities_use_base(self):
        self.base.serialize_entity.return_value = 'out'
        self.base.deserialize_entity.return_value = 'in'
        self.assertEqual('out', self.serializer.serialize_entity(
            self.context, {'a': 1}))
        self.assertEqual('in', self.serializer.deserialize_entity(
            self.context, 'x'))
        self.base.serialize_entity.assert_called_once_with(
            self.context, {'a': 1})
        self.base.deserialize_entity.assert_called_once_with(
            self.context, 'x')

    def test_entities_without_base(self):
        serializer = rpc.RequestContextSerializer()
        entity = {'a': [1, 2]}
        self.assertIs(entity, serializer.serialize_entity(None, entity))
        self.assertIs(entity, serializer.deserialize_entity(None, entity))


class TestInitCleanup(RPCTestCase):

    def test_init_and_cleanup(self):
        self.assertFalse(rpc.initialized())
        rpc.init(self.conf)
        self.assertTrue(rpc.initialized())
        self.assertIsNotNone(rpc.TRANSPORT)
        self.assertIsNotNone(rpc.NOTIFICATION_TRANSPORT)
        self.assertIsNotNone(rpc.NOTIFIER)
        rpc.cleanup()
        self.assertFalse(rpc.initialized())
        self.assertIsNone(rpc.TRANSPORT)
        self.assertIsNone(rpc.NOTIFICATION_TRANSPORT)
        self.assertIsNone(rpc.NOTIFIER)

    def test_init_twice_keeps_transport(self):
        rpc.init(self.conf)
        transport = rpc.TRANSPORT
        rpc.init(self.conf)
        self.assertIs(transport, rpc.TRANSPORT)

    def test_cleanup_twice(self):
        rpc.init(self.conf)
        rpc.cleanup()
        rpc.cleanup()
        self.assertFalse(rpc.initialized())

    def test_cleanup_error_is_logged(self):
        rpc.init(self.conf)
        with mock.patch.object(rpc.TRANSPORT, 'cleanup',
                               side_effect=RuntimeError('boom')):
            with mock.patch.object(rpc.LOG, 'exception') as log:
                rpc.cleanup()
        self.assertTrue(log.called)
        self.assertIsNone(rpc.TRANSPORT)

    def test_notifier_driver_default(self):
        rpc.init(self.conf)
        self.assertEqual(['messagingv2'], rpc.NOTIFIER._driver_names)

    def test_notifier_driver_from_config(self):
        self.config(driver=['log', 'routing'],
                    group='oslo_messaging_notifications')
        rpc.init(self.conf)
        self.assertEqual(['log', 'routing'], rpc.NOTIFIER._driver_names)

    def test_notifications_off(self):
        self.config(notification_level=None)
        rpc.init(self.conf)
        self.assertEqual(['noop'], rpc.NOTIFIER._driver_names)

    def test_allowed_exmods(self):
        self.assertIn(exception.__name__, rpc.ALLOWED_EXMODS)
        self.assertIn('trellis.common.exception', rpc.ALLOWED_EXMODS)

    def test_topics(self):
        self.assertEqual(6, len(set(rpc.ALL_TOPICS)))
        for topic in rpc.ALL_TOPICS:
            self.assertTrue(topic.startswith('trellis-'), topic)


class TestBeforeInit(RPCTestCase):

    def test_get_notifier(self):
        self.assertRaises(RuntimeError, rpc.get_notifier, 'trellis-x.h')

    def test_get_client(self):
        self.assertRaises(RuntimeError, rpc.get_client,
                          messaging.Target(topic='t'))

    def test_get_server(self):
        self.assertRaises(RuntimeError, rpc.get_server,
                          messaging.Target(topic='t', server='h'), [])


class TestClientServer(RPCTestCase):

    def setUp(self):
        super().setUp()
        rpc.init(self.conf)

    def test_get_client(self):
        target = messaging.Target(topic='trellis-test', version='1.0')
        client = rpc.get_client(target, version_cap='1.3')
        self.assertIsInstance(client, messaging.RPCClient)
        self.assertIs(rpc.TRANSPORT, client.transport)
        self.assertEqual('trellis-test', client.target.topic)
        self.assertEqual('1.0', client.target.version)
        self.assertEqual('1.3', client.version_cap)
        self.assertIsInstance(client.serializer,
                              rpc.RequestContextSerializer)

    def test_get_client_wraps_serializer(self):
        base_serializer = mock.Mock(spec=messaging.Serializer)
        client = rpc.get_client(messaging.Target(topic='t'),
                                serializer=base_serializer)
        self.assertIs(base_serializer, client.serializer._base)

    def test_get_server(self):
        target = messaging.Target(topic='trellis-test', server='h1')
        endpoint = object()
        server = rpc.get_server(target, [endpoint])
        self.assertEqual('threading', server.executor_type)
        self.assertIs(rpc.TRANSPORT, server.transport)
        self.assertEqual('trellis-test', server._target.topic)
        self.assertEqual('h1', server._target.server)
        self.assertEqual([endpoint], server.dispatcher.endpoints)
        self.assertIsInstance(server.dispatcher.serializer,
                              rpc.RequestContextSerializer)
        self.assertIsInstance(server.dispatcher.access_policy,
                              dispatcher.DefaultRPCAccessPolicy)

    def test_get_notifier(self):
        notifier = rpc.get_notifier('trellis-conductor.h1')
        self.assertEqual('trellis-conductor.h1', notifier.publisher_id)


class _Endpoint:
    target = messaging.Target(version='1.0')

    def echo(self, ctxt, value):
        return {'value': value, 'context': type(ctxt).__name__,
                'user': ctxt.user_id, 'is_admin': ctxt.is_admin}

    def fail(self, ctxt):
        raise exception.LockNotAcquired(name='cluster-1')


class TestRoundTrip(RPCTestCase):
    """One real call through the fake transport (about 50 ms each)."""

    def setUp(self):
        super().setUp()
        rpc.init(self.conf)
        server = rpc.get_server(
            messaging.Target(topic='trellis-test', server='h1'),
            [_Endpoint()])
        server.start()
        self.addCleanup(server.wait)
        self.addCleanup(server.stop)
        self.client = rpc.get_client(
            messaging.Target(topic='trellis-test', version='1.0')).prepare(
                timeout=10)
        self.context = context.RequestContext(user_id='u1', is_admin=True)

    def test_context_arrives_as_request_context(self):
        result = self.client.call(self.context, 'echo', value=[1, 'a'])
        self.assertEqual({'value': [1, 'a'], 'context': 'RequestContext',
                          'user': 'u1', 'is_admin': True}, result)

    def test_trellis_exception_crosses_rpc(self):
        exc = self.assertRaises(exception.LockNotAcquired, self.client.call,
                                self.context, 'fail')
        self.assertIn('cluster-1', str(exc))
