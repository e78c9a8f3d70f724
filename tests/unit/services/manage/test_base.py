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

"""Tests of the bounded bus access shared by trellis-manage commands."""

import threading
from unittest import mock

import oslo_messaging as messaging

from tests import base
from trellis.common import exception
from trellis.services.manage import base as manage_base

URL = 'rabbit://trellis:s3cret@10.0.0.1:5672,trellis:s3cret@10.0.0.2:5672/v'


class TestMaskUrl(base.TestCase):

    def test_every_password_masked(self):
        self.assertEqual(
            'rabbit://trellis:***@10.0.0.1:5672,trellis:***@10.0.0.2:5672/v',
            manage_base.mask_url(URL))

    def test_no_password(self):
        self.assertEqual('rabbit://10.0.0.1:5672/',
                         manage_base.mask_url('rabbit://10.0.0.1:5672/'))
        self.assertEqual('rabbit://user@h/',
                         manage_base.mask_url('rabbit://user@h/'))

    def test_password_with_odd_characters(self):
        self.assertEqual('rabbit://u:***@h:1/',
                         manage_base.mask_url('rabbit://u:p:w/d@h:1/'))

    def test_unset(self):
        self.assertEqual('rabbit://', manage_base.mask_url(None))


class TestCheckBus(base.TestCase):

    def setUp(self):
        super().setUp()
        messaging.TransportURL(self.conf)    # registers transport_url
        self.config(transport_url=URL)
        self.driver = mock.MagicMock()
        transport = mock.Mock(_driver=self.driver)
        patcher = mock.patch.object(manage_base.rpc, 'TRANSPORT', transport)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_connects_once_without_retries(self):
        manage_base.check_bus()
        self.driver._get_connection.assert_called_once_with(retry=0)

    def test_unreachable_names_the_bus_without_password(self):
        self.driver._get_connection.side_effect = ConnectionRefusedError(
            111, 'Connection refused')
        exc = self.assertRaises(exception.MessagingUnavailable,
                                manage_base.check_bus)
        self.assertIn('rabbit://trellis:***@10.0.0.1:5672', str(exc))
        self.assertIn('Connection refused', str(exc))
        self.assertNotIn('s3cret', str(exc))

    def test_driver_without_connections_passes(self):
        del self.driver._get_connection
        manage_base.check_bus()


class TestBoundedCall(base.TestCase):

    def setUp(self):
        super().setUp()
        messaging.TransportURL(self.conf)
        self.config(transport_url=URL)

    def test_value(self):
        self.assertEqual(3, manage_base.bounded_call(lambda: 3, 1, 'x'))

    def _raise(self, exc):
        def _func():
            raise exc
        return _func

    def test_timeout_is_no_answer(self):
        exc = self.assertRaises(
            manage_base.NoAnswer, manage_base.bounded_call,
            self._raise(messaging.MessagingTimeout()), 2, 'trellis-api')
        self.assertEqual('No trellis-api answered within 2 s.', str(exc))

    def test_connection_error_is_unavailable(self):
        exc = self.assertRaises(
            exception.MessagingUnavailable, manage_base.bounded_call,
            self._raise(OSError('failed for %s' % URL)), 2, 'x')
        self.assertNotIn('s3cret', str(exc))

    def test_remote_error(self):
        exc = self.assertRaises(
            manage_base.ManageError, manage_base.bounded_call,
            self._raise(messaging.RemoteError('ValueError', 'bad')), 2,
            'trellis-api')
        self.assertEqual('trellis-api failed: bad', str(exc))

    def test_other_errors_pass_through(self):
        self.assertRaises(KeyError, manage_base.bounded_call,
                          self._raise(KeyError('k')), 2, 'x')

    def test_hung_call_is_bounded(self):
        self.useFixture_grace(0.1)
        release = threading.Event()
        self.addCleanup(release.set)
        exc = self.assertRaises(
            exception.MessagingUnavailable, manage_base.bounded_call,
            lambda: release.wait(30), 0.1, 'x')
        self.assertIn('no connection after', str(exc))

    def useFixture_grace(self, seconds):
        patcher = mock.patch.object(manage_base, 'CONNECT_GRACE', seconds)
        patcher.start()
        self.addCleanup(patcher.stop)
