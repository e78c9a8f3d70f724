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

"""Distributed locks, group membership and leader election (tooz).

tooz 9 reaches etcd only through its etcd3 gateway driver
(``etcd3+http://`` / ``etcd3+https://``, on etcd3gw). It gives locks and
groups but no leader election, so ``LeaderElection`` treats "holder of
the lock ``leader-<group>``" as leader (DESIGN §11).

A ``Coordinator`` is made in a service's ``start()`` (never at import or
in ``__init__``: the launcher forks), beats its own heartbeat thread so
that lock and membership leases stay alive, and in ``stop()`` releases
its locks and leaves its groups so that others take over at once instead
of after the TTL. Every tooz failure becomes ``CoordinationUnavailable``
naming the backend (without credentials).

Names are scoped by ``[etcd] prefix`` so two installations can share one
etcd: lock ``x`` is tooz lock ``<prefix>/x``, group ``g`` is tooz group
``<namespace>.g``.
"""

import base64
import binascii
from collections.abc import Callable
from collections.abc import Iterator
import contextlib
import math
import threading
import time
from typing import Any
from urllib import parse
import uuid

from etcd3gw import exceptions as etcd_exc
from oslo_config import cfg
from oslo_log import log
import tooz
from tooz import coordination as tooz_coordination

from trellis.common import exception
from trellis.common.conf import CONF

LOG = log.getLogger(__name__)

# How long a blocking acquire sleeps between two attempts.
_ACQUIRE_POLL = 0.2
# "The driver cannot tell" (not the etcd driver).
_UNKNOWN = object()


def safe_url(url: str) -> str:
    """The URL without user, password and query, fit for logs and errors."""
    try:
        parsed = parse.urlsplit(url)
        netloc = parsed.hostname or ''
        if parsed.port:
            netloc = '%s:%d' % (netloc, parsed.port)
    except ValueError:
        return '<invalid URL>'
    return parse.urlunsplit((parsed.scheme, netloc, parsed.path, '', ''))


def backend_url_from_conf(conf: cfg.ConfigOpts = CONF) -> str:
    """``[coordination] backend_url``, or tooz's etcd3 URL of ``[etcd]``."""
    if conf.coordination.backend_url:
        return conf.coordination.backend_url
    parsed = parse.urlsplit(conf.etcd.url)
    if parsed.scheme not in ('http', 'https') or not parsed.hostname:
        raise exception.ConfigInvalid(
            error='[etcd] url must look like http://HOST:PORT, got %r'
                  % conf.etcd.url)
    query = {'timeout': max(1, math.ceil(conf.etcd.timeout))}
    if parsed.scheme == 'https':
        for name, value in (('ca_cert', conf.etcd.ca_cert),
                            ('cert_cert', conf.etcd.cert_file),
                            ('cert_key', conf.etcd.key_file)):
            if value:
                query[name] = value
    return 'etcd3+%s://%s/?%s' % (parsed.scheme, parsed.netloc,
                                 parse.urlencode(query))


