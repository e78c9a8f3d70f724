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

"""What operators ask of a Galera cluster: status, recover, leader.

Read from and written to etcd only, so any watcher (active or standby)
answers for any cluster.
"""

import time
from typing import Any

from oslo_log import log

from trellis.common import etcd as trellis_etcd
from trellis.common import exception
from trellis.services.galera_watcher import state as gstate

LOG = log.getLogger(__name__)


def status(client: trellis_etcd.EtcdClient, cluster: str) -> dict[str, Any]:
    """State, uuid, leader, active watcher and every node's view."""
    snap = gstate.ClusterKeys(client, cluster).snapshot()
    addrs = sorted(set(snap.members) | set(snap.nodes) | set(snap.health)
                   | set(snap.fenced) | set(snap.queue))
    nodes = []
    for addr in addrs:
        member = snap.members.get(addr, {})
        seen = snap.health.get(addr, {})
        nodes.append({
            'address': addr,
            'ready': addr in snap.nodes,
            'leader': addr == snap.leader,
            'phase': member.get('phase'),
            'wsrep_state': seen.get('state'),
            'cluster_size': seen.get('cluster_size'),
            'seqno': (seen.get('seqno') if seen.get('seqno') is not None
                      else snap.seqno.get(addr, member.get('seqno'))),
            'uuid': seen.get('uuid') or member.get('uuid'),
            'queued': addr in snap.queue,
            'fenced': snap.fenced.get(addr),
        })
    return {'cluster': cluster, 'state': snap.state, 'uuid': snap.uuid,
            'leader': snap.leader, 'watcher': snap.watcher,
            'force_bootstrap': snap.force_bootstrap, 'nodes': nodes}


def leader(client: trellis_etcd.EtcdClient, cluster: str) -> dict[str, Any]:
    keys = gstate.ClusterKeys(client, cluster)
    return {'cluster': cluster, 'leader': keys.get('leader'),
            'state': keys.state()}


def recover(client: trellis_etcd.EtcdClient, cluster: str,
            force_node: str | None, sender: str) -> dict[str, Any]:
    """Start a recovery: state RECOVERY, every node stops and re-queues.

    With ``force_node`` that node bootstraps as soon as it has queued,
    whatever its seqno; otherwise the highest seqno of all
    ``cluster_size`` nodes wins. Nothing is deleted.

    :raises: NotFound if the cluster has no state in etcd.
    """
    keys = gstate.ClusterKeys(client, cluster)
    snap = keys.snapshot()
    if snap.state is None:
        raise exception.NotFound(
            'Galera cluster %s has no state in etcd' % cluster)
    if force_node:
        keys.put('force_bootstrap', force_node)
    else:
        keys.delete('force_bootstrap')
    keys.force_state(gstate.RECOVERY)
    for addr in snap.members:
        keys.send_command(addr, gstate.CMD_RECOVER,
                          'operator requested recovery', None, sender)
    # Supervisors re-register after they stopped; stale entries must not
    # make a stopping node look live to the others.
    client.delete_prefix(keys.path('nodes/'))
    text = ('recovery of %s requested by %s%s' % (
        cluster, sender, ', forced node %s' % force_node if force_node
        else ''))
    keys.put('decision', {'by': sender, 'decision': text,
                          'at': round(time.time(), 3)})
    LOG.info('Galera: %s', text)
    return {'cluster': cluster, 'state': gstate.RECOVERY,
            'force_node': force_node,
            'nodes': sorted(snap.members)}
