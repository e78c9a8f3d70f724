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

"""Readiness and liveness of one Galera node, exactly as Fuel CCP's guide.

Readiness (all must hold): ``wsrep_local_state_comment`` is ``Synced``,
``wsrep_evs_state`` is ``OPERATIONAL``, ``wsrep_connected`` and
``wsrep_ready`` are ``ON`` and ``wsrep_cluster_state_uuid`` equals the
uuid in etcd.

Liveness, in order: skipped unless the cluster is STEADY, while a state
transfer runs and before mariadbd's pid file exists (the supervisor
reports both as its phase); a different uuid is split brain (fence);
``Joined`` on two checks in a row restarts the node; an exception during
the checks restarts it.

The functions here decide; they never act. ``fetch_status`` is the only
I/O (PyMySQL, short timeouts).
"""

import dataclasses
import re
from typing import Any

import pymysql

from trellis.services.galera_watcher import state as gstate

_GCOMM_UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-'
                         r'[0-9a-f]{4}-[0-9a-f]{12}$')
NIL_UUID = '00000000-0000-0000-0000-000000000000'
SYNCED = 'Synced'
JOINED = 'Joined'
# Local states during which a state transfer runs (joiner or donor).
SST_STATES = ('Joining', 'Joining: preparing for State Transfer',
              'Joining: requested State Transfer',
              'Joining: receiving State Transfer', 'Joiner',
              'Donor/Desynced', 'Donor')

# Supervisor phases (members/<addr> "phase").
PHASE_STARTING = 'starting'     # datadir checks, wsrep-recover
PHASE_WAITING = 'waiting'       # lock or recovery queue
PHASE_JOINING = 'joining'       # mariadbd started, not Synced yet (SST)
PHASE_RUNNING = 'running'       # pid file exists, Synced once
PHASE_STOPPING = 'stopping'
PHASE_FENCED = 'fenced'

OK = 'ok'
SKIP = 'skip'
FENCE = 'fence'
RESTART = 'restart'


@dataclasses.dataclass
class Verdict:
    """What a check concluded, and why (logged and written to etcd)."""

    action: str
    reason: str


def fetch_status(addr: str, user: str, password: str,
                 connect_timeout: float, read_timeout: float) -> dict:
    """``SHOW GLOBAL STATUS LIKE 'wsrep_%'`` of one node as a dict.

    :raises: pymysql.MySQLError or OSError when the node does not answer.
    """
    host, _sep, port = addr.rpartition(':')
    conn = pymysql.connect(host=host, port=int(port), user=user,
                           password=password,
                           connect_timeout=connect_timeout,
                           read_timeout=read_timeout,
                           write_timeout=read_timeout)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW GLOBAL STATUS LIKE 'wsrep_%'")
            return {name: value for name, value in cur.fetchall()}
    finally:
        conn.close()


def process_gone(error: Exception | None) -> bool:
    """Whether the node refused the connection: no mariadbd listens.

    A refused TCP connection (not a timeout) means the process is gone,
    not that the network is slow: it is safe to evict it at once.
    """
    if isinstance(error, ConnectionRefusedError):
        return True
    if isinstance(error, pymysql.err.OperationalError) and error.args:
        return error.args[0] == 2003 and 'refused' in str(error).lower()
    return False


def evict(addr: str, gcomm_uuid: str, user: str, password: str,
          connect_timeout: float, read_timeout: float) -> None:
    """Ask the node at ``addr`` to evict a dead member (``evs.evict``).

    Without it the survivors wait for the EVS suspect and inactive
    timeouts (seconds) before they commit again. A restarted mariadbd has
    a new gcomm uuid, so the eviction never keeps it out.
    """
    if not _GCOMM_UUID.match(gcomm_uuid or ''):
        raise ValueError('Not a gcomm uuid: %r' % gcomm_uuid)
    host, _sep, port = addr.rpartition(':')
    conn = pymysql.connect(host=host, port=int(port), user=user,
                           password=password,
                           connect_timeout=connect_timeout,
                           read_timeout=read_timeout,
                           write_timeout=read_timeout)
    try:
        with conn.cursor() as cur:
            cur.execute('SET GLOBAL wsrep_provider_options = %s',
                        ('evs.evict=%s' % gcomm_uuid,))
    finally:
        conn.close()


