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

"""The watcher loop: election, checks, leader, HAProxy, notifications.

One watcher per cluster is active: the leader of a tooz election on a
lock (``trellis.common.coordination``, ``galera-<cluster>``); a standby
takes over within ``[coordination] lock_ttl`` of the active one dying, at
once when it stops cleanly. Without an election object (unit tests,
tools) the election is an etcd lease plus create of the ``watcher`` key.
The active watcher always publishes itself in ``watcher``.

The active watcher checks every known node in parallel each
``poll_interval``, applies the guide's readiness and liveness rules
(``health``), sends restart/fence commands to the node supervisors,
keeps one ready leader (``leader``), routes HAProxy to it, evicts
members whose mariadbd is gone and emits notifications on leader and
state changes.
"""

import concurrent.futures
import contextlib
import threading
import time
from typing import Any

from oslo_log import log

from trellis.common import context as trellis_context
from trellis.common import etcd as trellis_etcd
from trellis.common import exception
from trellis.common import notifications
from trellis.common import rpc
from trellis.services.galera_watcher import haproxy
from trellis.services.galera_watcher import health
from trellis.services.galera_watcher import leader as leader_mod
from trellis.services.galera_watcher import state as gstate

LOG = log.getLogger(__name__)


class NodeView:
    """What the watcher remembers of one node between two checks."""

    def __init__(self) -> None:
        self.comment: str | None = None
        self.last_command_at = 0.0
        self.failures = 0
        self.last_status: dict | None = None
        self.gcomm_uuid: str | None = None
        self.evicted: str | None = None
        self.published: dict | None = None
        self.published_at = 0.0


