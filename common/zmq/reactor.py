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


"""The one I/O thread that owns every ZeroMQ socket of a driver.

pyzmq sockets must not be shared between threads, so caller threads
never touch one: they queue a command and wake the I/O thread through an
eventfd that it polls next to its sockets. The thread owns:

- one ROUTER, bound on ``[zmq] bind_address`` at a free port of
  ``[port_min, port_max]`` when the first listener starts; requests
  arrive on it and replies leave through it, addressed by the caller's
  identity frame;
- one DEALER per server endpoint this process talks to, with a socket
  monitor. A DEALER whose peer disconnects, refuses the connection or
  fails the handshake (for example a CURVE key that is not allowed) is
  closed at once (dropping what it still queued) and the driver is told,
  so calls waiting on that server fail fast instead of hanging.

Callbacks (``on_request``, ``on_reply``, ``on_peer_down``) run in the
I/O thread and must not block.
"""

from collections import deque
from collections.abc import Callable
from concurrent import futures
import errno
import os
import queue
import threading
from typing import Any

from oslo_log import log
import zmq
from zmq.utils import monitor as zmq_monitor

from trellis.common.zmq import framing
from trellis.common.zmq import security as zmq_security

LOG = log.getLogger(__name__)

_BATCH = 256

_MONITOR_EVENTS = (zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED
                   | zmq.EVENT_CONNECT_RETRIED
                   | zmq.EVENT_HANDSHAKE_FAILED_AUTH
                   | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
                   | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL)
_DOWN_REASONS = {
    zmq.EVENT_DISCONNECTED: 'the connection was closed',
    zmq.EVENT_CONNECT_RETRIED: 'the connection was refused',
    zmq.EVENT_HANDSHAKE_FAILED_AUTH: 'the server refused our CURVE key',
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: 'the security handshake failed',
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: 'the security handshake failed',
}


class _Dealer:
    def __init__(self, endpoint: str, sock: zmq.Socket,
                 monitor: zmq.Socket) -> None:
        self.endpoint = endpoint
        self.sock = sock
        self.monitor = monitor
        self.backlog: deque[list[bytes]] = deque()
        self.up = False
        self.ever_up = False


