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


"""Tests of the client side of the trellis-galera-watcher RPC API."""

from tests.unit.services import rpcapi_base
from trellis.common import rpc
from trellis.services.galera_watcher import manager
from trellis.services.galera_watcher import rpcapi


class TestGaleraWatcherAPI(rpcapi_base.RPCAPITestCase):

    RPCAPI_CLASS = rpcapi.GaleraWatcherAPI
    MANAGER_CLASS = manager.GaleraWatcherManager
    TOPIC = rpc.GALERA_WATCHER_TOPIC
    TESTED_METHODS = ('ping', 'get_status', 'get_leader', 'recover')

    def test_get_status(self):
        self._test_rpcapi('get_status', 'call',
                          expected_prepare={'version': '1.1'},
                          expected_args={'cluster': None})

    def test_get_status_cluster_timeout(self):
        self._test_rpcapi('get_status', 'call',
                          expected_prepare={'version': '1.1', 'timeout': 4},
                          expected_args={'cluster': 'c1'},
                          cluster='c1', timeout=4)

    def test_get_leader(self):
        self._test_rpcapi('get_leader', 'call',
                          expected_prepare={'version': '1.1'},
                          expected_args={'cluster': 'c1'}, cluster='c1')

    def test_recover(self):
        self._test_rpcapi('recover', 'call',
                          expected_prepare={'version': '1.1'},
                          expected_args={'cluster': 'c1',
                                         'force_node': None},
                          cluster='c1')

    def test_recover_force_node(self):
        self._test_rpcapi('recover', 'call',
                          expected_prepare={'version': '1.1', 'timeout': 30},
                          expected_args={'cluster': 'c1',
                                         'force_node': '10.0.0.2'},
                          cluster='c1', force_node='10.0.0.2', timeout=30)
