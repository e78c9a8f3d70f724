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

"""How a starting node chooses what to do (Fuel CCP's scenarios).

Pure functions over what etcd says; the supervisor acts on the result.
"""

from trellis.services.galera_watcher import state as gstate

# Start modes.
BOOTSTRAP = 'bootstrap'   # initial bootstrap: first node, new cluster
JOIN = 'join'             # join the running cluster under the lock
RECOVER = 'recover'       # recovery queue, highest seqno bootstraps


def start_mode(cluster_state: str | None, live_nodes: int) -> str:
    """The scenario for a node that is about to start mariadbd.

    - no state: initial bootstrap (the lock decides who is first);
    - BUILDING: join the node that bootstraps, or bootstrap if nobody is
      live (the first builder died before it was ready);
    - STEADY with live nodes: re-join; STEADY with zero live nodes means
      the cluster is gone: RECOVERY;
    - RECOVERY: recover (or join once someone has bootstrapped).
    """
    if cluster_state is None:
        return BOOTSTRAP
    if cluster_state == gstate.BUILDING:
        return JOIN if live_nodes else BOOTSTRAP
    if cluster_state == gstate.STEADY:
        return JOIN if live_nodes else RECOVER
    if cluster_state == gstate.RECOVERY:
        return JOIN if live_nodes else RECOVER
    raise ValueError('Unknown Galera cluster state %r' % cluster_state)


def choose_bootstrapper(queue: list[str], seqnos: dict[str, int],
                        cluster_size: int,
                        forced: str | None) -> tuple[str | None, str]:
    """Which queued node bootstraps the recovered cluster, and why.

    Without a forced node, only once ``cluster_size`` nodes have queued
    and reported a seqno: then the highest seqno wins (ties: the lowest
    address, so that every node computes the same answer). A forced node
    (operator or ``force_bootstrap``) wins as soon as it has queued.

    :returns: ``(address or None, reason)``.
    """
    if forced:
        if forced in queue:
            return forced, 'forced bootstrap of %s' % forced
        return None, 'waiting for forced node %s to report' % forced
    reported = [addr for addr in queue if addr in seqnos]
    if len(reported) < cluster_size:
        return None, ('waiting for %d of %d nodes to report their seqno'
                      % (cluster_size - len(reported), cluster_size))
    best = min(reported, key=lambda addr: (-seqnos[addr], addr))
    return best, ('%s has the highest seqno %d of %s'
                  % (best, seqnos[best],
                     ', '.join('%s=%d' % (a, seqnos[a])
                               for a in sorted(reported))))


def steady_after_join(cluster_state: str | None, live_members: int,
                      expected_size: int, queued_left: int,
                      forced: bool) -> bool:
    """Whether the node that just became Synced should declare STEADY.

    BUILDING and RECOVERY end when the last node has joined: ``nodes/``
    lists ``cluster_size`` live members, or, in a forced recovery, when
    no node is left waiting (queued or starting; a node whose supervisor
    is gone does not count).
    """
    if cluster_state not in (gstate.BUILDING, gstate.RECOVERY):
        return False
    if live_members >= expected_size:
        return True
    return (cluster_state == gstate.RECOVERY and forced
            and queued_left == 0)
