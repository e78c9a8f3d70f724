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

"""Tests of the bind-address and CURVE policy of the ZeroMQ transport."""

from unittest import mock

import zmq

from tests import base
from trellis.common import exception
from trellis.common.zmq import security


class TestConfig(base.TestCase):

    def _conf(self, **kwargs):
        values = dict(bind_address='127.0.0.1', port_min=1000,
                      port_max=2000, security='none',
                      curve_server_public_key=None,
                      curve_client_public_key=None,
                      curve_client_secret_key=None,
                      curve_server_secret_key=None,
                      curve_allowed_client_keys=[])
        values.update(kwargs)
        return mock.Mock(**values)

    def test_default_is_valid(self):
        security.check_conf(self.conf.zmq)

    def test_wildcard_bind_is_refused(self):
        for address in ('0.0.0.0', '::'):
            self.assertRaises(exception.ConfigInvalid, security.check_conf,
                              self._conf(bind_address=address))

    def test_port_range(self):
        self.assertRaises(exception.ConfigInvalid, security.check_conf,
                          self._conf(port_min=3000))

    def test_curve_needs_keys(self):
        exc = self.assertRaises(exception.ConfigInvalid,
                                security.check_conf,
                                self._conf(security='curve'))
        self.assertIn('curve_client_secret_key', str(exc))

    def test_curve_keys_are_checked_without_showing_them(self):
        public, secret = (k.decode() for k in zmq.curve_keypair())
        good = dict(security='curve', curve_server_public_key=public,
                    curve_client_public_key=public,
                    curve_client_secret_key=secret)
        security.check_conf(self._conf(**good))
        bad = dict(good, curve_client_secret_key='x' * 39,
                   curve_allowed_client_keys=[public, 'not-a-key'])
        exc = self.assertRaises(exception.ConfigInvalid,
                                security.check_conf, self._conf(**bad))
        self.assertIn('curve_allowed_client_keys, curve_client_secret_key',
                      str(exc))
        self.assertNotIn('x' * 39, str(exc))

    def test_security_repr_hides_secrets(self):
        sec = security.Security(
            'curve', 'P' * 40, 'S' * 40, 'C' * 40, 'D' * 40)
        self.assertNotIn('S' * 40, repr(sec))
        self.assertNotIn('D' * 40, repr(sec))

    def test_from_conf(self):
        self.config(security='curve', curve_allowed_client_keys=['a', 'b'],
                    group='zmq')
        sec = security.from_conf(self.conf.zmq)
        self.assertTrue(sec.curve)
        self.assertEqual(frozenset(['a', 'b']), sec.allowed_client_keys)

    def test_server_needs_the_server_key_pair(self):
        public = zmq.curve_keypair()[0].decode()
        sec = security.Security('curve', server_public_key=public)
        exc = self.assertRaises(exception.ConfigInvalid,
                                security.check_server_keys, sec)
        self.assertIn('curve_server_secret_key', str(exc))
        security.check_server_keys(security.Security('none'))


class TestKeyChecker(base.TestCase):

    def test_only_listed_keys(self):
        allowed = zmq.curve_keypair()[0]
        other = zmq.curve_keypair()[0]
        checker = security.KeyChecker(frozenset([allowed.decode()]))
        self.assertTrue(checker.callback('trellis', allowed))
        self.assertFalse(checker.callback('trellis', other))
