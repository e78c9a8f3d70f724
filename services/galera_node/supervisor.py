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

"""trellis-galera-node's work: start, supervise and stop one mariadbd.

Fuel CCP's galera entrypoint on etcd v3. On start: initialise the datadir
(no ``init.ok``) or learn the node's position (``--wsrep-recover``); then,
by the cluster state in etcd, bootstrap (first node of a new cluster,
under the lock), join (under the lock, one node at a time) or recover
(queue, seqno, the highest seqno or the forced node bootstraps). While
mariadbd runs, it registers ``nodes/<addr>`` when its readiness check
passes and obeys the watcher's commands (restart, fence, recover). If
mariadbd dies it starts over, as a restarted container would. On SIGTERM
it stops mariadbd cleanly and removes its keys. It never deletes data.
"""

from collections.abc import Iterator
import contextlib
import os
import threading
import time
from typing import Any

from oslo_log import log
from oslo_utils import uuidutils

from trellis.common import etcd as trellis_etcd
from trellis.common import exception
from trellis.services.galera_node import decide
from trellis.services.galera_node import mysqld
from trellis.services.galera_watcher import health
from trellis.services.galera_watcher import state as gstate

LOG = log.getLogger(__name__)

# Start mode of a recovery bootstrap (safe_to_bootstrap + new cluster).
_RECOVERY_BOOTSTRAP = 'recovery-bootstrap'


class Stopping(Exception):
    """The supervisor was asked to stop while it waited."""


class StartFailed(Exception):
    """mariadbd did not become Synced; the supervisor starts over."""


