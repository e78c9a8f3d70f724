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


"""Tests of the base RPC endpoint."""

from unittest import mock

from tests import base
from trellis.common import context
from trellis.common import manager
from trellis.common import version


class TestManager(base.TestCase):

    def setUp(self):
        super().setUp()
        patcher = mock.patch.object(manager.time, 'monotonic',
                                    return_value=100.0)
        self.monotonic = patcher.start()
        self.addCleanup(patcher.stop)
        self.manager = manager.Manager('h1', 'trellis-conductor')
        self.context = context.get_admin_context()

    def test_ping_fields(self):
        self.monotonic.return_value = 112.3456
        self.assertEqual({'host': 'h1', 'topic': 'trellis-conductor',
                          'version': version.version_string(),
                          'uptime': 12.346},
                         self.manager.ping(self.context))

    def test_uptime_counts_from_init_host(self):
        self.monotonic.return_value = 150.0
        self.manager.init_host(self.context)
        self.monotonic.return_value = 151.5
        self.assertEqual(1.5, self.manager.ping(self.context)['uptime'])

    def test_ping_is_json_friendly(self):
        result = self.manager.ping(self.context)
        for key, value in result.items():
            self.assertIsInstance(value, (str, float, int), key)

    def test_target_version(self):
        self.assertEqual(manager.Manager.RPC_API_VERSION,
                         manager.Manager.target.version)

    def test_del_host(self):
        self.assertIsNone(self.manager.del_host())
