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

"""trellis-galera-node: start and supervise the local mariadbd.

It is not an RPC service: it talks to etcd only, so that a node can
start, join and recover while the message bus is down.
"""

import signal
import sys

from oslo_log import log

from trellis.common import etcd
from trellis.common import service
from trellis.common.conf import CONF
from trellis.common.conf import galera as galera_conf
from trellis.services.galera_node import mysqld
from trellis.services.galera_node import supervisor

LOG = log.getLogger(__name__)


def main() -> None:
    service.prepare_service(sys.argv)
    if not CONF.galera.defaults_file:
        sys.exit('trellis-galera-node needs [galera] defaults_file')
    galera_conf.check_cluster_size(CONF.galera.cluster_size)
    defaults = mysqld.read_defaults(CONF.galera.defaults_file)
    address = CONF.galera.node_address or defaults.address
    node = supervisor.NodeSupervisor(CONF, etcd.EtcdClient.from_conf(CONF),
                                     defaults, address)

    def _stop(signum, frame):
        LOG.info('Signal %d: stopping node %s', signum, address)
        node.request_stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    LOG.info('trellis-galera-node %s (cluster %s, datadir %s) starting',
             address, CONF.galera.cluster, defaults.datadir)
    node.run()
