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


"""The ``zmq`` oslo.messaging driver: brokerless RPC with an etcd matchmaker.

oslo.messaging loads it through the ``oslo.messaging.drivers`` entry
point when ``transport_url = zmq://``. Each process binds one ROUTER (on
``[zmq] bind_address``, a free port of the configured range) as soon as
it listens, and publishes ``matchmaker/<exchange>/<topic>/<server>`` in
etcd for every RPC server and notification listener it runs. Clients
read the matchmaker from their cache and send straight to the server:

- call: one server (the target's, or round robin over the topic), a
  reply (or the remote exception, re-raised through
  ``deserialize_remote_exception`` with the allowed modules) within the
  timeout; a server that disconnects, refuses the connection or rejects
  our key fails the call at once with ``ServerUnavailable`` (a
  ``MessagingTimeout``), and a topic call that was certainly not
  delivered is tried on another server;
- cast: one server, fire and forget; fanout: every server of the topic;
- notifications: best effort, no broker keeps them: each listener (or
  one listener of each pool) registered for ``<topic>.<priority>`` at
  the time of sending gets a copy; with none, the notification is lost.
"""

from collections.abc import Callable
import itertools
import os
import socket
import threading
import time
from typing import Any
import uuid

from oslo_config import cfg
from oslo_log import log
import oslo_messaging as messaging
from oslo_messaging._drivers import base
from oslo_messaging._drivers import common as driver_common

from trellis.common import etcd
from trellis.common.conf import etcd as etcd_conf
from trellis.common.conf import zmq as zmq_conf
from trellis.common.zmq import framing
from trellis.common.zmq import matchmaker
from trellis.common.zmq import reactor
from trellis.common.zmq import security

LOG = log.getLogger(__name__)

# How long an endpoint that went down is avoided by round robin.
_DOWN_MEMORY = 5.0
# Poll interval while waiting for a server to appear in the matchmaker.
_LOOKUP_POLL = 0.05
# Extra attempts of a topic call that certainly was not delivered.
_RESEND_ATTEMPTS = 3


class ServerUnavailable(messaging.MessagingTimeout):
    """The server of a call went away or could not be reached.

    A ``MessagingTimeout``, raised at once rather than after the timeout,
    so callers that handle timeouts handle this too.
    """


class _PendingCall:
    __slots__ = ('msg_id', 'endpoint', 'event', 'result', 'failure',
                 'exc', 'resendable', 'last_heard', 'sent')

    def __init__(self, msg_id: str, endpoint: str) -> None:
        self.msg_id = msg_id
        self.endpoint = endpoint
        self.event = threading.Event()
        # Set by the I/O thread once the request is on the socket.
        self.sent = False
        self.result: Any = None
        self.failure: str | None = None
        self.exc: Exception | None = None
        self.resendable = False
        self.last_heard = time.monotonic()

    def done(self) -> bool:
        return self.event.is_set()

    def fail(self, exc: Exception, resendable: bool = False) -> None:
        self.exc = exc
        self.resendable = resendable
        self.event.set()


class ZmqIncomingMessage(base.RpcIncomingMessage):
    """A request received on the ROUTER; replies go back the same way."""

    def __init__(self, driver: 'ZmqDriver', ctxt: dict, message: dict,
                 msg_id: str, identity: bytes | None,
                 client_timeout: float | None) -> None:
        super().__init__(ctxt, message, msg_id)
        self._driver = driver
        self._identity = identity
        self.client_timeout = client_timeout

    def acknowledge(self) -> None:
        """Nothing to do: there is no broker to acknowledge to."""

    def requeue(self) -> None:
        """Not supported (``require_features(requeue=True)`` says so)."""

    def reply(self, reply: Any = None, failure: Any = None) -> None:
        if self._identity is None:
            return
        try:
            if failure:
                failure = driver_common.serialize_remote_exception(failure)
            self._driver._reply(self._identity,
                                framing.reply(self.msg_id, reply, failure))
        except Exception:
            LOG.exception('Could not send the reply to message %s',
                          self.msg_id)

    def heartbeat(self) -> None:
        if self._identity is None:
            return
        try:
            self._driver._reply(self._identity,
                                framing.heartbeat(self.msg_id))
        except Exception:
            LOG.exception('Could not send a heartbeat for message %s',
                          self.msg_id)


