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


"""Where ZeroMQ servers are: the matchmaker, kept in etcd.

A server publishes ``<prefix>/matchmaker/<exchange>/<topic>/<server>``
whose value is a small JSON document (``endpoint``, ``kind`` = rpc or
notify, ``pool`` for notification listeners, ``host``, ``pid``). Every
entry of a process hangs on one lease kept alive in the background, so
the entries of a dead process vanish within the lease TTL.

Clients keep the whole ``matchmaker/`` tree in memory: one prefix watch
applies changes as they happen and a periodic full read repairs whatever
a watch may have missed (the watch silently stops when etcd goes away).
Lookups never wait for etcd once the cache is loaded, so a short etcd
outage does not stop RPC between servers that are already known.
"""

from collections.abc import Callable
import itertools
import json
import os
import socket
import threading
from typing import Any
from typing import Protocol

from oslo_log import log

from trellis.common import exception

LOG = log.getLogger(__name__)

ROOT = 'matchmaker'

# (exchange, topic, server, old entry or None, new entry or None)
Observer = Callable[[str, str, str, dict | None, dict | None], None]


class EtcdLike(Protocol):
    """What the matchmaker needs of ``trellis.common.etcd.EtcdClient``."""

    def lease(self, ttl: int) -> Any: ...

    def put(self, path: str, value: Any, lease: Any = None) -> None: ...

    def get_prefix(self, path: str) -> dict[str, str]: ...

    def delete(self, path: str) -> bool: ...

    def watch(self, path: str, callback: Callable[[dict], None],
              prefix: bool = False) -> Any: ...


def entry_path(exchange: str, topic: str, server: str) -> str:
    """The etcd path (relative to the prefix) of one entry."""
    for name, part in (('exchange', exchange), ('topic', topic),
                       ('server', server)):
        if not part or '/' in part:
            raise ValueError('matchmaker %s %r must be non-empty and '
                             'contain no "/"' % (name, part))
    return '%s/%s/%s/%s' % (ROOT, exchange, topic, server)


def parse_path(path: str) -> tuple[str, str, str] | None:
    """``(exchange, topic, server)`` of an entry path, or None."""
    parts = path.split('/')
    if len(parts) != 4 or parts[0] != ROOT or not all(parts[1:]):
        return None
    return parts[1], parts[2], parts[3]


def parse_value(value: str | None) -> dict | None:
    """The entry document, or None if it is not a valid entry."""
    if not value:
        return None
    try:
        doc = json.loads(value)
    except ValueError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get('endpoint'),
                                                   str):
        return None
    doc.setdefault('kind', 'rpc')
    return doc


def make_entry(endpoint: str, kind: str = 'rpc',
               pool: str | None = None) -> dict:
    """An entry document for this process."""
    entry = {'endpoint': endpoint, 'kind': kind,
             'host': socket.gethostname(), 'pid': os.getpid()}
    if pool:
        entry['pool'] = pool
    return entry


