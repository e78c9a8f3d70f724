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

"""Point HAProxy at the leader through its runtime API (admin socket).

HAProxy's own health checks need 3-4 s to see a dead server; the watcher
knows sooner. Every server of the backend is matched to a Galera node by
address and port (``show servers state``); the leader's is set ``ready``,
every other one ``maint``, and the sessions still open on a server taken
out are shut so that no client keeps writing to a former leader.
"""

import dataclasses
import socket

from oslo_log import log

LOG = log.getLogger(__name__)

# srv_admin_state bits: forced and inherited maint. A server configured
# "disabled" has 0x05; "state ready" clears 0x01 and leaves 0x04 set.
_MAINT_FLAGS = 0x01 | 0x02


class HAProxyError(Exception):
    """The admin socket could not be reached or refused a command."""


@dataclasses.dataclass
class Server:
    name: str
    addr: str          # host:port
    in_maint: bool


class HAProxyAdmin:
    """One HAProxy instance's admin socket."""

    def __init__(self, socket_path: str, timeout: float = 2.0) -> None:
        self.socket_path = socket_path
        self.timeout = timeout

    def command(self, line: str) -> str:
        """Send one command and return HAProxy's whole answer."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(self.socket_path)
                sock.sendall(line.encode('ascii') + b'\n')
                chunks = []
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
        except OSError as exc:
            raise HAProxyError('HAProxy admin socket %s: %s'
                               % (self.socket_path, exc)) from exc
        return b''.join(chunks).decode('utf-8', 'replace')

    def servers(self, backend: str) -> list[Server]:
        """The backend's servers, from ``show servers state``."""
        return parse_servers_state(
            self.command('show servers state %s' % backend))

    def set_state(self, backend: str, server: str, state: str) -> None:
        answer = self.command('set server %s/%s state %s'
                              % (backend, server, state)).strip()
        if answer:
            raise HAProxyError('set server %s/%s state %s: %s'
                               % (backend, server, state, answer))

    def shutdown_sessions(self, backend: str, server: str) -> None:
        self.command('shutdown sessions server %s/%s' % (backend, server))


def parse_servers_state(text: str) -> list[Server]:
    """Parse ``show servers state`` (format version 1)."""
    servers = []
    header: list[str] = []
    for line in text.splitlines():
        if line.startswith('#'):
            header = line.lstrip('# ').split()
            continue
        fields = line.split()
        if not header or len(fields) < len(header) or line[:1].isalpha():
            continue
        row = dict(zip(header, fields, strict=False))
        try:
            admin = int(row['srv_admin_state'])
            servers.append(Server(
                name=row['srv_name'],
                addr='%s:%s' % (row['srv_addr'], row['srv_port']),
                in_maint=bool(admin & _MAINT_FLAGS)))
        except (KeyError, ValueError):
            continue
    return servers


def route_to_leader(admin: HAProxyAdmin, backend: str,
                    leader: str | None) -> list[str]:
    """Make HAProxy send ``backend`` traffic to ``leader`` only.

    Servers that already have the wanted state are left alone, so this is
    cheap to call on every check. Returns the changes made (for logs).
    """
    changes = []
    servers = admin.servers(backend)
    # Take the others out first: never two writers at once.
    for srv in servers:
        if srv.addr != leader and not srv.in_maint:
            admin.set_state(backend, srv.name, 'maint')
            admin.shutdown_sessions(backend, srv.name)
            changes.append('%s(%s)=maint' % (srv.name, srv.addr))
    for srv in servers:
        if srv.addr == leader and srv.in_maint:
            admin.set_state(backend, srv.name, 'ready')
            changes.append('%s(%s)=ready' % (srv.name, srv.addr))
    if leader is not None and leader not in {s.addr for s in servers}:
        LOG.warning('Leader %s is not a server of HAProxy backend %s on %s',
                    leader, backend, admin.socket_path)
    if changes:
        LOG.info('HAProxy %s backend %s: %s', admin.socket_path, backend,
                 ', '.join(changes))
    return changes