class NodeSupervisor:
    """The supervisor of one Galera node (one mariadbd)."""

    def __init__(self, conf: Any, client: trellis_etcd.EtcdClient,
                 defaults: mysqld.Defaults, address: str) -> None:
        self.conf = conf
        self.gconf = conf.galera
        self.client = client
        self.keys = gstate.ClusterKeys(client, self.gconf.cluster)
        self.defaults = defaults
        self.addr = address
        self.process = mysqld.Process(defaults, self.gconf.mysqld_path)
        # Identifies one mariadbd run, unique across supervisor restarts,
        # so that a command meant for an earlier run is never obeyed.
        self.run_id = ''
        self.phase = health.PHASE_STARTING
        self.position: tuple[str | None, int] = (None, -1)
        self._stop = threading.Event()
        self._lease: trellis_etcd.Lease | None = None
        self._last_note = ''

    # -- public ------------------------------------------------------------

    def request_stop(self) -> None:
        """Ask ``run`` to stop mariadbd and return (signal handler)."""
        self._stop.set()

    def run(self) -> None:
        """Start and supervise mariadbd until ``request_stop``."""
        self._new_lease()
        try:
            self._set_phase(health.PHASE_STARTING)
            mysqld.stop_stale(self.defaults, self.gconf.stop_timeout)
            if not mysqld.is_initialised(self.defaults):
                mysqld.initialise(self.defaults, self.gconf.install_db_path,
                                  self.gconf.mysqld_path, self.gconf.user,
                                  self.gconf.password)
            while not self._stop.is_set():
                if self._fenced():
                    continue
                self.position = mysqld.recover_position(
                    self.defaults, self.gconf.mysqld_path)
                LOG.info('Node %s position: uuid %s seqno %d', self.addr,
                         *self.position)
                try:
                    self._start()
                except StartFailed as exc:
                    LOG.error('Node %s could not start: %s; starting over',
                              self.addr, exc)
                    self.process.stop(self.gconf.stop_timeout)
                    self._unregister_ready()
                    self._stop.wait(1)
                    continue
                outcome = self._supervise()
                LOG.info('Node %s: mariadbd run %s ended (%s)', self.addr,
                         self.run_id, outcome)
                if outcome == 'died':
                    self._stop.wait(1)
        except Stopping:
            pass
        finally:
            self._shutdown()

    # -- etcd helpers ------------------------------------------------------

    def _new_lease(self) -> None:
        self._lease = self.client.lease(self.gconf.lease_ttl)
        self._lease.keep_alive(
            interval=max(self.gconf.lease_ttl / 3.0, 0.5))

    def _check_lease(self) -> bool:
        """Replace a lost lease; True if keys must be written again."""
        if self._lease is not None and not self._lease.lost.is_set():
            return False
        LOG.warning('Node %s lost its etcd lease; registering again',
                    self.addr)
        self._lease.stop_keep_alive()
        self._new_lease()
        self._publish_member()
        return True

    def _publish_member(self) -> None:
        uuid, seqno = self.position
        self.keys.put('members/%s' % self.addr, {
            'addr': self.addr, 'host': self.conf.host, 'pid': os.getpid(),
            'mysqld_pid': self.process.pid if self.process.running()
            else None,
            'phase': self.phase, 'run_id': self.run_id, 'uuid': uuid,
            'seqno': seqno, 'at': round(time.time(), 3)}, lease=self._lease)

    def _set_phase(self, phase: str) -> None:
        if phase != self.phase:
            LOG.info('Node %s: phase %s -> %s', self.addr, self.phase, phase)
        self.phase = phase
        self._publish_member()

    def _note(self, message: str, *args: Any) -> None:
        """Log a waiting reason once, not on every poll."""
        text = message % args
        if text != self._last_note:
            LOG.info('Node %s: %s', self.addr, text)
            self._last_note = text

    def _wait(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise Stopping()

    def _fenced(self) -> bool:
        record = self.keys.get('fenced/%s' % self.addr)
        if record is None:
            return False
        self._set_phase(health.PHASE_FENCED)
        self._note('fenced (%s); waiting for an operator to delete %s',
                   record, self.keys.path('fenced', self.addr))
        self._wait(self.gconf.poll_interval * 4)
        return True

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the cluster's bootstrap/join lock (on our lease)."""
        path = self.keys.path('lock')
        while not self.client.create(path, self.addr, lease=self._lease):
            self._note('waiting for the lock held by %s',
                       self.keys.get('lock'))
            self._wait(0.2)
        LOG.info('Node %s holds the cluster lock', self.addr)
        try:
            yield
        finally:
            with contextlib.suppress(exception.EtcdUnavailable):
                self.keys.delete_if('lock', self.addr)
            LOG.info('Node %s released the cluster lock', self.addr)

    # -- starting ----------------------------------------------------------

    def _start(self) -> None:
        """Choose the scenario and start mariadbd; return once Synced."""
        queued = False
        try:
            while True:
                self._wait(0)
                snap = self.keys.snapshot()
                if self.addr in snap.fenced:
                    raise StartFailed('node is fenced')
                mode = decide.start_mode(snap.state, len(snap.nodes))
                if mode == decide.RECOVER:
                    if snap.state == gstate.STEADY:
                        if self.keys.set_state(gstate.RECOVERY,
                                               gstate.STEADY):
                            self._decision('state STEADY -> RECOVERY: '
                                           'no live node in the cluster')
                        continue
                    if not queued:
                        self._enqueue()
                        queued = True
                    forced = snap.force_bootstrap or self.gconf.force_bootstrap
                    target, why = decide.choose_bootstrapper(
                        list(snap.queue), snap.seqno,
                        self.gconf.cluster_size, forced)
                    if target != self.addr:
                        self._set_phase(health.PHASE_WAITING)
                        self._note('recovery: %s', why)
                        self._wait(self.gconf.poll_interval)
                        continue
                    mode = _RECOVERY_BOOTSTRAP
                self._set_phase(health.PHASE_WAITING)
                with self._locked():
                    snap = self.keys.snapshot()
                    now = decide.start_mode(snap.state, len(snap.nodes))
                    if (now != mode and not (mode == _RECOVERY_BOOTSTRAP
                                             and now == decide.RECOVER)):
                        self._note('cluster changed while waiting for the '
                                   'lock (%s, %d live); choosing again',
                                   snap.state, len(snap.nodes))
                        continue
                    if mode == _RECOVERY_BOOTSTRAP:
                        self._decision('bootstrap the recovered cluster '
                                       'from %s (%s)' % (self.addr, why))
                    self._launch(mode, snap)
                    return
        finally:
            if queued:
                with contextlib.suppress(exception.EtcdUnavailable):
                    self.keys.delete('queue/%s' % self.addr)
                    self.keys.delete('seqno/%s' % self.addr)

    def _enqueue(self) -> None:
        uuid, seqno = self.position
        self.keys.put('seqno/%s' % self.addr, seqno, lease=self._lease)
        self.keys.put('queue/%s' % self.addr, int(time.time()),
                      lease=self._lease)
        LOG.info('Node %s queued for recovery with seqno %d (uuid %s)',
                 self.addr, seqno, uuid)

    def _launch(self, mode: str, snap: gstate.Snapshot) -> None:
        """Start mariadbd for ``mode`` (lock held) and wait until Synced."""
        extra = []
        new_cluster = mode in (decide.BOOTSTRAP, _RECOVERY_BOOTSTRAP)
        if mode == decide.BOOTSTRAP and snap.state is None:
            if not self.keys.set_state(gstate.BUILDING, None):
                raise StartFailed('another node started building')
            self._decision('state -> BUILDING: %s bootstraps a new cluster'
                           % self.addr)
        if mode == _RECOVERY_BOOTSTRAP:
            if os.path.exists(os.path.join(self.defaults.datadir,
                                           mysqld.GRASTATE)):
                mysqld.set_safe_to_bootstrap(self.defaults.datadir)
        if new_cluster:
            extra.append('--wsrep-new-cluster')
        else:
            self._check_divergence(snap)
        uuid, seqno = self.position
        if uuid and seqno >= 0:
            extra.append('--wsrep-start-position=%s:%d' % (uuid, seqno))
        self.run_id = uuidutils.generate_uuid(dashed=False)[:12]
        self.process.start(extra)
        self._set_phase(health.PHASE_JOINING)
        status = self._wait_synced(joining=not new_cluster)
        if new_cluster:
            self.keys.put('uuid', status['wsrep_cluster_state_uuid'])
        mysqld.mark_initialised(self.defaults)
        self._set_phase(health.PHASE_RUNNING)
        LOG.info('Node %s is Synced (%s, cluster size %s, uuid %s)',
                 self.addr, mode, status.get('wsrep_cluster_size'),
                 status.get('wsrep_cluster_state_uuid'))
        self._register_if_ready(status, self.keys.snapshot())

    def _check_divergence(self, snap: gstate.Snapshot) -> None:
        """Before joining: is our data ahead of the cluster's?

        Galera refuses such a joiner ("states diverged"). That happens
        after an operator forced a bootstrap from an older node; then,
        and only then, the data is moved aside (kept) and the node takes
        a full state transfer. Otherwise the operator must decide.
        """
        uuid, seqno = self.position
        if not uuid or seqno < 0 or uuid != snap.uuid:
            return
        cluster_seqno = None
        for addr in snap.nodes:
            with contextlib.suppress(Exception):
                status = health.fetch_status(
                    addr, self.gconf.user, self.gconf.password,
                    self.gconf.connect_timeout, self.gconf.query_timeout)
                cluster_seqno = health.summary(status)['seqno']
                break
        if cluster_seqno is None or seqno <= cluster_seqno:
            return
        forced = snap.force_bootstrap or self.gconf.force_bootstrap
        if not forced:
            raise StartFailed('local seqno %d is ahead of the cluster\'s %d: '
                              'the data diverged; recover with '
                              '--force-node or move the datadir away'
                              % (seqno, cluster_seqno))
        where = mysqld.set_aside(self.defaults)
        self.position = (None, -1)
        self._decision('data diverged (seqno %d, cluster %d) after the '
                       'forced bootstrap of %s: datadir kept in %s, full '
                       'state transfer' % (seqno, cluster_seqno, forced,
                                           where))

    def _local_status(self) -> dict:
        return health.fetch_status(self.addr, self.gconf.user,
                                   self.gconf.password,
                                   self.gconf.connect_timeout,
                                   self.gconf.query_timeout)

    def _wait_synced(self, joining: bool) -> dict:
        deadline = time.monotonic() + self.gconf.join_timeout
        alone_since = None
        while time.monotonic() < deadline:
            self._wait(0.2)
            if not self.process.running():
                raise StartFailed('mariadbd exited with code %s'
                                  % self.process.exit_code())
            with contextlib.suppress(Exception):
                status = self._local_status()
                if (status.get('wsrep_local_state_comment') == health.SYNCED
                        and status.get('wsrep_ready') == 'ON'):
                    return status
            if joining:
                # Nobody left to join (they all died meanwhile): give up.
                if self.keys.live_nodes():
                    alone_since = None
                elif alone_since is None:
                    alone_since = time.monotonic()
                elif (time.monotonic() - alone_since
                        > 2 * self.gconf.lease_ttl):
                    raise StartFailed('no live node left to join')
        raise StartFailed('not Synced after %ss' % self.gconf.join_timeout)

    # -- running -----------------------------------------------------------

    def _register_if_ready(self, status: dict | None,
                           snap: gstate.Snapshot) -> None:
        verdict = health.member_alive(status, snap.uuid)
        registered = self.addr in snap.nodes
        if verdict.action == health.OK and not registered:
            self.keys.put('nodes/%s' % self.addr, int(time.time()),
                          lease=self._lease)
            LOG.info('Node %s is a live member: registered in nodes/',
                     self.addr)
        elif verdict.action != health.OK and registered:
            self._unregister_ready()
            LOG.warning('Node %s is not a live member (%s): removed from '
                        'nodes/',
                        self.addr, verdict.reason)
        elif verdict.action != health.OK:
            self._note('not ready: %s', verdict.reason)

    def _unregister_ready(self) -> None:
        with contextlib.suppress(exception.EtcdUnavailable):
            self.keys.delete('nodes/%s' % self.addr)
            self.keys.delete_if('leader', self.addr)

    def _maybe_steady(self, snap: gstate.Snapshot, status: dict) -> None:
        size = len(snap.nodes)
        forced = bool(snap.force_bootstrap or self.gconf.force_bootstrap)
        # Nodes still on their way (queued, or supervisors that have not
        # joined yet) keep a forced recovery open.
        queued_left = len((set(snap.queue) | {
            addr for addr, member in snap.members.items()
            if member.get('phase') in (health.PHASE_STARTING,
                                       health.PHASE_WAITING,
                                       health.PHASE_JOINING)})
            - {self.addr} - set(snap.nodes))
        if (health.readiness(status, snap.uuid).action == health.OK
                and decide.steady_after_join(
                    snap.state, size, self.gconf.cluster_size,
                    queued_left, forced)):
            if self.keys.set_state(gstate.STEADY, snap.state):
                self._decision('state %s -> STEADY: %d of %d nodes live'
                               % (snap.state, size, self.gconf.cluster_size))
                if snap.state == gstate.RECOVERY:
                    self.keys.delete('force_bootstrap')

    def _supervise(self) -> str:
        """Watch mariadbd and the command key; return why the run ended."""
        while not self._stop.is_set():
            if not self.process.running():
                LOG.error('Node %s: mariadbd exited with code %s',
                          self.addr, self.process.exit_code())
                self._unregister_ready()
                self._set_phase(health.PHASE_STARTING)
                return 'died'
            try:
                # A new lease drops nodes/<addr>: registered again below.
                self._check_lease()
                snap = self.keys.snapshot()
                command = snap.commands.get(self.addr)
                if command is not None:
                    outcome = self._obey(command)
                    if outcome:
                        return outcome
                try:
                    status = self._local_status()
                except Exception as exc:
                    status = None
                    self._note('local status check failed: %s', exc)
                self._register_if_ready(status, snap)
                if status:
                    self._maybe_steady(snap, status)
            except exception.EtcdUnavailable as exc:
                self._note('etcd unavailable: %s', exc)
            self._stop.wait(self.gconf.poll_interval)
        return 'stop'

    def _obey(self, command: dict) -> str | None:
        action = command.get('action')
        run_id = command.get('run_id')
        self.keys.delete('commands/%s' % self.addr)
        if run_id is not None and run_id != self.run_id:
            LOG.info('Node %s: ignoring command %s for an earlier run %s',
                     self.addr, command, run_id)
            return None
        if action not in gstate.COMMANDS:
            LOG.warning('Node %s: unknown command %s', self.addr, command)
            return None
        self._decision('obeying %s from %s: %s'
                       % (action, command.get('by'), command.get('reason')))
        self._set_phase(health.PHASE_STOPPING)
        self._unregister_ready()
        self.process.stop(self.gconf.stop_timeout)
        if action == gstate.CMD_FENCE:
            self.keys.put('fenced/%s' % self.addr, {
                'reason': command.get('reason'), 'by': command.get('by'),
                'at': round(time.time(), 3)})
        self._set_phase(health.PHASE_STARTING)
        return action

    def _decision(self, text: str) -> None:
        """Log a decision and write it to etcd (``decision``)."""
        LOG.info('Node %s decided: %s', self.addr, text)
        with contextlib.suppress(exception.EtcdUnavailable):
            self.keys.put('decision', {'by': self.addr, 'decision': text,
                                       'at': round(time.time(), 3)})

    # -- stopping ----------------------------------------------------------

    def _shutdown(self) -> None:
        """Stop mariadbd cleanly, then remove every key of this node."""
        self.phase = health.PHASE_STOPPING
        with contextlib.suppress(Exception):
            self._publish_member()
        self._unregister_ready()
        self.process.stop(self.gconf.stop_timeout)
        with contextlib.suppress(exception.EtcdUnavailable):
            for name in ('queue', 'seqno', 'members'):
                self.keys.delete('%s/%s' % (name, self.addr))
            self.keys.delete_if('lock', self.addr)
        if self._lease is not None:
            with contextlib.suppress(exception.EtcdUnavailable):
                self._lease.revoke()
        LOG.info('Node %s deregistered and stopped', self.addr)
