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

"""The one small module through which Trellis uses etcd v3.

It wraps etcd3gw (the gRPC gateway, JSON over HTTP) with what the
services need: keys relative to the ``[etcd] prefix``, JSON values,
leases that keep themselves alive, atomic create and compare-and-swap,
transactions and watches. Every failure to reach etcd becomes
``EtcdUnavailable`` naming the URL, so callers and operators see which
server is at fault. Locks and membership come from
``trellis.common.coordination`` (tooz), not from here.
"""

import base64
from collections.abc import Callable
from collections.abc import Iterator
import contextlib
import json
import threading
from typing import Any
from urllib import parse

import etcd3gw
from etcd3gw import exceptions as etcd_exc
from oslo_log import log
import requests

from trellis.common import exception
from trellis.common.conf import CONF

LOG = log.getLogger(__name__)

_ETCD_ERRORS = (etcd_exc.Etcd3Exception, requests.RequestException)


def _b64(value: str | bytes) -> str:
    if isinstance(value, str):
        value = value.encode('utf-8')
    return base64.b64encode(value).decode('ascii')


def _text(value: bytes | str) -> str:
    return value.decode('utf-8') if isinstance(value, bytes) else value


def _lease_not_found(exc: BaseException | None) -> bool:
    """Whether etcd answered "requested lease not found"."""
    return (isinstance(exc, etcd_exc.Etcd3Exception)
            and 'lease not found' in (exc.detail_text or ''))


def encode_value(value: Any) -> str:
    """Serialise a value for etcd: strings as they are, the rest as JSON."""
    if isinstance(value, bytes):
        return value.decode('utf-8')
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(',', ':'))


class Lease:
    """An etcd lease, optionally refreshed by a background thread.

    ``lost`` is set when a refresh finds the lease gone (expired or
    revoked elsewhere): keys bound to it no longer exist.
    """

    def __init__(self, client: 'EtcdClient', raw: etcd3gw.Lease,
                 ttl: int) -> None:
        self._client = client
        self._raw = raw
        self.ttl = ttl
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def id(self) -> int:
        return self._raw.id

    @property
    def raw(self) -> etcd3gw.Lease:
        return self._raw

    def refresh(self) -> int:
        """Refresh once; return the new TTL (0 or less: the lease is gone)."""
        with self._client.translate_errors():
            ttl = self._raw.refresh()
        if ttl <= 0:
            self.lost.set()
        return ttl

    def keep_alive(self, interval: float | None = None,
                   on_refresh: Callable[[], None] | None = None) -> None:
        """Refresh the lease every ``interval`` s (a third of the TTL).

        ``on_refresh`` runs after each successful refresh (for example to
        record "last seen"); its errors are logged, never raised.
        """
        if self._thread is not None:
            return
        interval = interval or max(self.ttl / 3.0, 0.2)

        def _loop() -> None:
            while not self._stop.wait(interval):
                try:
                    if self.refresh() <= 0:
                        LOG.error('etcd lease %x expired; keys bound to it '
                                  'are gone.', self.id)
                        return
                    if on_refresh is not None:
                        on_refresh()
                except exception.EtcdUnavailable as exc:
                    LOG.warning('Could not refresh etcd lease %x: %s',
                                self.id, exc)
                except Exception:
                    LOG.exception('Error after refreshing etcd lease %x',
                                  self.id)

        self._thread = threading.Thread(
            target=_loop, name='etcd-lease-%x' % self.id, daemon=True)
        self._thread.start()

    def stop_keep_alive(self) -> None:
        self._stop.set()
        if (self._thread is not None
                and self._thread is not threading.current_thread()):
            self._thread.join(timeout=self._client.timeout + 1)
        self._thread = None

    def revoke(self) -> None:
        """Stop refreshing and revoke: every key bound to it goes at once.

        A lease that is already gone (expired, or revoked before) counts
        as revoked: its keys are gone too.
        """
        self.stop_keep_alive()
        try:
            with self._client.translate_errors():
                self._raw.revoke()
        except exception.EtcdUnavailable as exc:
            if not _lease_not_found(exc.__cause__):
                raise
            LOG.debug('etcd lease %x was already gone', self.id)
        self.lost.set()


