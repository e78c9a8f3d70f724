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

"""Client side of the trellis-galera-watcher RPC API.

The only way other code calls trellis-galera-watcher.
"""

from typing import Any

from trellis.common import rpc
from trellis.common import rpcapi


class GaleraWatcherAPI(rpcapi.RPCAPI):
    """Client side of the trellis-galera-watcher RPC API.

    API version history:

    |    1.0 - Initial version: ping.
    |    1.1 - Added get_status, get_leader and recover.
    """

    TOPIC = rpc.GALERA_WATCHER_TOPIC
    # NOTE: keep in step with manager.GaleraWatcherManager.RPC_API_VERSION.
    RPC_API_VERSION = '1.1'

    def get_status(self, context: Any, cluster: str | None = None,
                   timeout: float | None = None) -> dict[str, Any]:
        """State, uuid, leader and each node's wsrep state and seqno.

        :param cluster: the cluster name; ``[galera] cluster`` if None.
        """
        cctxt = self._prepare(version='1.1', timeout=timeout)
        return cctxt.call(context, 'get_status', cluster=cluster)

    def get_leader(self, context: Any, cluster: str | None = None,
                   timeout: float | None = None) -> dict[str, Any]:
        """The node that takes all traffic, and the cluster state."""
        cctxt = self._prepare(version='1.1', timeout=timeout)
        return cctxt.call(context, 'get_leader', cluster=cluster)

    def recover(self, context: Any, cluster: str,
                force_node: str | None = None,
                timeout: float | None = None) -> dict[str, Any]:
        """Set RECOVERY and make every node stop and queue.

        :param force_node: address of the node that must bootstrap,
            whatever its seqno (the others get a full state transfer).
        """
        cctxt = self._prepare(version='1.1', timeout=timeout)
        return cctxt.call(context, 'recover', cluster=cluster,
                          force_node=force_node)
