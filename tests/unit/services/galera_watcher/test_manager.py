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

from unittest import mock

from tests import base
from tests.unit.services.galera_watcher import fakes
from trellis.services.galera_watcher import manager
from trellis.services.galera_watcher import rpcapi


class TestManager(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(cluster='c1', group='galera')
        self.mgr = manager.GaleraWatcherManager('h1')
        self.etcd = fakes.FakeEtcd()
        self.mgr._etcd = self.etcd

    def test_versions_match(self):
        self.assertEqual(rpcapi.GaleraWatcherAPI.RPC_API_VERSION,
                         self.mgr.RPC_API_VERSION)
        self.assertEqual('1.1', self.mgr.RPC_API_VERSION)

    def test_init_host_starts_the_watcher_not_init(self):
        self.assertIsNone(self.mgr._watcher)
        with mock.patch.object(manager.etcd.EtcdClient, 'from_conf'), \
                mock.patch.object(manager.coordination,
                                  'Coordinator') as coord, \
                mock.patch.object(manager.watcher, 'GaleraWatcher') as gw:
            self.mgr.init_host(None)
            coord.return_value.start.assert_called_once_with()
            coord.return_value.leader_election.assert_called_once_with(
                'galera-c1')
            self.assertIs(coord.return_value.leader_election.return_value,
                          gw.call_args[1]['election'])
            gw.return_value.start.assert_called_once_with()
            self.mgr.del_host()
            gw.return_value.stop.assert_called_once_with()
            coord.return_value.stop.assert_called_once_with()

    def test_get_status_defaults_to_the_configured_cluster(self):
        with mock.patch.object(manager.operations, 'status',
                               return_value={'cluster': 'c1'}) as status:
            answer = self.mgr.get_status(None)
        status.assert_called_once_with(self.etcd, 'c1')
        self.assertEqual('h1', answer['answered_by'])

    def test_get_leader_and_recover(self):
        with mock.patch.object(manager.operations, 'leader') as leader:
            self.mgr.get_leader(None, cluster='c2')
        leader.assert_called_once_with(self.etcd, 'c2')
        with mock.patch.object(manager.operations, 'recover') as recover:
            self.mgr.recover(None, 'c2', force_node='a:1')
        recover.assert_called_once_with(self.etcd, 'c2', 'a:1',
                                        'trellis-galera-watcher.h1')


class TestRPCAPI(base.TestCase):

    def test_calls_need_version_1_1(self):
        with mock.patch.object(rpcapi.rpc, 'get_client') as get_client:
            api = rpcapi.GaleraWatcherAPI()
            prepare = get_client.return_value.prepare
            api.recover('ctx', 'c1', force_node='a:1', timeout=5)
            prepare.assert_called_with(version='1.1', timeout=5)
            prepare.return_value.call.assert_called_with(
                'ctx', 'recover', cluster='c1', force_node='a:1')
            api.get_status('ctx')
            prepare.return_value.call.assert_called_with(
                'ctx', 'get_status', cluster=None)