class Watch:
    """A running watch; ``cancel()`` stops it and its thread."""

    def __init__(self, cancel: Callable[[], None],
                 thread: threading.Thread) -> None:
        self._cancel = cancel
        self._thread = thread

    def cancel(self) -> None:
        self._cancel()
        self._thread.join(timeout=2)


class EtcdClient:
    """etcd v3 access with keys relative to a prefix.

    Paths are written without the prefix (``services/trellis-conductor/h1``);
    the client adds ``<prefix>/``. Values are returned as text; use
    ``get_json`` for JSON documents.
    """

    def __init__(self, url: str, prefix: str = '/trellis',
                 timeout: float = 5.0, ca_cert: str | None = None,
                 cert_file: str | None = None,
                 key_file: str | None = None) -> None:
        parsed = parse.urlparse(url)
        if parsed.scheme not in ('http', 'https') or not parsed.hostname:
            raise exception.ConfigInvalid(
                error='[etcd] url must look like http://HOST:PORT, '
                      'got %r' % url)
        self.url = url
        self.prefix = prefix.rstrip('/')
        self.timeout = timeout
        self._client = etcd3gw.client(
            host=parsed.hostname,
            port=parsed.port or 2379,
            protocol=parsed.scheme,
            ca_cert=ca_cert,
            cert_cert=cert_file,
            cert_key=key_file,
            timeout=timeout)

    @classmethod
    def from_conf(cls, conf=None) -> 'EtcdClient':
        """Build a client from the ``[etcd]`` options."""
        conf = conf or CONF
        return cls(conf.etcd.url, prefix=conf.etcd.prefix,
                   timeout=conf.etcd.timeout, ca_cert=conf.etcd.ca_cert,
                   cert_file=conf.etcd.cert_file,
                   key_file=conf.etcd.key_file)

    # -- helpers -----------------------------------------------------------

    @contextlib.contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Turn etcd3gw/requests errors into ``EtcdUnavailable``."""
        try:
            yield
        except _ETCD_ERRORS as exc:
            # etcd3gw keeps its message (or etcd's answer) in
            # ``detail_text``; its str() is empty or only the HTTP reason.
            error = (getattr(exc, 'detail_text', None) or str(exc)
                     or type(exc).__name__)
            raise exception.EtcdUnavailable(url=self.url,
                                            error=error) from exc

    def key(self, path: str) -> str:
        """The absolute key of a path relative to the prefix."""
        return '%s/%s' % (self.prefix, path.lstrip('/'))

    def relative(self, key: bytes | str) -> str:
        """The path of an absolute key, relative to the prefix."""
        key = _text(key)
        start = self.prefix + '/'
        return key[len(start):] if key.startswith(start) else key

    @property
    def raw(self) -> etcd3gw.Etcd3Client:
        """The etcd3gw client, for tooz or rare calls not wrapped here."""
        return self._client

    # -- reads -------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """The member's status; a cheap way to check etcd is up."""
        with self.translate_errors():
            return dict(self._client.status())

    def get(self, path: str) -> str | None:
        with self.translate_errors():
            values = self._client.get(self.key(path))
        return _text(values[0]) if values else None

    def get_json(self, path: str) -> Any:
        value = self.get(path)
        return None if value is None else json.loads(value)

    def get_with_meta(self, path: str) -> tuple[str | None, dict]:
        """The value and its metadata (revisions, lease) or (None, {})."""
        with self.translate_errors():
            values = self._client.get(self.key(path), metadata=True)
        if not values:
            return None, {}
        value, meta = values[0]
        return _text(value), dict(meta)

    def get_prefix(self, path: str) -> dict[str, str]:
        """Every key under ``path`` as ``{relative path: value}``."""
        with self.translate_errors():
            items = self._client.get_prefix(self.key(path),
                                            sort_order='ascend',
                                            sort_target='key')
        return {self.relative(meta['key']): _text(value)
                for value, meta in items}

    def get_prefix_json(self, path: str) -> dict[str, Any]:
        result = {}
        for key, value in self.get_prefix(path).items():
            try:
                result[key] = json.loads(value)
            except ValueError:
                LOG.warning('Ignoring etcd key %s: not JSON', self.key(key))
        return result

    # -- writes ------------------------------------------------------------

    def put(self, path: str, value: Any, lease: Lease | None = None) -> None:
        with self.translate_errors():
            self._client.put(self.key(path), encode_value(value),
                             lease=lease.raw if lease else None)

    def create(self, path: str, value: Any,
               lease: Lease | None = None) -> bool:
        """Create the key only if it does not exist; True if created."""
        with self.translate_errors():
            return bool(self._client.create(
                self.key(path), encode_value(value),
                lease=lease.raw if lease else None))

    def replace(self, path: str, old: Any, new: Any) -> bool:
        """Compare-and-swap on the value; True if it was swapped."""
        with self.translate_errors():
            return bool(self._client.replace(
                self.key(path), encode_value(old), encode_value(new)))

    def delete(self, path: str) -> bool:
        with self.translate_errors():
            return self._client.delete(self.key(path))

    def delete_prefix(self, path: str) -> bool:
        with self.translate_errors():
            return self._client.delete_prefix(self.key(path))

    def transaction(self, compare: list[dict], success: list[dict],
                    failure: list[dict] | None = None) -> bool:
        """Run a transaction built with the ``txn_*`` helpers below.

        Returns True when the compare held and ``success`` ran.
        """
        with self.translate_errors():
            result = self._client.transaction({
                'compare': compare, 'success': success,
                'failure': failure or []})
        return bool(result.get('succeeded', False))

    def txn_value_equals(self, path: str, value: Any) -> dict:
        return {'key': _b64(self.key(path)), 'result': 'EQUAL',
                'target': 'VALUE', 'value': _b64(encode_value(value))}

    def txn_missing(self, path: str) -> dict:
        return {'key': _b64(self.key(path)), 'result': 'EQUAL',
                'target': 'CREATE', 'create_revision': 0}

    def txn_put(self, path: str, value: Any,
                lease: Lease | None = None) -> dict:
        request = {'key': _b64(self.key(path)),
                   'value': _b64(encode_value(value))}
        if lease is not None:
            request['lease'] = lease.id
        return {'request_put': request}

    def txn_delete(self, path: str) -> dict:
        return {'request_delete_range': {'key': _b64(self.key(path))}}

    # -- leases and watches ------------------------------------------------

    def lease(self, ttl: int) -> Lease:
        """Grant a lease of ``ttl`` seconds (not yet kept alive)."""
        with self.translate_errors():
            raw = self._client.lease(ttl=ttl)
        return Lease(self, raw, ttl)

    def watch(self, path: str, callback: Callable[[dict], None],
              prefix: bool = False) -> Watch:
        """Call ``callback(event)`` for every change of a key or prefix.

        The event is ``{'type': 'PUT'|'DELETE', 'key': relative path,
        'value': text or None}``. The callback runs in the watch thread;
        its errors are logged and the watch goes on.
        """
        with self.translate_errors():
            if prefix:
                events, cancel = self._client.watch_prefix(self.key(path))
            else:
                events, cancel = self._client.watch(self.key(path))

        def _run() -> None:
            for raw_event in events:
                kv = raw_event.get('kv', {})
                value = kv.get('value')
                event = {
                    'type': raw_event.get('type', 'PUT'),
                    'key': self.relative(kv.get('key', b'')),
                    'value': _text(value) if value is not None else None,
                }
                try:
                    callback(event)
                except Exception:
                    LOG.exception('Error in etcd watch callback for %s',
                                  self.key(path))

        thread = threading.Thread(target=_run, daemon=True,
                                  name='etcd-watch-%s' % path)
        thread.start()
        return Watch(cancel, thread)