class Matchmaker:
    """A cached, watched view of the matchmaker plus this process's entries.

    ``lookup``/``servers``/``select`` read the cache only.
    ``register``/``unregister`` write through to etcd. Observers hear of
    every change of an entry (used to fail calls whose server went away).
    """

    def __init__(self, client: EtcdLike, ttl: int = 10,
                 resync_interval: float = 5.0) -> None:
        self._client = client
        self._ttl = ttl
        self._resync_interval = resync_interval
        self._lock = threading.RLock()
        self._reg_lock = threading.Lock()
        # (exchange, topic) -> {server: entry}
        self._cache: dict[tuple[str, str], dict[str, dict]] = {}
        self._loaded = threading.Event()
        self._etcd_ok = False
        self._round_robin: dict[tuple[str, str], itertools.count] = {}
        self._registrations: dict[str, dict] = {}
        self._lease: Any = None
        self._watch: Any = None
        self._observers: list[Observer] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle -----------------------------------------------------------

    def start(self) -> None:
        """Load the cache (if etcd answers) and start the maintenance."""
        if self._thread is not None:
            return
        self._stop.clear()
        self.resync()
        self._thread = threading.Thread(target=self._maintain, daemon=True,
                                        name='zmq-matchmaker')
        self._thread.start()

    def stop(self) -> None:
        """Remove this process's entries (revoke the lease) and stop."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._resync_interval + 10)
            self._thread = None
        self._cancel_watch()
        with self._reg_lock:
            lease, self._lease = self._lease, None
            paths = list(self._registrations)
            self._registrations.clear()
        if lease is not None:
            try:
                lease.revoke()
            except exception.EtcdUnavailable as exc:
                LOG.warning('Could not revoke the matchmaker lease; the '
                            'entries %s expire with it: %s', paths, exc)

    def add_observer(self, observer: Observer) -> None:
        self._observers.append(observer)

    @property
    def loaded(self) -> bool:
        """True once the cache has been read from etcd at least once."""
        return self._loaded.is_set()

    # -- reads (cache only) ---------------------------------------------------

    def servers(self, exchange: str, topic: str,
                kind: str = 'rpc') -> dict[str, dict]:
        """``{server: entry}`` of every entry of a topic and kind.

        Entries are shared, never changed in place (a change replaces
        them): callers must not modify them.
        """
        if not self._loaded.is_set():
            self.resync()
        with self._lock:
            entries = self._cache.get((exchange, topic), {})
            return {server: entry for server, entry in entries.items()
                    if entry.get('kind', 'rpc') == kind}

    def lookup(self, exchange: str, topic: str, server: str,
               kind: str = 'rpc') -> dict | None:
        """The entry of one server of a topic, or None."""
        if not self._loaded.is_set():
            self.resync()
        with self._lock:
            entry = self._cache.get((exchange, topic), {}).get(server)
        if entry is None or entry.get('kind', 'rpc') != kind:
            return None
        return entry

    def select(self, exchange: str, topic: str,
               exclude: Callable[[dict], bool] | None = None,
               kind: str = 'rpc') -> tuple[str, dict] | None:
        """One server of a topic, round robin; ``(server, entry)`` or None.

        Entries for which ``exclude(entry)`` is true are skipped unless
        nothing else is left.
        """
        entries = self.servers(exchange, topic, kind)
        if not entries:
            return None
        names = sorted(entries)
        if exclude is not None:
            preferred = [n for n in names if not exclude(entries[n])]
            names = preferred or names
        with self._lock:
            counter = self._round_robin.setdefault((exchange, topic),
                                                   itertools.count())
            index = next(counter)
        name = names[index % len(names)]
        return name, entries[name]

    # -- writes ---------------------------------------------------------------

    def register(self, exchange: str, topic: str, server: str,
                 entry: dict) -> str:
        """Publish an entry on this process's lease; return its path.

        Raises ``EtcdUnavailable`` if etcd cannot be reached: a server
        that nobody can find should not start quietly.
        """
        path = entry_path(exchange, topic, server)
        with self._reg_lock:
            lease = self._ensure_lease()
            self._client.put(path, entry, lease=lease)
            self._registrations[path] = entry
        self._apply(path, entry)
        LOG.debug('Registered %s -> %s', path, entry['endpoint'])
        return path

    def unregister(self, path: str) -> None:
        """Remove one entry of this process (best effort)."""
        with self._reg_lock:
            self._registrations.pop(path, None)
        try:
            self._client.delete(path)
        except exception.EtcdUnavailable as exc:
            LOG.warning('Could not remove matchmaker entry %s; it expires '
                        'with its lease: %s', path, exc)
        self._apply(path, None)

    def _ensure_lease(self) -> Any:
        lease = self._lease
        if lease is None or lease.lost.is_set():
            lease = self._client.lease(self._ttl)
            lease.keep_alive()
            self._lease = lease
        return lease

    # -- cache maintenance ----------------------------------------------------

    def resync(self) -> bool:
        """Re-read the whole matchmaker from etcd; False if unreachable."""
        restart_watch = not self._etcd_ok or self._watch is None
        try:
            if restart_watch:
                # Watch first, then read: nothing falls in between.
                self._cancel_watch()
                self._watch = self._client.watch(ROOT + '/', self._on_event,
                                                 prefix=True)
            items = self._client.get_prefix(ROOT + '/')
        except exception.EtcdUnavailable as exc:
            if self._etcd_ok or not self._loaded.is_set():
                LOG.warning('Matchmaker cannot reach etcd (%s); using the '
                            'cached endpoints until it is back.', exc)
            self._etcd_ok = False
            return False
        if not self._etcd_ok and self._loaded.is_set():
            LOG.info('Matchmaker reached etcd again.')
        self._etcd_ok = True
        fresh: dict[str, dict] = {}
        for path, value in items.items():
            entry = parse_value(value)
            if entry is not None and parse_path(path) is not None:
                fresh[path] = entry
        with self._lock:
            known = {entry_path(ex, topic, server): entry
                     for (ex, topic), servers in self._cache.items()
                     for server, entry in servers.items()}
        for path in set(known) - set(fresh):
            self._apply(path, None)
        for path, entry in fresh.items():
            if known.get(path) != entry:
                self._apply(path, entry)
        self._loaded.set()
        self._repair_registrations(fresh)
        return True

    def _repair_registrations(self, fresh: dict[str, dict]) -> None:
        """Re-publish entries of this process that etcd lost (lease gone)."""
        with self._reg_lock:
            missing = {p: e for p, e in self._registrations.items()
                       if fresh.get(p) != e}
            if not missing:
                return
            try:
                if self._lease is not None and any(
                        p not in fresh for p in missing):
                    if self._lease.refresh() <= 0:
                        self._lease.lost.set()
                lease = self._ensure_lease()
                for path, entry in missing.items():
                    if path in fresh and fresh[path] != entry:
                        # Another process took the name; leave it alone.
                        LOG.warning('Matchmaker entry %s now belongs to %s',
                                    path, fresh[path].get('endpoint'))
                        self._registrations.pop(path, None)
                        continue
                    self._client.put(path, entry, lease=lease)
                    LOG.info('Re-registered matchmaker entry %s', path)
            except exception.EtcdUnavailable as exc:
                LOG.warning('Could not repair matchmaker entries: %s', exc)

    def _cancel_watch(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            try:
                watch.cancel()
            except Exception:
                LOG.debug('Error cancelling the matchmaker watch',
                          exc_info=True)

    def _on_event(self, event: dict) -> None:
        path = event.get('key') or ''
        if event.get('type') == 'DELETE':
            self._apply(path, None)
        else:
            entry = parse_value(event.get('value'))
            if entry is not None:
                self._apply(path, entry)

    def _apply(self, path: str, entry: dict | None) -> None:
        parsed = parse_path(path)
        if parsed is None:
            return
        exchange, topic, server = parsed
        with self._lock:
            servers = self._cache.setdefault((exchange, topic), {})
            old = servers.get(server)
            if old == entry:
                return
            if entry is None:
                servers.pop(server, None)
                if not servers:
                    del self._cache[(exchange, topic)]
            else:
                servers[server] = entry
        for observer in list(self._observers):
            try:
                observer(exchange, topic, server, old, entry)
            except Exception:
                LOG.exception('Error in a matchmaker observer')

    def _maintain(self) -> None:
        while not self._stop.wait(self._resync_interval):
            try:
                self.resync()
            except Exception:
                LOG.exception('Matchmaker resync failed')