class GaleraWatcher:
    """Watches one cluster; ``start()`` runs the loop in a thread."""

    def __init__(self, conf: Any, client: trellis_etcd.EtcdClient,
                 host: str, election: Any = None) -> None:
        self.conf = conf
        self.gconf = conf.galera
        self.client = client
        self.host = host
        self.keys = gstate.ClusterKeys(client, self.gconf.cluster)
        self.haproxies = [haproxy.HAProxyAdmin(path)
                          for path in self.gconf.haproxy_sockets]
        self.election = election
        self.active = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lease: trellis_etcd.Lease | None = None
        self._views: dict[str, NodeView] = {}
        self._last_state: str | None = None
        self._last_leader: str | None = None
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=8, thread_name_prefix='galera-check')

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='galera-watcher')
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop and resign, so a standby takes over at once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._resign()
        self._pool.shutdown(wait=False)

    def _resign(self) -> None:
        if self._lease is not None:
            with contextlib.suppress(exception.EtcdUnavailable):
                self.keys.delete_if('watcher', self.host)
                self._lease.revoke()
            self._lease = None
        if self.active.is_set():
            LOG.info('Galera watcher %s resigned for cluster %s', self.host,
                     self.keys.cluster)
        self.active.clear()

    def _run(self) -> None:
        LOG.info('Galera watcher %s watching cluster %s (standby until '
                 'elected)', self.host, self.keys.cluster)
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                if self._elect():
                    self.tick()
            except exception.EtcdUnavailable as exc:
                LOG.warning('Galera watcher: etcd unavailable: %s', exc)
            except Exception:
                LOG.exception('Galera watcher: unexpected error')
            elapsed = time.monotonic() - started
            self._stop.wait(max(self.gconf.poll_interval - elapsed, 0.05))

    def _elect(self) -> bool:
        """Be or become the active watcher; False while standing by."""
        if self.election is not None:
            return self._follow_election()
        if self._lease is not None and self._lease.lost.is_set():
            LOG.warning('Galera watcher %s lost its election lease',
                        self.host)
            self._lease = None
            self.active.clear()
        if self.active.is_set():
            return True
        if self._lease is None:
            self._lease = self.client.lease(self.gconf.lease_ttl)
            self._lease.keep_alive(
                interval=max(self.gconf.lease_ttl / 3.0, 0.5))
        if self.client.create(self.keys.path('watcher'), self.host,
                              lease=self._lease):
            self.active.set()
            self._views.clear()
            self._last_state = self._last_leader = None
            self._decision('watcher %s is active for cluster %s'
                           % (self.host, self.keys.cluster))
            return True
        return False

    def _follow_election(self) -> bool:
        """Active while the tooz election says so; publish ``watcher``."""
        if not self.election.is_leader:
            if self.active.is_set():
                self.active.clear()
                LOG.warning('Galera watcher %s lost the election for '
                            'cluster %s; standing by', self.host,
                            self.keys.cluster)
            return False
        if self._lease is None or self._lease.lost.is_set():
            self._lease = self.client.lease(self.gconf.lease_ttl)
            self._lease.keep_alive(
                interval=max(self.gconf.lease_ttl / 3.0, 0.5))
            self.keys.put('watcher', self.host, lease=self._lease)
        if not self.active.is_set():
            self.active.set()
            self._views.clear()
            self._last_state = self._last_leader = None
            self.keys.put('watcher', self.host, lease=self._lease)
            self._decision('watcher %s is active for cluster %s'
                           % (self.host, self.keys.cluster))
        return True

    # -- one round of checks ----------------------------------------------

    def tick(self) -> dict[str, Any]:
        """Check every node once and act; return what was seen."""
        snap = self.keys.snapshot()
        addrs = sorted(set(snap.members) | set(snap.nodes))
        futures = {addr: self._pool.submit(self._check, addr)
                   for addr in addrs}
        results = {addr: fut.result() for addr, fut in futures.items()}
        ready: dict[str, int | None] = {}
        alive: set[str] = set()
        seen = {}
        gone = []
        for addr, (status, error) in results.items():
            view = self._views.setdefault(addr, NodeView())
            if status:
                view.gcomm_uuid = status.get('wsrep_gcomm_uuid')
                view.failures = 0
                view.last_status = status
            elif health.process_gone(error):
                view.failures = self.gconf.failure_threshold
                view.last_status = None
                if view.gcomm_uuid and view.evicted != view.gcomm_uuid:
                    gone.append(addr)
            else:
                view.failures += 1
                if view.failures < self.gconf.failure_threshold:
                    # One slow answer (a loaded host) is not a failure
                    # yet: judge on the last status, like a probe's
                    # failure threshold.
                    status, error = view.last_status, None
            if health.member_alive(status, snap.uuid).action == health.OK:
                alive.add(addr)
            phase = snap.members.get(addr, {}).get('phase')
            ready_v = health.readiness(status, snap.uuid)
            if addr in snap.fenced:
                ready_v = health.Verdict(health.SKIP, 'fenced')
            live_v = health.liveness(snap.state, phase, status, error,
                                     snap.uuid, view.comment)
            view.comment = (status or {}).get('wsrep_local_state_comment')
            if ready_v.action == health.OK:
                ready[addr] = health.summary(status)['seqno']
            elif addr in snap.nodes and (error is not None
                                         or live_v.action == health.FENCE):
                # Unreachable or split brain: not a member any more. A
                # donor stays (its supervisor keeps it registered).
                self.keys.delete('nodes/%s' % addr)
                self._decision('%s removed from nodes/: %s'
                               % (addr, error or live_v.reason))
            if live_v.action in (health.FENCE, health.RESTART):
                self._command(snap, addr, live_v)
            seen[addr] = dict(health.summary(status), phase=phase,
                              ready=ready_v.action == health.OK,
                              reason=ready_v.reason,
                              liveness=live_v.action,
                              error=str(error) if error else None,
                              at=round(time.time(), 3))
        self._publish_health(snap, seen)
        new_leader = leader_mod.choose_leader(snap.leader, ready, alive)
        self._apply_leader(snap, new_leader)
        if gone and ready and snap.state == gstate.STEADY:
            self._evict(gone, list(ready))
        self._note_state(snap)
        return seen

    def _evict(self, gone: list[str], survivors: list[str]) -> None:
        """Make the survivors drop dead members now, not after timeouts."""
        for addr in gone:
            view = self._views[addr]
            futures = [self._pool.submit(
                health.evict, survivor, view.gcomm_uuid, self.gconf.user,
                self.gconf.password, self.gconf.connect_timeout,
                self.gconf.query_timeout) for survivor in survivors]
            errors = [fut.exception() for fut in futures]
            view.evicted = view.gcomm_uuid
            self._decision('evicted %s (gcomm %s) on %s: its mariadbd is '
                           'gone%s' % (addr, view.gcomm_uuid,
                                       ', '.join(survivors),
                                       ''.join('; %s' % e for e in errors
                                               if e)))

    def _check(self, addr: str) -> tuple[dict | None, Exception | None]:
        try:
            return health.fetch_status(addr, self.gconf.user,
                                       self.gconf.password,
                                       self.gconf.connect_timeout,
                                       self.gconf.query_timeout), None
        except Exception as exc:
            return None, exc

    def _command(self, snap: gstate.Snapshot, addr: str,
                 verdict: health.Verdict) -> None:
        member = snap.members.get(addr)
        view = self._views[addr]
        if member is None or addr in snap.commands:
            return
        if time.monotonic() - view.last_command_at < self.gconf.restart_grace:
            return
        view.last_command_at = time.monotonic()
        command = self.keys.send_command(addr, verdict.action, verdict.reason,
                                         member.get('run_id'), self.host)
        self._decision('%s %s: %s' % (verdict.action, addr, verdict.reason))
        self._notify('node', 'fenced' if verdict.action == health.FENCE
                     else 'restarted', {'cluster': self.keys.cluster,
                                        'node': addr, 'command': command},
                     priority='warning')

    def _publish_health(self, snap: gstate.Snapshot,
                        seen: dict[str, dict]) -> None:
        """Write each node's view when it changed (or every 10 s)."""
        for addr, record in seen.items():
            view = self._views[addr]
            content = {k: v for k, v in record.items() if k != 'at'}
            if (content == view.published and addr in snap.health
                    and time.monotonic() - view.published_at < 10):
                continue
            self.keys.put('health/%s' % addr, record, lease=self._lease)
            view.published = content
            view.published_at = time.monotonic()
        for addr in set(snap.health) - set(seen):
            self.keys.delete('health/%s' % addr)

    def _apply_leader(self, snap: gstate.Snapshot,
                      new_leader: str | None) -> None:
        if new_leader != snap.leader:
            if self.keys.set_leader(new_leader, snap.leader):
                self._decision('leader %s -> %s' % (snap.leader, new_leader))
            else:
                return   # someone else changed it; next round decides
        for admin in self.haproxies:
            try:
                haproxy.route_to_leader(admin, self.gconf.haproxy_backend,
                                        new_leader)
            except haproxy.HAProxyError as exc:
                LOG.warning('Galera watcher: %s', exc)
        if new_leader != self._last_leader:
            if self._last_leader is not None or new_leader is not None:
                self._notify('leader', 'changed', {
                    'cluster': self.keys.cluster, 'old': self._last_leader,
                    'new': new_leader})
            self._last_leader = new_leader

    def _note_state(self, snap: gstate.Snapshot) -> None:
        if snap.state != self._last_state:
            LOG.info('Galera cluster %s state %s -> %s', self.keys.cluster,
                     self._last_state, snap.state)
            if self._last_state is not None:
                self._notify('state', 'changed', {
                    'cluster': self.keys.cluster, 'old': self._last_state,
                    'new': snap.state, 'uuid': snap.uuid})
            self._last_state = snap.state

    def _decision(self, text: str) -> None:
        LOG.info('Galera watcher %s decided: %s', self.host, text)
        with contextlib.suppress(exception.EtcdUnavailable):
            self.keys.put('decision', {'by': self.host, 'decision': text,
                                       'at': round(time.time(), 3)})

    def _notify(self, subject: str, what: str, payload: dict,
                priority: str = 'info') -> None:
        """Emit ``trellis.galera.<subject>.<what>`` (DESIGN §3)."""
        if not rpc.initialized():
            return
        notifications.emit(trellis_context.get_admin_context(),
                           rpc.GALERA_WATCHER_TOPIC, 'galera', subject,
                           payload, phase=what, priority=priority)
