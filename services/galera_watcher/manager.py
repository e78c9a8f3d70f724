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

"""The trellis-galera-watcher RPC endpoint (thin: logic is in modules)."""

from typing import Any

from oslo_log import log
import oslo_messaging as messaging

from trellis.common import coordination
from trellis.common import etcd
from trellis.common import exception
from trellis.common import manager
from trellis.common import rpc
from trellis.common.conf import CONF
from trellis.common.conf import galera as galera_conf
from trellis.services.galera_watcher import operations
from trellis.services.galera_watcher import watcher

LOG = log.getLogger(__name__)


class GaleraWatcherManager(manager.Manager):
    """Endpoint of the trellis-galera-watcher topic."""

    # NOTE: keep in step with rpcapi.GaleraWatcherAPI.RPC_API_VERSION.
    RPC_API_VERSION = '1.1'
    target = messaging.Target(version=RPC_API_VERSION)

    def __init__(self, host: str,
                 topic: str = rpc.GALERA_WATCHER_TOPIC) -> None:
        super().__init__(host, topic)
        self._etcd: etcd.EtcdClient | None = None
        self._watcher: watcher.GaleraWatcher | None = None
        self._coordinator: coordination.Coordinator | None = None

    def init_host(self, context: Any) -> None:
        """Join the election and start the watcher loop (standby first)."""
        super().init_host(context)
        galera_conf.check_cluster_size(CONF.galera.cluster_size)
        self._etcd = etcd.EtcdClient.from_conf(CONF)
        self._coordinator = coordination.Coordinator()
        self._coordinator.start()
        election = self._coordinator.leader_election(
            'galera-%s' % CONF.galera.cluster)
        self._watcher = watcher.GaleraWatcher(CONF, self._etcd, self.host,
                                              election=election)
        self._watcher.start()

    def del_host(self) -> None:
        """Stop checking, then step down so a standby takes over now."""
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        if self._coordinator is not None:
            self._coordinator.stop()
            self._coordinator = None

    def _client(self) -> etcd.EtcdClient:
        if self._etcd is None:
            self._etcd = etcd.EtcdClient.from_conf(CONF)
        return self._etcd

    @messaging.expected_exceptions(exception.EtcdUnavailable)
    def get_status(self, context: Any,
                   cluster: str | None = None) -> dict[str, Any]:
        cluster = cluster or CONF.galera.cluster
        result = operations.status(self._client(), cluster)
        result['answered_by'] = self.host
        return result

    @messaging.expected_exceptions(exception.EtcdUnavailable)
    def get_leader(self, context: Any,
                   cluster: str | None = None) -> dict[str, Any]:
        return operations.leader(self._client(),
                                 cluster or CONF.galera.cluster)

    @messaging.expected_exceptions(exception.EtcdUnavailable,
                                   exception.NotFound)
    def recover(self, context: Any, cluster: str,
                force_node: str | None = None) -> dict[str, Any]:
        LOG.info('RPC recover of Galera cluster %s (forced node: %s)',
                 cluster, force_node)
        return operations.recover(self._client(), cluster, force_node,
                                  'trellis-galera-watcher.%s' % self.host)