class Reactor:
    """Sockets and the I/O thread of one driver instance."""

    def __init__(self, bind_address: str, port_min: int, port_max: int,
                 security: zmq_security.Security,
                 on_request: Callable[[bytes, dict], None],
                 on_reply: Callable[[str, dict], None],
                 on_peer_down: Callable[[str, str, bool], None],
                 high_water_mark: int = 100000, linger: float = 0.5,
                 heartbeat_interval: float = 2.0) -> None:
        self.bind_address = bind_address
        self.port_min = port_min
        self.port_max = port_max
        self.security = security
        self._on_request = on_request
        self._on_reply = on_reply
        self._on_peer_down = on_peer_down
        self._hwm = high_water_mark
        self._linger_ms = int(linger * 1000)
        self._heartbeat_ms = int(heartbeat_interval * 1000)
        self._ctx = zmq.Context()
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._wake_fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        self._wake_pending = False
        self._poller = zmq.Poller()
        self._router: zmq.Socket | None = None
        self._auth: Any = None
        self.endpoint: str | None = None
        self._dealers: dict[str, _Dealer] = {}
        self._by_socket: dict[zmq.Socket, _Dealer] = {}
        self._by_monitor: dict[zmq.Socket, _Dealer] = {}
        self._running = False
        self._thread: threading.Thread | None = None

    # -- API for other threads ------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._running = True
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='zmq-reactor')
        self._thread.start()

    def stop(self) -> None:
        """Close every socket and end the I/O thread (blocks)."""
        if self._thread is None:
            return
        self._running = False
        self._wake()
        self._thread.join(timeout=self._linger_ms / 1000.0 + 10)
        self._thread = None

    def bind(self) -> str:
        """Bind the ROUTER (once) and return its ``tcp://`` endpoint."""
        return self._in_loop(self._bind)

    def send(self, endpoint: str, frames: list[bytes],
             token: Any = None) -> None:
        """Queue frames for the server at ``endpoint``.

        ``token`` (optional) tracks a call: nothing is sent if
        ``token.done()`` is already true, and ``token.sent`` becomes true
        once the frames are handed to the socket (so the driver knows
        which calls a disconnect may have caught after delivery).
        """
        self._commands.put((self._send, endpoint, frames, token))
        self._wake()

    def reply(self, identity: bytes, frames: list[bytes]) -> None:
        """Queue frames back to the caller with this ROUTER identity."""
        self._commands.put((self._reply, identity, frames))
        self._wake()

    def forget(self, endpoint: str) -> None:
        """Close the DEALER of an endpoint that left the matchmaker."""
        self._commands.put((self._close_dealer, endpoint))
        self._wake()

    # -- plumbing -------------------------------------------------------------

    def _wake(self) -> None:
        # One eventfd write per batch of commands: if a wake-up is already
        # pending, the I/O thread will drain this command with it.
        if self._wake_pending:
            return
        self._wake_pending = True
        try:
            os.eventfd_write(self._wake_fd, 1)
        except OSError:
            pass

    def _in_loop(self, func: Callable, *args: Any) -> Any:
        if threading.current_thread() is self._thread:
            return func(*args)
        future: futures.Future = futures.Future()

        def _do() -> None:
            try:
                future.set_result(func(*args))
            except Exception as exc:
                future.set_exception(exc)

        self._commands.put((_do,))
        self._wake()
        return future.result(timeout=30)

    def _run(self) -> None:
        self._poller.register(self._wake_fd, zmq.POLLIN)
        try:
            while self._running:
                for sock, event in self._poller.poll(1000):
                    if sock == self._wake_fd:
                        self._drain_commands()
                    elif sock is self._router:
                        self._recv_requests()
                    elif sock in self._by_monitor:
                        self._recv_monitor(self._by_monitor[sock])
                    elif sock in self._by_socket:
                        dealer = self._by_socket[sock]
                        if event & zmq.POLLOUT:
                            self._flush(dealer)
                        if event & zmq.POLLIN:
                            self._recv_replies(dealer)
        except Exception:
            LOG.exception('ZeroMQ I/O thread failed')
        finally:
            self._teardown()

    def _drain_commands(self) -> None:
        try:
            os.eventfd_read(self._wake_fd)
        except BlockingIOError:
            pass
        # Cleared after the read and before draining: a command queued
        # from now on either is drained below or writes the eventfd again.
        self._wake_pending = False
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                command[0](*command[1:])
            except Exception:
                LOG.exception('ZeroMQ I/O command failed')

    def _teardown(self) -> None:
        # What was queued before stop() still goes out (within linger).
        self._drain_commands()
        for endpoint in list(self._dealers):
            self._close_dealer(endpoint)
        if self._router is not None:
            self._router.close(linger=self._linger_ms)
            self._router = None
        if self._auth is not None:
            self._auth.stop()
            self._auth = None
        self._ctx.term()
        os.close(self._wake_fd)

    def _tune(self, sock: zmq.Socket) -> None:
        sock.ipv6 = True  # also IPv4; needed for IPv6 bind addresses
        sock.linger = self._linger_ms
        sock.sndhwm = self._hwm
        sock.rcvhwm = self._hwm
        if self._heartbeat_ms:
            sock.heartbeat_ivl = self._heartbeat_ms
            sock.heartbeat_timeout = 3 * self._heartbeat_ms
            sock.heartbeat_ttl = 3 * self._heartbeat_ms

    # -- server side ----------------------------------------------------------

    def _bind(self) -> str:
        if self.endpoint is not None:
            return self.endpoint
        zmq_security.check_server_keys(self.security)
        sock = self._ctx.socket(zmq.ROUTER)
        self._tune(sock)
        sock.router_mandatory = 1
        if self.security.curve:
            self._start_auth()
            sock.zap_domain = zmq_security.ZAP_DOMAIN.encode('ascii')
            sock.curve_server = True
            sock.curve_secretkey = self.security.server_secret_key.encode()
            sock.curve_publickey = self.security.server_public_key.encode()
        try:
            port = sock.bind_to_random_port(
                'tcp://%s' % self._bind_host(), min_port=self.port_min,
                max_port=self.port_max + 1, max_tries=200)
        except zmq.ZMQBaseError:
            sock.close(linger=0)
            raise
        self._router = sock
        self.endpoint = 'tcp://%s:%d' % (self._bind_host(), port)
        self._poller.register(sock, zmq.POLLIN)
        LOG.info('ZeroMQ RPC listening on %s (security: %s)',
                 self.endpoint, self.security.mechanism)
        return self.endpoint

    def _bind_host(self) -> str:
        host = self.bind_address
        return '[%s]' % host if ':' in host else host

    def _start_auth(self) -> None:
        from zmq.auth.thread import ThreadAuthenticator
        allowed = set(self.security.allowed_client_keys)
        if self.security.client_public_key:
            allowed.add(self.security.client_public_key)
        self._auth = ThreadAuthenticator(self._ctx)
        self._auth.start()
        self._auth.configure_curve_callback(
            zmq_security.ZAP_DOMAIN,
            credentials_provider=zmq_security.KeyChecker(frozenset(allowed)))

    def _recv_requests(self) -> None:
        for _ in range(_BATCH):
            try:
                frames = self._router.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            if len(frames) < 2:
                continue
            try:
                body = framing.decode(frames[1:])
            except framing.FramingError as exc:
                LOG.warning('Dropped a ZeroMQ message: %s', exc)
                continue
            try:
                self._on_request(frames[0], body)
            except Exception:
                LOG.exception('Error handling a ZeroMQ request')

    def _reply(self, identity: bytes, frames: list[bytes]) -> None:
        if self._router is None:
            return
        try:
            self._router.send_multipart([identity] + frames, zmq.NOBLOCK)
        except zmq.ZMQError as exc:
            if exc.errno == errno.EHOSTUNREACH:
                LOG.debug('Reply dropped: the caller went away')
            else:
                LOG.warning('Reply dropped: %s', exc)

    # -- client side ----------------------------------------------------------

    def _dealer(self, endpoint: str) -> _Dealer:
        dealer = self._dealers.get(endpoint)
        if dealer is not None:
            return dealer
        sock = self._ctx.socket(zmq.DEALER)
        self._tune(sock)
        sock.reconnect_ivl = 100
        if self.security.curve:
            sock.curve_serverkey = self.security.server_public_key.encode()
            sock.curve_publickey = self.security.client_public_key.encode()
            sock.curve_secretkey = self.security.client_secret_key.encode()
        mon = sock.get_monitor_socket(_MONITOR_EVENTS)
        sock.connect(endpoint)
        dealer = _Dealer(endpoint, sock, mon)
        self._dealers[endpoint] = dealer
        self._by_socket[sock] = dealer
        self._by_monitor[mon] = dealer
        self._poller.register(sock, zmq.POLLIN)
        self._poller.register(mon, zmq.POLLIN)
        return dealer

    def _send(self, endpoint: str, frames: list[bytes],
              token: Any = None) -> None:
        if token is not None and token.done():
            return
        dealer = self._dealers.get(endpoint)
        if dealer is not None:
            # Notice a peer that has just gone away before using it.
            self._recv_monitor(dealer)
            if token is not None and token.done():
                return
        dealer = self._dealer(endpoint)
        if token is not None:
            token.sent = True
        if dealer.backlog:
            dealer.backlog.append(frames)
            return
        try:
            dealer.sock.send_multipart(frames, zmq.NOBLOCK)
        except zmq.Again:
            dealer.backlog.append(frames)
            self._poller.register(dealer.sock, zmq.POLLIN | zmq.POLLOUT)

    def _flush(self, dealer: _Dealer) -> None:
        while dealer.backlog:
            try:
                dealer.sock.send_multipart(dealer.backlog[0], zmq.NOBLOCK)
            except zmq.Again:
                return
            dealer.backlog.popleft()
        self._poller.register(dealer.sock, zmq.POLLIN)

    def _recv_replies(self, dealer: _Dealer) -> None:
        for _ in range(_BATCH):
            if self._dealers.get(dealer.endpoint) is not dealer:
                return
            try:
                frames = dealer.sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            try:
                body = framing.decode(frames)
            except framing.FramingError as exc:
                LOG.warning('Dropped a ZeroMQ reply from %s: %s',
                            dealer.endpoint, exc)
                continue
            try:
                self._on_reply(dealer.endpoint, body)
            except Exception:
                LOG.exception('Error handling a ZeroMQ reply')

    def _recv_monitor(self, dealer: _Dealer) -> None:
        while self._dealers.get(dealer.endpoint) is dealer:
            try:
                event = zmq_monitor.recv_monitor_message(dealer.monitor,
                                                         zmq.NOBLOCK)
            except zmq.Again:
                return
            kind = event['event']
            if kind == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                dealer.up = dealer.ever_up = True
                continue
            reason = _DOWN_REASONS.get(kind)
            if reason is None:
                continue
            LOG.debug('ZeroMQ peer %s is down: %s', dealer.endpoint, reason)
            # Closing drops whatever is still queued for that peer: a
            # caller that gave up must not have its call run later.
            self._close_dealer(dealer.endpoint)
            try:
                self._on_peer_down(dealer.endpoint, reason, dealer.ever_up)
            except Exception:
                LOG.exception('Error handling a ZeroMQ peer going down')
            return

    def _close_dealer(self, endpoint: str) -> None:
        dealer = self._dealers.pop(endpoint, None)
        if dealer is None:
            return
        self._by_socket.pop(dealer.sock, None)
        self._by_monitor.pop(dealer.monitor, None)
        for sock in (dealer.sock, dealer.monitor):
            try:
                self._poller.unregister(sock)
            except KeyError:
                pass
        try:
            dealer.sock.disable_monitor()
        except zmq.ZMQError:
            pass
        dealer.monitor.close(linger=0)
        dealer.sock.close(linger=0)