class ZmqListener(base.Listener):
    """An RPC server's or notification listener's subscriptions.

    The reactor calls ``deliver`` from the I/O thread; the callback the
    server passed to ``start`` only hands the message to its executor.
    Entries are published when the listener starts and removed when it
    stops, so clients stop sending before the server goes away.
    """

    def __init__(self, driver: 'ZmqDriver',
                 subscriptions: list[tuple[str, str, str]], kind: str,
                 batch_size: int, batch_timeout: float | None,
                 pool: str | None = None) -> None:
        super().__init__(batch_size, batch_timeout)
        self._driver = driver
        self.subscriptions = subscriptions
        self.kind = kind
        self.pool = pool
        self.paths: list[str] = []

    def start(self, on_incoming_callback: Callable) -> None:
        super().start(on_incoming_callback)
        self._driver._activate(self)

    def stop(self) -> None:
        self._driver._deactivate(self)
        super().stop()

    def cleanup(self) -> None:
        self._driver._deactivate(self)

    def deliver(self, incoming: ZmqIncomingMessage) -> bool:
        callback = self.on_incoming_callback
        if callback is None:
            return False
        callback([incoming])
        return True


class ZmqDriver(base.BaseDriver):
    """oslo.messaging driver for ``zmq://`` (see the module docstring)."""

    prefetch_size = 0

    def __init__(self, conf: cfg.ConfigOpts, url: Any,
                 default_exchange: str | None = None,
                 allowed_remote_exmods: list[str] | None = None) -> None:
        zmq_conf.register_opts(conf)
        etcd_conf.register_opts(conf)
        super().__init__(conf, url, default_exchange, allowed_remote_exmods)
        self._zconf = conf.zmq
        security.check_conf(self._zconf)
        self._start_lock = threading.Lock()
        self._started = False
        self._closed = False
        self._matchmaker: matchmaker.Matchmaker | None = None
        self._reactor: reactor.Reactor | None = None
        self._pending: dict[str, _PendingCall] = {}
        self._lock = threading.Lock()
        self._rpc_index: dict[tuple[str, str], list[tuple[str, ZmqListener]]]
        self._rpc_index = {}
        self._notify_index: dict[tuple[str, str, str], ZmqListener] = {}
        self._active: set[ZmqListener] = set()
        self._down: dict[str, float] = {}
        self._counter = itertools.count()
        self._pool_rr: dict[tuple, itertools.count] = {}

    # -- start and stop -------------------------------------------------------

    def _ensure_started(self) -> None:
        if self._started:
            return
        with self._start_lock:
            if self._started:
                return
            if self._closed:
                raise messaging.MessagingException(
                    'The zmq transport was cleaned up')
            client = etcd.EtcdClient.from_conf(self.conf)
            self._matchmaker = matchmaker.Matchmaker(
                client, ttl=self._zconf.matchmaker_ttl,
                resync_interval=self._zconf.matchmaker_resync_interval)
            self._matchmaker.add_observer(self._on_entry_change)
            self._reactor = reactor.Reactor(
                self._zconf.bind_address, self._zconf.port_min,
                self._zconf.port_max, security.from_conf(self._zconf),
                on_request=self._on_request, on_reply=self._on_reply,
                on_peer_down=self._on_peer_down,
                high_water_mark=self._zconf.high_water_mark,
                linger=self._zconf.linger,
                heartbeat_interval=self._zconf.heartbeat_interval)
            self._reactor.start()
            self._matchmaker.start()
            self._started = True

    def cleanup(self) -> None:
        """Unpublish, fail waiting calls and close every socket."""
        with self._start_lock:
            self._closed = True
            if not self._started:
                return
            self._started = False
        for listener in list(self._active):
            self._deactivate(listener)
        self._matchmaker.stop()
        with self._lock:
            pending = list(self._pending.values())
            self._pending.clear()
        for call in pending:
            call.fail(messaging.MessagingException(
                'The zmq transport was cleaned up during the call'))
        self._reactor.stop()

    # -- sending --------------------------------------------------------------

    def _exchange(self, target: messaging.Target) -> str:
        return target.exchange or self._default_exchange or 'openstack'

    def _is_down(self, endpoint: str) -> bool:
        since = self._down.get(endpoint)
        return since is not None and time.monotonic() - since < _DOWN_MEMORY

    def _resolve(self, exchange: str, topic: str, server: str | None,
                 deadline: float | None, error: type[Exception],
                 kind: str = 'rpc') -> tuple[str, dict]:
        """A server entry for the target, waiting until ``deadline``."""
        while True:
            if server:
                entry = self._matchmaker.lookup(exchange, topic, server, kind)
                found = (server, entry) if entry else None
            else:
                found = self._matchmaker.select(
                    exchange, topic, kind=kind,
                    exclude=lambda e: self._is_down(e['endpoint']))
            if found is not None:
                return found
            if deadline is None or time.monotonic() >= deadline:
                where = 'topic %s' % topic
                if server:
                    where += ', server %s' % server
                raise error('No zmq server for %s (exchange %s) in the '
                            'matchmaker%s' % (
                                where, exchange,
                                '' if self._matchmaker.loaded
                                else '; etcd could not be read'))
            time.sleep(_LOOKUP_POLL)

    def send(self, target: messaging.Target, ctxt: dict, message: dict,
             wait_for_reply: bool | None = None,
             timeout: float | None = None,
             call_monitor_timeout: float | None = None,
             retry: int | None = None,
             transport_options: Any = None) -> Any:
        self._ensure_started()
        exchange = self._exchange(target)
        if target.fanout:
            self._fanout(exchange, target, ctxt, message)
            return None
        if not wait_for_reply:
            wait = 0.0 if retry == 0 else self._zconf.no_server_wait
            _, entry = self._resolve(exchange, target.topic, target.server,
                                     time.monotonic() + wait,
                                     messaging.MessageDeliveryFailure)
            frames = framing.request(
                framing.CAST, uuid.uuid4().hex,
                framing.target_dict(exchange, target.topic, target.server),
                ctxt, message)
            self._reactor.send(entry['endpoint'], frames)
            return None
        return self._call(exchange, target, ctxt, message, timeout,
                          call_monitor_timeout)

    def _fanout(self, exchange: str, target: messaging.Target, ctxt: dict,
                message: dict) -> None:
        entries = self._matchmaker.servers(exchange, target.topic)
        frames = framing.request(
            framing.CAST, uuid.uuid4().hex,
            framing.target_dict(exchange, target.topic, fanout=True),
            ctxt, message)
        # One copy per process: it hands it to all its listeners.
        for endpoint in {e['endpoint'] for e in entries.values()}:
            self._reactor.send(endpoint, frames)
        if not entries:
            LOG.debug('Fanout to topic %s reached no server', target.topic)

    def _call(self, exchange: str, target: messaging.Target, ctxt: dict,
              message: dict, timeout: float | None,
              call_monitor_timeout: float | None) -> Any:
        deadline = time.monotonic() + timeout if timeout else None
        msg_id = uuid.uuid4().hex
        frames = framing.request(
            framing.CALL, msg_id,
            framing.target_dict(exchange, target.topic, target.server),
            ctxt, message, timeout=call_monitor_timeout)
        attempts = 0
        while True:
            server, entry = self._resolve(exchange, target.topic,
                                          target.server, deadline,
                                          messaging.MessagingTimeout)
            pending = _PendingCall(msg_id, entry['endpoint'])
            with self._lock:
                self._pending[msg_id] = pending
            try:
                self._reactor.send(entry['endpoint'], frames, pending)
                self._wait(pending, deadline, call_monitor_timeout,
                           target.topic, server)
            finally:
                with self._lock:
                    self._pending.pop(msg_id, None)
            if pending.exc is not None:
                if (pending.resendable and not target.server
                        and attempts < _RESEND_ATTEMPTS
                        and (deadline is None
                             or time.monotonic() < deadline)):
                    attempts += 1
                    LOG.debug('Resending call %s: %s', msg_id, pending.exc)
                    continue
                raise pending.exc
            if pending.failure:
                raise driver_common.deserialize_remote_exception(
                    pending.failure, self._allowed_remote_exmods)
            return pending.result

    @staticmethod
    def _wait(pending: _PendingCall, deadline: float | None,
              monitor_timeout: float | None, topic: str,
              server: str) -> None:
        while True:
            now = time.monotonic()
            limits = []
            if deadline is not None:
                limits.append(deadline - now)
            if monitor_timeout:
                limits.append(pending.last_heard + monitor_timeout - now)
            if pending.event.wait(max(0.0, min(limits)) if limits else None):
                return
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise messaging.MessagingTimeout(
                    'Timed out waiting for a reply to message ID %s '
                    '(topic %s, server %s at %s)'
                    % (pending.msg_id, topic, server, pending.endpoint))
            if monitor_timeout and now - pending.last_heard >= monitor_timeout:
                raise messaging.MessagingTimeout(
                    'No heartbeat from server %s for message ID %s within '
                    '%ss' % (server, pending.msg_id, monitor_timeout))

    def send_notification(self, target: messaging.Target, ctxt: dict,
                          message: dict, version: float,
                          retry: int | None = None) -> None:
        """Best effort: one copy per live listener (or pool); no storage."""
        self._ensure_started()
        exchange = self._exchange(target)
        entries = self._matchmaker.servers(exchange, target.topic,
                                           kind='notify')
        groups: dict[str, list[tuple[str, dict]]] = {}
        for name, entry in sorted(entries.items()):
            groups.setdefault(entry.get('pool') or '@' + name,
                              []).append((name, entry))
        for group, members in groups.items():
            live = [m for m in members if not self._is_down(m[1]['endpoint'])]
            members = live or members
            with self._lock:
                counter = self._pool_rr.setdefault(
                    (exchange, target.topic, group), itertools.count())
                name, entry = members[next(counter) % len(members)]
            frames = framing.request(
                framing.NOTIFY, uuid.uuid4().hex,
                framing.target_dict(exchange, target.topic, name),
                ctxt, message)
            self._reactor.send(entry['endpoint'], frames)
        if not groups:
            LOG.debug('Notification on %s dropped: no listener',
                      target.topic)

    # -- listening ------------------------------------------------------------

    def listen(self, target: messaging.Target, batch_size: int,
               batch_timeout: float | None) -> ZmqListener:
        self._ensure_started()
        server = target.server or '%s-%d-%s' % (
            socket.gethostname(), os.getpid(), uuid.uuid4().hex[:8])
        return ZmqListener(self, [(self._exchange(target), target.topic,
                                   server)], 'rpc', batch_size,
                           batch_timeout)

    def listen_for_notifications(self, targets_and_priorities: list,
                                 pool: str | None, batch_size: int,
                                 batch_timeout: float | None
                                 ) -> ZmqListener:
        self._ensure_started()
        name = '%s-%d-%s' % (socket.gethostname(), os.getpid(),
                             uuid.uuid4().hex[:8])
        subscriptions = [
            (self._exchange(target), '%s.%s' % (target.topic, priority),
             name)
            for target, priority in targets_and_priorities]
        return ZmqListener(self, subscriptions, 'notify', batch_size,
                           batch_timeout, pool=pool)

    def _activate(self, listener: ZmqListener) -> None:
        endpoint = self._reactor.bind()
        with self._lock:
            if listener in self._active:
                return
            self._active.add(listener)
            for exchange, topic, server in listener.subscriptions:
                if listener.kind == 'rpc':
                    self._rpc_index.setdefault((exchange, topic), []).append(
                        (server, listener))
                else:
                    self._notify_index[(exchange, topic, server)] = listener
        entry = matchmaker.make_entry(endpoint, listener.kind, listener.pool)
        try:
            for exchange, topic, server in listener.subscriptions:
                listener.paths.append(self._matchmaker.register(
                    exchange, topic, server, entry))
        except Exception:
            self._deactivate(listener)
            raise

    def _deactivate(self, listener: ZmqListener) -> None:
        with self._lock:
            if listener not in self._active:
                return
            self._active.discard(listener)
            for exchange, topic, server in listener.subscriptions:
                if listener.kind == 'rpc':
                    members = self._rpc_index.get((exchange, topic), [])
                    if (server, listener) in members:
                        members.remove((server, listener))
                    if not members:
                        self._rpc_index.pop((exchange, topic), None)
                else:
                    self._notify_index.pop((exchange, topic, server), None)
            paths, listener.paths = listener.paths, []
        for path in paths:
            self._matchmaker.unregister(path)

    # -- I/O thread callbacks -------------------------------------------------

    def _reply(self, identity: bytes, frames: list[bytes]) -> None:
        self._reactor.reply(identity, frames)

    def _on_request(self, identity: bytes, body: dict) -> None:
        kind = body['kind']
        target = body['target']
        key = (target.get('exchange'), target['topic'])
        server = target.get('server')
        if kind == framing.NOTIFY:
            listener = self._notify_index.get(key + (server,))
            if listener is not None:
                listener.deliver(ZmqIncomingMessage(
                    self, body['ctxt'], body['message'], body['id'], None,
                    None))
            return
        members = self._rpc_index.get(key, [])
        if server:
            members = [m for m in members if m[0] == server]
        if target.get('fanout'):
            for _, listener in members:
                listener.deliver(ZmqIncomingMessage(
                    self, body['ctxt'], body['message'], body['id'], None,
                    None))
            return
        delivered = False
        if members:
            _, listener = members[next(self._counter) % len(members)]
            identity_or_none = identity if kind == framing.CALL else None
            delivered = listener.deliver(ZmqIncomingMessage(
                self, body['ctxt'], body['message'], body['id'],
                identity_or_none, body.get('timeout')))
        if not delivered:
            LOG.debug('No listener here for %s %s', kind, target)
            if kind == framing.CALL:
                self._reactor.reply(identity, framing.reply(
                    body['id'], error='no server for topic %s%s listens '
                    'here any more' % (target['topic'],
                                       ', server %s' % server
                                       if server else '')))

    def _on_reply(self, endpoint: str, body: dict) -> None:
        pending = self._pending.get(body['id'])
        if pending is None:
            return
        if body['kind'] == framing.HEARTBEAT:
            pending.last_heard = time.monotonic()
            return
        if body.get('error'):
            pending.fail(ServerUnavailable(body['error']), resendable=True)
            return
        pending.result = body.get('result')
        pending.failure = body.get('failure')
        pending.event.set()

    def _on_peer_down(self, endpoint: str, reason: str,
                      was_connected: bool) -> None:
        self._down[endpoint] = time.monotonic()
        with self._lock:
            pending = [p for p in self._pending.values()
                       if p.endpoint == endpoint]
        for call in pending:
            # Only a request already on a connection that then broke may
            # have run; anything else can safely go to another server.
            delivered_maybe = was_connected and call.sent
            call.fail(ServerUnavailable(
                'zmq server at %s is unavailable (%s); the call %s' % (
                    endpoint, reason,
                    'may or may not have run' if delivered_maybe
                    else 'was not delivered')),
                resendable=not delivered_maybe)

    def _on_entry_change(self, exchange: str, topic: str, server: str,
                         old: dict | None, new: dict | None) -> None:
        if new is not None:
            # A (re)registered endpoint is worth trying again at once.
            self._down.pop(new['endpoint'], None)
