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

"""The Galera keyspace in etcd, shared by the watcher and the nodes.

Everything lives under ``galera/<cluster>/`` (relative to ``[etcd]
prefix``, so ``/trellis/galera/<cluster>/`` by default), DESIGN §8:

- ``state``: ``BUILDING``, ``STEADY`` or ``RECOVERY`` (no lease).
- ``uuid``: the cluster state UUID; another UUID is split brain.
- ``leader``: address (host:port) of the node all traffic goes to.
- ``nodes/<addr>``: ready members (Unix time), on the node's lease.
- ``queue/<addr>``, ``seqno/<addr>``: recovery queue and seqnos (leased).
- ``lock``: the bootstrap/join lock, on its holder's lease.
- ``members/<addr>``: each supervisor's record (pid, phase, run id),
  leased; how the watcher learns which nodes exist.
- ``commands/<addr>``: a command (restart, fence, recover) for the node.
- ``fenced/<addr>``: why a node was fenced; only an operator removes it.
- ``force_bootstrap``: node an operator forced for the next recovery.
- ``watcher``: the election key of the active watcher (leased).
- ``health/<addr>``: the active watcher's last view of each node.
- ``decision``: the watcher's last decision, for operators.
"""

import dataclasses
import json
import time
from typing import Any

from trellis.common import etcd as trellis_etcd

BUILDING = 'BUILDING'
STEADY = 'STEADY'
RECOVERY = 'RECOVERY'
STATES = (BUILDING, STEADY, RECOVERY)

# Commands a watcher or an operator sends to a node supervisor.
CMD_RESTART = 'restart'
CMD_FENCE = 'fence'
CMD_RECOVER = 'recover'
COMMANDS = (CMD_RESTART, CMD_FENCE, CMD_RECOVER)


def _json(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


@dataclasses.dataclass
class Snapshot:
    """Everything under ``galera/<cluster>/``, read in one request."""

    state: str | None = None
    uuid: str | None = None
    leader: str | None = None
    watcher: str | None = None
    force_bootstrap: str | None = None
    nodes: dict[str, str] = dataclasses.field(default_factory=dict)
    queue: dict[str, str] = dataclasses.field(default_factory=dict)
    seqno: dict[str, int] = dataclasses.field(default_factory=dict)
    members: dict[str, dict] = dataclasses.field(default_factory=dict)
    commands: dict[str, dict] = dataclasses.field(default_factory=dict)
    fenced: dict[str, dict] = dataclasses.field(default_factory=dict)
    health: dict[str, dict] = dataclasses.field(default_factory=dict)
    lock: str | None = None


class ClusterKeys:
    """Typed access to one cluster's keys through an ``EtcdClient``."""

    def __init__(self, client: trellis_etcd.EtcdClient, cluster: str) -> None:
        self.client = client
        self.cluster = cluster
        self.base = 'galera/%s/' % cluster

    def path(self, *parts: str) -> str:
        return self.base + '/'.join(parts)

    # -- reading -----------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """Read the whole cluster keyspace at once (one revision)."""
        snap = Snapshot()
        dirs = {'nodes': snap.nodes, 'queue': snap.queue,
                'members': snap.members, 'commands': snap.commands,
                'fenced': snap.fenced, 'health': snap.health}
        for key, value in self.client.get_prefix(self.base).items():
            name = key[len(self.base):]
            top, _sep, rest = name.partition('/')
            if rest:
                if top == 'seqno':
                    try:
                        snap.seqno[rest] = int(value)
                    except ValueError:
                        snap.seqno[rest] = -1
                elif top in ('nodes', 'queue'):
                    dirs[top][rest] = value
                elif top in dirs:
                    parsed = _json(value)
                    dirs[top][rest] = (parsed if isinstance(parsed, dict)
                                       else {'value': parsed})
            elif top in ('state', 'uuid', 'leader', 'watcher',
                         'force_bootstrap', 'lock'):
                setattr(snap, top, value)
        return snap

    def get(self, name: str) -> str | None:
        return self.client.get(self.path(name))

    def state(self) -> str | None:
        return self.get('state')

    def uuid(self) -> str | None:
        return self.get('uuid')

    def live_nodes(self) -> dict[str, str]:
        prefix = self.path('nodes/')
        return {k[len(prefix):]: v
                for k, v in self.client.get_prefix(prefix).items()}

    # -- writing -----------------------------------------------------------

    def put(self, name: str, value: Any,
            lease: trellis_etcd.Lease | None = None) -> None:
        self.client.put(self.path(name), value, lease=lease)

    def delete(self, name: str) -> bool:
        return self.client.delete(self.path(name))

    def set_state(self, new: str, expected: str | None = None) -> bool:
        """Set ``state``; with ``expected``, only if it still holds it.

        ``expected=None`` means "only if no state exists yet".
        """
        if new not in STATES:
            raise ValueError('Unknown Galera cluster state %r' % new)
        key = self.path('state')
        compare = (self.client.txn_missing(key) if expected is None
                   else self.client.txn_value_equals(key, expected))
        return self.client.transaction([compare],
                                       [self.client.txn_put(key, new)])

    def force_state(self, new: str) -> None:
        if new not in STATES:
            raise ValueError('Unknown Galera cluster state %r' % new)
        self.put('state', new)

    def set_leader(self, new: str | None, old: str | None) -> bool:
        """Compare-and-swap the leader (None: no leader/delete)."""
        key = self.path('leader')
        compare = (self.client.txn_missing(key) if old is None
                   else self.client.txn_value_equals(key, old))
        action = (self.client.txn_delete(key) if new is None
                  else self.client.txn_put(key, new))
        return self.client.transaction([compare], [action])

    def delete_if(self, name: str, value: Any) -> bool:
        """Delete ``name`` only while it still holds ``value``."""
        key = self.path(name)
        return self.client.transaction(
            [self.client.txn_value_equals(key, value)],
            [self.client.txn_delete(key)])

    def send_command(self, addr: str, action: str, reason: str,
                     run_id: str | None, sender: str) -> dict:
        """Ask the supervisor of ``addr`` to restart/fence/recover."""
        if action not in COMMANDS:
            raise ValueError('Unknown Galera node command %r' % action)
        command = {'action': action, 'reason': reason, 'run_id': run_id,
                   'by': sender, 'at': round(time.time(), 3)}
        self.put('commands/%s' % addr, command)
        return command