class Lock:
    """A distributed lock; also a context manager.

    ``with coordinator.get_lock('cluster-1', timeout=5):`` waits at most
    5 s and raises ``LockNotAcquired`` if another member still holds it.
    """

    def __init__(self, coordinator: 'Coordinator', name: str,
                 tooz_lock: Any, timeout: float | None = None) -> None:
        self._coordinator = coordinator
        self.name = name
        self._lock = tooz_lock
        self.timeout = timeout

    @property
    def tooz_lock(self) -> Any:
        return self._lock

    def acquire(self, blocking: bool = True,
                timeout: float | None = None) -> bool:
        """Take the lock; True if taken.

        :param blocking: False tries once.
        :param timeout: with ``blocking``, seconds to keep trying (None:
            until it is free or the coordinator stops).
        :raises: CoordinationUnavailable when the backend fails.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._coordinator.translate_errors():
                # NOTE: every acquire attempt of the etcd driver grants a
                # lease; peek first so that polling a held lock is cheap.
                holder = self._peek()
                if ((holder is None or holder is _UNKNOWN)
                        and self._lock.acquire(blocking=False)):
                    self._coordinator._lock_taken(self)
                    return True
            if not blocking:
                return False
            pause = _ACQUIRE_POLL
            if deadline is not None:
                pause = min(pause, deadline - time.monotonic())
                if pause <= 0:
                    return False
            # A stopping coordinator ends every wait.
            if self._coordinator._stop.wait(pause):
                return False

    def release(self) -> bool:
        """Release the lock; False if it was not held (any more)."""
        self._coordinator._lock_released(self)
        with self._coordinator.translate_errors():
            return bool(self._lock.release())

    @property
    def acquired(self) -> bool:
        return bool(self._lock.acquired)

    def is_still_held(self) -> bool:
        """Ask the backend whether this member still holds the lock.

        ``acquired`` is only what this process believes; after a lease
        expiry (a stalled process, lost heartbeats) the key may be gone
        or another member's. On the etcd driver this reads the lock key
        and compares it with this lock's unique value.

        :raises: CoordinationUnavailable when the backend fails.
        """
        if not self.acquired:
            return False
        token = getattr(self._lock, '_uuid', None)
        with self._coordinator.translate_errors():
            value = self._peek()
        if value is _UNKNOWN or token is None:
            return True
        # tooz sends the base64 of 16 random bytes in a transaction; etcd
        # stores the bytes, which etcd3gw returns decoded.
        return value is not None and value == _b64decode(token)

    def _peek(self) -> Any:
        """The lock key's value, None if free, _UNKNOWN if not etcd."""
        key = getattr(self._lock, '_key', None)
        client = getattr(self._coordinator.tooz, 'client', None)
        if not isinstance(key, bytes) or client is None:
            return _UNKNOWN
        try:
            values = client.get(key.decode('utf-8'))
        except etcd_exc.Etcd3Exception as exc:
            raise tooz.ToozError(_error_text(exc)) from exc
        return values[0] if values else None

    def __enter__(self) -> 'Lock':
        if not self.acquire(blocking=True, timeout=self.timeout):
            raise exception.LockNotAcquired(name=self.name)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            self.release()
        except exception.CoordinationUnavailable as exc:
            LOG.warning('Could not release lock %s (it expires with its '
                        'lease): %s', self.name, exc)


def _b64decode(value: str | bytes) -> bytes | None:
    try:
        return base64.b64decode(value)
    except (binascii.Error, ValueError, TypeError):
        return None