def readiness(status: dict | None, etcd_uuid: str | None) -> Verdict:
    """The guide's five readiness conditions; OK or why not."""
    if not status:
        return Verdict(SKIP, 'no wsrep status')
    checks = (('wsrep_local_state_comment', SYNCED),
              ('wsrep_evs_state', 'OPERATIONAL'),
              ('wsrep_connected', 'ON'),
              ('wsrep_ready', 'ON'))
    for name, expected in checks:
        if status.get(name) != expected:
            return Verdict(SKIP, '%s is %s, not %s'
                           % (name, status.get(name), expected))
    node_uuid = status.get('wsrep_cluster_state_uuid')
    if not etcd_uuid or node_uuid != etcd_uuid:
        return Verdict(SKIP, 'cluster uuid %s differs from etcd uuid %s'
                       % (node_uuid, etcd_uuid))
    return Verdict(OK, 'ready')


def member_alive(status: dict | None, etcd_uuid: str | None) -> Verdict:
    """Whether the node is a working member of the etcd cluster.

    Looser than readiness: a donor (``Donor/Desynced``) still counts, so
    that ``nodes/`` does not look empty while the only member feeds a
    joiner (which would look like a cluster to recover). Used by the
    supervisor for ``nodes/``; traffic needs ``readiness``.
    """
    if not status:
        return Verdict(SKIP, 'no wsrep status')
    comment = status.get('wsrep_local_state_comment')
    if comment not in (SYNCED, 'Donor/Desynced'):
        return Verdict(SKIP, 'wsrep_local_state_comment is %s' % comment)
    for name in ('wsrep_connected', 'wsrep_ready'):
        if status.get(name) != 'ON':
            return Verdict(SKIP, '%s is %s' % (name, status.get(name)))
    node_uuid = status.get('wsrep_cluster_state_uuid')
    if not etcd_uuid or node_uuid != etcd_uuid:
        return Verdict(SKIP, 'cluster uuid %s differs from etcd uuid %s'
                       % (node_uuid, etcd_uuid))
    return Verdict(OK, 'member')


def liveness(cluster_state: str | None, phase: str | None,
             status: dict | None, error: Exception | None,
             etcd_uuid: str | None,
             previous_comment: str | None) -> Verdict:
    """The guide's liveness checks, in the guide's order.

    :param phase: the supervisor's phase (``members/<addr>``); None for a
        node without supervisor.
    :param error: the exception raised while fetching the status.
    :param previous_comment: ``wsrep_local_state_comment`` seen by the
        previous check of this node.
    """
    if cluster_state != gstate.STEADY:
        return Verdict(SKIP, 'cluster state is %s' % cluster_state)
    if phase in (PHASE_FENCED, PHASE_STOPPING):
        return Verdict(SKIP, 'node is %s' % phase)
    comment = (status or {}).get('wsrep_local_state_comment')
    if phase == PHASE_JOINING or comment in SST_STATES:
        return Verdict(SKIP, 'state transfer in progress')
    if phase is not None and phase != PHASE_RUNNING:
        return Verdict(SKIP, 'no pid file yet (%s)' % phase)
    if error is not None:
        return Verdict(RESTART, 'check failed: %s'
                       % (str(error) or type(error).__name__))
    node_uuid = (status or {}).get('wsrep_cluster_state_uuid')
    # Another uuid in a Primary Component is another cluster. A node out
    # of the Primary Component (all-zero or stale uuid) is not.
    if (etcd_uuid and node_uuid and node_uuid != etcd_uuid
            and node_uuid != NIL_UUID
            and (status or {}).get('wsrep_cluster_status') == 'Primary'):
        return Verdict(FENCE, 'split brain: cluster uuid %s, etcd has %s'
                       % (node_uuid, etcd_uuid))
    if comment == JOINED and previous_comment == JOINED:
        return Verdict(RESTART, 'Joined on two checks in a row')
    return Verdict(OK, 'alive')


def summary(status: dict | None) -> dict[str, Any]:
    """The few wsrep values operators look at first."""
    status = status or {}
    last = status.get('wsrep_last_committed')
    return {
        'state': status.get('wsrep_local_state_comment'),
        'cluster_status': status.get('wsrep_cluster_status'),
        'cluster_size': _int(status.get('wsrep_cluster_size')),
        'uuid': status.get('wsrep_cluster_state_uuid'),
        'seqno': _int(last),
        'ready': status.get('wsrep_ready'),
    }


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
