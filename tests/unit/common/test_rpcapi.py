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


"""Tests of the base client-side RPC API (``_prepare``).

Each service's methods are checked in tests/unit/services/<svc>/.
"""

from unittest import mock

from oslo_messaging import conffixture

from tests import base
from trellis.common import rpc
from trellis.common import rpcapi


class _API(rpcapi.RPCAPI):
    TOPIC = 'trellis-test'
    RPC_API_VERSION = '1.3'


class TestPrepare(base.TestCase):

    def setUp(self):
        super().setUp()
        messaging_conf = self.useFixture(conffixture.ConfFixture(self.conf))
        messaging_conf.transport_url = 'fake:/'
        rpc.init(self.conf)
        self.addCleanup(rpc.cleanup)
        self.api = _API()

    def _prepared(self, **kwargs):
        with mock.patch.object(self.api.client, 'prepare',
                               autospec=True) as prepare:
            self.api._prepare(**kwargs)
        return prepare.call_args[1]

    def test_defaults(self):
        self.assertEqual({'version': '1.0'}, self._prepared())

    def test_everything(self):
        self.assertEqual({'version': '1.2', 'server': 'h1', 'timeout': 3,
                          'retry': 0, 'fanout': True},
                         self._prepared(host='h1', version='1.2', timeout=3,
                                        retry=0, fanout=True))

    def test_empty_host_means_any(self):
        self.assertNotIn('server', self._prepared(host=''))

    def test_real_prepare(self):
        cctxt = self.api._prepare(host='h1', version='1.3', timeout=2,
                                  fanout=True)
        self.assertEqual('trellis-test', cctxt.target.topic)
        self.assertEqual('h1', cctxt.target.server)
        self.assertTrue(cctxt.target.fanout)
        self.assertTrue(cctxt.can_send_version('1.3'))
        self.assertFalse(cctxt.can_send_version('1.4'))

    def test_topic(self):
        self.assertEqual('trellis-test', self.api.topic)
        self.assertEqual('other', _API(topic='other').topic)
        self.assertEqual('1.3', self.api.client.version_cap)

    def test_needs_init(self):
        rpc.cleanup()
        self.assertRaises(RuntimeError, _API)