class Coordinator:
    """One member of the coordination backend, with its heartbeat.

    :param member_id: unique id of this member; ``<host>:<uuid4 hex>`` if
        None, so a restarted process is a new member.
    :param backend_url: a tooz URL; from the config if None.
    """

    def __init__(self, member_id: str | None = None,
                 backend_url: str | None = None,
                 conf: cfg.ConfigOpts = CONF) -> None:
        self.conf = conf
        self.member_id = member_id or '%s:%s' % (conf.host, uuid.uuid4().hex)
        self.backend_url = backend_url or backend_url_from_conf(conf)
        self.lock_ttl = conf.coordination.lock_ttl
        self.heartbeat_interval = conf.coordination.heartbeat_interval
        self.prefix = conf.etcd.prefix.rstrip('/') or '/trellis'
        self._namespace = self.prefix.strip('/').replace('/', '.')
        self._coordinator: Any = None
        self._started = False
        self._stop = threading.Event()
        self._heart: threading.Thread | None = None
        self._state_lock = threading.Lock()
        self._locks: set[Lock] = set()
        self._groups: dict[str, dict | None] = {}
        self._elections: list[LeaderElection] = []
        self._beat_failing = False

    # -- helpers -----------------------------------------------------------

    @property
    def tooz(self) -> Any:
        """The tooz coordinator (None before ``start``)."""
        return self._coordinator

    @property
    def is_started(self) -> bool:
        return self._started

    @contextlib.contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Turn tooz errors into ``CoordinationUnavailable``."""
        try:
            yield
        except tooz.ToozError as exc:
            raise exception.CoordinationUnavailable(
                url=safe_url(self.backend_url),
                error=_error_text(exc)) from exc

    def _require_started(self) -> Any:
        if not self._started or self._coordinator is None:
            raise RuntimeError('Coordinator.start() was not called')
        return self._coordinator

    def lock_key(self, name: str) -> str:
        """The tooz lock name of a Trellis lock name."""
        return '%s/%s' % (self.prefix, name)

    def group_id(self, group: str) -> str:
        """The tooz group id of a Trellis group."""
        return '%s.%s' % (self._namespace, group)

    # -- life cycle --------------------------------------------------------

    def start(self) -> None:
        """Connect and start the heartbeat thread.

        :raises: CoordinationUnavailable if the backend cannot be used.
        """
        if self._started:
            return
        with self.translate_errors():
            self._coordinator = tooz_coordination.get_coordinator(
                self.backend_url, self.member_id.encode('utf-8'),
                lock_timeout=self.lock_ttl,
                membership_timeout=self.lock_ttl)
            self._coordinator.start(start_heart=False)
        self._started = True
        self._stop.clear()
        self._heart = threading.Thread(target=self._heartbeat_loop,
                                       name='coordination-heartbeat',
                                       daemon=True)
        self._heart.start()
        LOG.info('Joined coordination backend %s as %s',
                 safe_url(self.backend_url), self.member_id)

    def stop(self) -> None:
        """Release locks, leave groups, stop beating; bounded, never raises.

        Releasing at once (rather than waiting for the TTL) is what lets
        a standby take over quickly.
        """
        if not self._started:
            return
        with self._state_lock:
            elections, self._elections = self._elections, []
        for election in elections:
            election.stop()
        self._started = False
        self._stop.set()
        if (self._heart is not None
                and self._heart is not threading.current_thread()):
            self._heart.join(timeout=self._request_timeout() + 1)
        self._heart = None
        with self._state_lock:
            locks = list(self._locks)
            self._locks.clear()
            groups = list(self._groups)
            self._groups.clear()
        for lock in locks:
            try:
                with self.translate_errors():
                    lock.tooz_lock.release()
            except Exception as exc:
                LOG.warning('Could not release lock %s: %s', lock.name, exc)
        for group in groups:
            try:
                with self.translate_errors():
                    self._coordinator.leave_group(
                        self.group_id(group).encode()).get(
                            timeout=self._request_timeout())
            except Exception as exc:
                LOG.debug('Could not leave group %s: %s', group, exc)
        coordinator = self._coordinator
        thread = threading.Thread(target=self._stop_tooz,
                                  args=(coordinator,), daemon=True,
                                  name='coordination-stop')
        thread.start()
        thread.join(self._request_timeout() * 2 + 1)
        if thread.is_alive():
            LOG.warning('Gave up waiting for the coordination backend %s '
                        'to close', safe_url(self.backend_url))
        LOG.info('Left coordination backend %s', safe_url(self.backend_url))

    @staticmethod
    def _stop_tooz(coordinator: Any) -> None:
        try:
            coordinator.stop()
        except Exception as exc:
            LOG.debug('Error while stopping the tooz coordinator: %s', exc)

    def _request_timeout(self) -> float:
        return float(self.conf.etcd.timeout)

    # -- heartbeat ---------------------------------------------------------

    def heartbeat(self) -> None:
        """Refresh this member's lock and membership leases once.

        If the membership lease had expired (heartbeats failed for longer
        than the TTL), the groups are joined again.

        :raises: CoordinationUnavailable when the backend fails.
        """
        coordinator = self._require_started()
        before = _lease_id(coordinator)
        with self.translate_errors():
            coordinator.heartbeat()
        renewed = before != _lease_id(coordinator)
        if renewed or self._beat_failing:
            self._rejoin_groups()

    def _heartbeat_loop(self) -> None:
        while not self._stop.wait(self.heartbeat_interval):
            try:
                self.heartbeat()
            except Exception as exc:
                if not self._beat_failing:
                    LOG.warning('Coordination heartbeat failed (locks and '
                                'memberships expire after %ss without '
                                'one): %s', self.lock_ttl, exc)
                self._beat_failing = True
            else:
                if self._beat_failing:
                    LOG.info('Coordination heartbeat works again')
                self._beat_failing = False

    def _rejoin_groups(self) -> None:
        with self._state_lock:
            groups = dict(self._groups)
        for group, capabilities in groups.items():
            self._join(group, capabilities)

    # -- locks -------------------------------------------------------------

    def get_lock(self, name: str, timeout: float | None = None) -> Lock:
        """A lock named ``name``, scoped by ``[etcd] prefix``.

        :param timeout: how long ``with lock:`` waits (None: forever).
        """
        coordinator = self._require_started()
        with self.translate_errors():
            tooz_lock = coordinator.get_lock(
                self.lock_key(name).encode('utf-8'))
        return Lock(self, name, tooz_lock, timeout=timeout)

    def _lock_taken(self, lock: Lock) -> None:
        with self._state_lock:
            self._locks.add(lock)

    def _lock_released(self, lock: Lock) -> None:
        with self._state_lock:
            self._locks.discard(lock)

    # -- groups ------------------------------------------------------------

    def join_group(self, group: str,
                   capabilities: dict | None = None) -> None:
        """Join ``group`` (creating it if needed) with ``capabilities``.

        The membership lives while this member beats; ``stop`` leaves.
        """
        self._require_started()
        self._join(group, capabilities)
        with self._state_lock:
            self._groups[group] = capabilities

    def _join(self, group: str, capabilities: dict | None) -> None:
        group_id = self.group_id(group).encode('utf-8')
        timeout = self._request_timeout() * 3
        with self.translate_errors():
            try:
                self._coordinator.create_group(group_id).get(timeout=timeout)
            except tooz_coordination.GroupAlreadyExist:
                pass
            try:
                self._coordinator.join_group(
                    group_id, capabilities or {}).get(timeout=timeout)
            except tooz_coordination.MemberAlreadyExist:
                pass

    def leave_group(self, group: str) -> None:
        """Leave ``group``; no error if this member was not in it."""
        coordinator = self._require_started()
        with self._state_lock:
            self._groups.pop(group, None)
        with self.translate_errors():
            try:
                coordinator.leave_group(self.group_id(group).encode()).get(
                    timeout=self._request_timeout() * 3)
            except (tooz_coordination.MemberNotJoined,
                    tooz_coordination.GroupNotCreated):
                pass

    def get_members(self, group: str) -> dict[str, dict | None]:
        """``{member id: capabilities}`` of the live members of ``group``."""
        coordinator = self._require_started()
        with self.translate_errors():
            try:
                members = coordinator.get_members_with_capabilities(
                    self.group_id(group).encode()).get(
                        timeout=self._request_timeout() * 3)
            except tooz_coordination.GroupNotCreated:
                return {}
        return {_text(member): caps for member, caps in members.items()}

    def get_groups(self) -> list[str]:
        """The Trellis groups that exist (sorted)."""
        coordinator = self._require_started()
        with self.translate_errors():
            names = coordinator.get_groups().get(
                timeout=self._request_timeout() * 3)
        start = self._namespace + '.'
        groups = set()
        for name in names:
            name = _text(name)
            # NOTE: the etcd driver also returns member keys
            # ("group/member" minus its last character); skip them.
            if '/' in name or not name.startswith(start):
                continue
            groups.add(name[len(start):])
        return sorted(groups)

    # -- election ----------------------------------------------------------

    def leader_election(self, group: str,
                        on_elected: Callable[[], None] | None = None,
                        on_lost: Callable[[], None] | None = None,
                        interval: float | None = None) -> 'LeaderElection':
        """A started ``LeaderElection`` for ``group``."""
        election = LeaderElection(self, group, on_elected=on_elected,
                                  on_lost=on_lost, interval=interval)
        election.start()
        with self._state_lock:
            self._elections.append(election)
        return election


def _error_text(exc: BaseException) -> str:
    """The most telling message of an error or of its cause.

    etcd3gw keeps its message in ``detail_text`` and tooz copies only
    ``str()`` of it, which is empty.
    """
    for error in (exc, exc.__cause__):
        if error is None:
            continue
        text = str(error) or getattr(error, 'detail_text', None)
        if text:
            return text
    return type(exc).__name__


def _lease_id(coordinator: Any) -> Any:
    lease = getattr(coordinator, '_membership_lease', None)
    return getattr(lease, 'id', None)


def _text(value: bytes | str) -> str:
    return value.decode('utf-8') if isinstance(value, bytes) else value


class LeaderElection:
    """At most one leader per group: the holder of lock ``leader-<group>``.

    A daemon thread tries to take the lock every ``interval`` seconds
    (``[coordination] heartbeat_interval``). When it gets it, it calls
    ``on_elected()``; while it leads it checks that the lock is still
    its own, and calls ``on_lost()`` when it is not (lease expired,
    lock taken by another) or when the backend could not confirm it for
    ``lock_ttl`` seconds. ``stop()`` releases the lock so that a standby
    takes over within about one interval. Callbacks run in the election
    thread and should return quickly; their errors are logged.
    """

    def __init__(self, coordinator: Coordinator, group: str,
                 on_elected: Callable[[], None] | None = None,
                 on_lost: Callable[[], None] | None = None,
                 interval: float | None = None) -> None:
        self.coordinator = coordinator
        self.group = group
        self.lock_name = 'leader-%s' % group
        self.on_elected = on_elected
        self.on_lost = on_lost
        self.interval = interval or coordinator.heartbeat_interval
        self.elected = threading.Event()
        self._lock: Lock | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Re-entrant: a callback may call stop() from the election thread.
        self._mutex = threading.RLock()
        self._confirmed_at = 0.0

    @property
    def is_leader(self) -> bool:
        return self.elected.is_set()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._lock = self.coordinator.get_lock(self.lock_name)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='election-%s' % self.group)
        self._thread.start()

    def stop(self) -> None:
        """Stop campaigning and step down (releasing the lock); bounded."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.coordinator._request_timeout() + 1 +
                        self.interval)
        # NOTE: bounded: a step stuck on the backend must not block stop.
        got_mutex = self._mutex.acquire(
            timeout=self.coordinator._request_timeout() + 1)
        try:
            if self.is_leader:
                if self._lock is not None:
                    try:
                        self._lock.release()
                    except Exception as exc:
                        LOG.warning('Could not release %s (a standby takes '
                                    'over when it expires): %s',
                                    self.lock_name, exc)
                self._lose('stopped')
        finally:
            if got_mutex:
                self._mutex.release()

    def _run(self) -> None:
        first = True
        while first or not self._stop.wait(self.interval):
            first = False
            with self._mutex:
                if self._stop.is_set():
                    return
                try:
                    self._step()
                except exception.CoordinationUnavailable as exc:
                    self._backend_failed(exc)
                except Exception:
                    LOG.exception('Error in leader election of %s',
                                  self.group)

    def _step(self) -> None:
        assert self._lock is not None
        if self.is_leader:
            if self._lock.is_still_held():
                self._confirmed_at = time.monotonic()
            else:
                self.coordinator._lock_released(self._lock)
                self._lose('the lock %s is no longer ours' % self.lock_name)
            return
        if self._lock.acquire(blocking=False):
            self._confirmed_at = time.monotonic()
            self.elected.set()
            LOG.info('%s is now the leader of %s',
                     self.coordinator.member_id, self.group)
            self._call(self.on_elected, 'on_elected')

    def _backend_failed(self, exc: Exception) -> None:
        LOG.warning('Leader election of %s: %s', self.group, exc)
        if (self.is_leader and time.monotonic() - self._confirmed_at
                > self.coordinator.lock_ttl):
            self._lose('leadership not confirmed for %ss'
                       % self.coordinator.lock_ttl)

    def _lose(self, why: str) -> None:
        if not self.is_leader:
            return
        self.elected.clear()
        LOG.warning('%s is no longer the leader of %s: %s',
                    self.coordinator.member_id, self.group, why)
        self._call(self.on_lost, 'on_lost')

    def _call(self, callback: Callable[[], None] | None, what: str) -> None:
        if callback is None:
            return
        try:
            callback()
        except Exception:
            LOG.exception('Error in %s of the %s election', what, self.group)
