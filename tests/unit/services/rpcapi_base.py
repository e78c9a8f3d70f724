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


"""Shared checks of every service's ``rpcapi.py`` (ironic's _test_rpcapi).

A service's ``test_rpcapi.py`` subclasses ``RPCAPITestCase``, names its
client and manager classes and lists the methods it covers in
``TESTED_METHODS``; ``test_every_method_is_tested`` fails when an rpcapi
method is added without a test. ``_test_rpcapi`` checks, for one method,
the prepared target (topic, server, version, timeout, retry, fanout), the
call or cast with its arguments, and that the manager accepts them.
"""

import inspect
from typing import Any
from unittest import mock

from oslo_messaging import conffixture

from tests import base
from trellis.common import context
from trellis.common import rpc
from trellis.common import rpcapi as base_rpcapi


def _compatible(server_version: str, wanted: str) -> bool:
    """Same major and a minor at least as high (oslo.messaging's rule)."""
    server = [int(part) for part in server_version.split('.')]
    asked = [int(part) for part in wanted.split('.')]
    return server[0] == asked[0] and server[1:] >= asked[1:]


class RPCAPITestCase(base.TestCase):
    """Base of one service's rpcapi tests; subclasses set the classes."""

    RPCAPI_CLASS: Any = None
    MANAGER_CLASS: Any = None
    TOPIC: str = ''
    TESTED_METHODS: tuple[str, ...] = ('ping',)

    def setUp(self):
        super().setUp()
        messaging_conf = self.useFixture(conffixture.ConfFixture(self.conf))
        messaging_conf.transport_url = 'fake:/'
        rpc.init(self.conf)
        self.addCleanup(rpc.cleanup)
        self.context = context.RequestContext(user_id='u1', is_admin=True)
        self.api = self.RPCAPI_CLASS()

    # -- the helper ------------------------------------------------------

    def _test_rpcapi(self, method: str, rpc_method: str = 'call',
                     expected_prepare: dict | None = None,
                     expected_args: dict | None = None,
                     **kwargs: Any) -> None:
        """Call ``self.api.<method>(context, **kwargs)`` and check it.

        :param rpc_method: 'call' or 'cast'.
        :param expected_prepare: the exact keyword arguments of
            ``client.prepare`` (topic stays the client's own unless given).
        :param expected_args: the keyword arguments sent with the message.
        """
        expected_prepare = expected_prepare or {'version': '1.0'}
        expected_args = expected_args or {}
        other = 'cast' if rpc_method == 'call' else 'call'
        with mock.patch.object(self.api.client, 'prepare',
                               autospec=True) as prepare:
            cctxt = prepare.return_value
            getattr(cctxt, rpc_method).return_value = 'the answer'
            result = getattr(self.api, method)(self.context, **kwargs)

        prepare.assert_called_once_with(**expected_prepare)
        getattr(cctxt, rpc_method).assert_called_once_with(
            self.context, method, **expected_args)
        getattr(cctxt, other).assert_not_called()
        self.assertEqual('the answer' if rpc_method == 'call' else None,
                         result)

        # The real client accepts the prepared target and may send it.
        prepared = self.api.client.prepare(**expected_prepare)
        version = expected_prepare.get('version', '1.0')
        self.assertTrue(prepared.can_send_version(version),
                        '%s: version %s is above the cap %s'
                        % (method, version, self.api.RPC_API_VERSION))
        self.assertEqual(expected_prepare.get('topic', self.TOPIC),
                         prepared.target.topic)
        self.assertEqual(expected_prepare.get('server'),
                         prepared.target.server)
        self.assertEqual(bool(expected_prepare.get('fanout')),
                         bool(prepared.target.fanout))

        # The manager has the method, accepts these arguments, and is
        # new enough for the version asked for.
        endpoint = getattr(self.MANAGER_CLASS, method, None)
        self.assertIsNotNone(endpoint, '%s has no method %s'
                             % (self.MANAGER_CLASS.__name__, method))
        inspect.signature(endpoint).bind(None, self.context,
                                         **expected_args)
        self.assertTrue(_compatible(self.MANAGER_CLASS.RPC_API_VERSION,
                                    version),
                        '%s: the manager (%s) cannot answer version %s'
                        % (method, self.MANAGER_CLASS.RPC_API_VERSION,
                           version))

    # -- checks every service gets ---------------------------------------

    def test_every_method_is_tested(self):
        public = {name for name, _ in inspect.getmembers(
            self.RPCAPI_CLASS, inspect.isfunction)
            if not name.startswith('_')}
        self.assertEqual(sorted(public), sorted(self.TESTED_METHODS))

    def test_client_target(self):
        self.assertIsInstance(self.api, base_rpcapi.RPCAPI)
        self.assertEqual(self.TOPIC, self.api.topic)
        self.assertEqual(self.TOPIC, self.api.client.target.topic)
        self.assertIsNone(self.api.client.target.server)
        self.assertEqual('1.0', self.api.client.target.version)
        self.assertEqual(self.api.RPC_API_VERSION,
                         self.api.client.version_cap)
        self.assertIsInstance(self.api.client.serializer,
                              rpc.RequestContextSerializer)

    def test_versions_in_step_with_manager(self):
        self.assertEqual(self.RPCAPI_CLASS.RPC_API_VERSION,
                         self.MANAGER_CLASS.RPC_API_VERSION)
        self.assertEqual(self.MANAGER_CLASS.RPC_API_VERSION,
                         self.MANAGER_CLASS.target.version)
        self.assertIn(self.RPCAPI_CLASS.RPC_API_VERSION,
                      self.RPCAPI_CLASS.__doc__)

    def test_manager_topic(self):
        manager = self.MANAGER_CLASS('h1')
        self.assertEqual(self.TOPIC, manager.topic)
        self.assertEqual('h1', manager.host)

    def test_topic_override(self):
        api = self.RPCAPI_CLASS(topic='other-topic')
        self.assertEqual('other-topic', api.client.target.topic)

    # -- ping, which every service answers -------------------------------

    def test_ping(self):
        self.config(rpc_ping_timeout=7)
        self._test_rpcapi('ping', 'call',
                          expected_prepare={'version': '1.0', 'timeout': 7})

    def test_ping_host(self):
        self.config(rpc_ping_timeout=7)
        self._test_rpcapi('ping', 'call',
                          expected_prepare={'version': '1.0', 'timeout': 7,
                                            'server': 'h2'},
                          host='h2')

    def test_ping_timeout_and_retry(self):
        self._test_rpcapi('ping', 'call',
                          expected_prepare={'version': '1.0',
                                            'timeout': 2.5, 'retry': 0,
                                            'server': 'h3'},
                          host='h3', timeout=2.5, retry=0)
