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


"""Tests of versioned notifications."""

import dataclasses
from typing import ClassVar
from unittest import mock

from tests import base
from trellis.common import context
from trellis.common import notifications


@dataclasses.dataclass
class _HostPayload(notifications.Payload):
    VERSION: ClassVar[str] = '1.2'

    name: str
    bmc_password: str


class TestEventType(base.TestCase):

    def test_valid(self):
        self.assertEqual('trellis.host.discovered',
                         notifications.event_type('host', 'discovered'))
        self.assertEqual('trellis.deployment.step.end',
                         notifications.event_type('deployment', 'step',
                                                  'end'))
        self.assertEqual('trellis.galera_node.power_on.error',
                         notifications.event_type('galera_node', 'power_on',
                                                  'error'))
        self.assertEqual('trellis.galera.leader.changed',
                         notifications.event_type('galera', 'leader',
                                                  'changed'))

    def test_invalid_parts(self):
        for obj, action in (('Host', 'discovered'), ('host', 'Discovered'),
                            ('host.x', 'discovered'), ('', 'discovered'),
                            ('host', ''), ('1host', 'discovered'),
                            ('host', 'dis covered')):
            self.assertRaises(ValueError, notifications.event_type, obj,
                              action)

    def test_invalid_phase(self):
        for phase in ('Finished', 'end.x', '', 'step end'):
            self.assertRaises(ValueError, notifications.event_type, 'host',
                              'deploy', phase)

    def test_publisher_id(self):
        self.config(host='node-7')
        self.assertEqual('trellis-conductor.node-7',
                         notifications.publisher_id('trellis-conductor'))
        self.assertEqual('trellis-api.h2',
                         notifications.publisher_id('trellis-api', 'h2'))


class TestPayload(base.TestCase):

    def test_version_added(self):
        payload = notifications.ServicePayload(
            topic='trellis-api', host='h1', version_string='1.0.0')
        self.assertEqual({'topic': 'trellis-api', 'host': 'h1',
                          'version_string': '1.0.0', 'version': '1.0'},
                         payload.to_dict())

    def test_subclass_version(self):
        payload = _HostPayload(name='n1', bmc_password='x')
        self.assertEqual('1.2', payload.to_dict()['version'])


class TestEmit(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(host='h1')
        self.notifier = mock.Mock()
        patcher = mock.patch.object(notifications.rpc, 'get_notifier',
                                    autospec=True,
                                    return_value=self.notifier)
        self.get_notifier = patcher.start()
        self.addCleanup(patcher.stop)
        self.context = context.get_admin_context()

    def test_emit_payload(self):
        payload = _HostPayload(name='n1', bmc_password='s3cret')
        self.assertTrue(notifications.emit(
            self.context, 'trellis-discovery', 'host', 'discovered',
            payload))
        self.get_notifier.assert_called_once_with('trellis-discovery.h1')
        self.notifier.info.assert_called_once_with(
            self.context, 'trellis.host.discovered',
            {'name': 'n1', 'bmc_password': '***', 'version': '1.2'})

    def test_emit_dict_gets_version(self):
        body = {'cluster': 'c1'}
        self.assertTrue(notifications.emit(
            self.context, 'trellis-conductor', 'deployment', 'step',
            body, phase='start'))
        self.notifier.info.assert_called_once_with(
            self.context, 'trellis.deployment.step.start',
            {'cluster': 'c1', 'version': '1.0'})
        # The caller's dict is not changed.
        self.assertEqual({'cluster': 'c1'}, body)

    def test_emit_dict_keeps_its_version(self):
        notifications.emit(self.context, 'trellis-conductor', 'host',
                           'updated', {'version': '2.1'})
        body = self.notifier.info.call_args[0][2]
        self.assertEqual('2.1', body['version'])

    def test_passwords_masked(self):
        notifications.emit(
            self.context, 'trellis-discovery', 'host', 'enrolled',
            {'password': 'p1', 'bmc': {'password': 'p2', 'address': 'a'},
             'admin_pass': 'p3'})
        body = self.notifier.info.call_args[0][2]
        self.assertEqual('***', body['password'])
        self.assertEqual('***', body['bmc']['password'])
        self.assertEqual('a', body['bmc']['address'])
        self.assertEqual('***', body['admin_pass'])
        self.assertNotIn('p1', str(body))
        self.assertNotIn('p2', str(body))

    def test_priority(self):
        self.assertTrue(notifications.emit(
            self.context, 'trellis-galera-watcher', 'galera', 'recovery',
            {}, phase='error', priority='error'))
        self.notifier.error.assert_called_once_with(
            self.context, 'trellis.galera.recovery.error', {'version': '1.0'})
        self.notifier.info.assert_not_called()

    def test_level_filtering(self):
        self.config(notification_level='warning')
        self.assertFalse(notifications.emit(
            self.context, 'trellis-api', 'host', 'x', {}, priority='info'))
        self.assertFalse(notifications.emit(
            self.context, 'trellis-api', 'host', 'x', {}, priority='debug'))
        self.assertTrue(notifications.emit(
            self.context, 'trellis-api', 'host', 'x', {},
            priority='warning'))
        self.assertTrue(notifications.emit(
            self.context, 'trellis-api', 'host', 'x', {},
            priority='critical'))
        self.notifier.info.assert_not_called()
        self.notifier.debug.assert_not_called()
        self.notifier.warning.assert_called_once()
        self.notifier.critical.assert_called_once()

    def test_notifications_off(self):
        self.config(notification_level=None)
        self.assertFalse(notifications.emit(
            self.context, 'trellis-api', 'host', 'x', {},
            priority='critical'))
        self.get_notifier.assert_not_called()

    def test_unknown_priority(self):
        self.assertFalse(notifications.emit(
            self.context, 'trellis-api', 'host', 'x', {}, priority='loud'))
        self.get_notifier.assert_not_called()

    def test_invalid_event_type_is_swallowed(self):
        with mock.patch.object(notifications.LOG, 'warning') as warn:
            self.assertFalse(notifications.emit(
                self.context, 'trellis-api', 'Host', 'x', {}))
        self.assertTrue(warn.called)
        self.notifier.info.assert_not_called()

    def test_bus_error_is_swallowed(self):
        self.notifier.info.side_effect = RuntimeError('bus down')
        with mock.patch.object(notifications.LOG, 'warning') as warn:
            self.assertFalse(notifications.emit(
                self.context, 'trellis-api', 'host', 'x', {}))
        self.assertIn('bus down', str(warn.call_args))

    def test_not_initialized_is_swallowed(self):
        self.get_notifier.side_effect = RuntimeError('init() was not called')
        self.assertFalse(notifications.emit(
            self.context, 'trellis-api', 'host', 'x', {}))
