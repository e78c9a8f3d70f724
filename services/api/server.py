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

"""The trellis-api daemon: the REST API on cheroot plus its RPC side.

``APIService`` is an ``RPCService`` (its manager answers ``ping``) that
also serves the WSGI app of ``app.py`` with cheroot, a real thread-pooled
HTTP server. The socket is bound at the start of ``start()`` (after the
launcher forked, never in ``__init__``) so a port in use fails before
anything else is set up; ``start_extra`` starts serving in a thread and
``stop_extra`` stops the server, letting in-flight requests finish within
``[api] shutdown_timeout``.
"""

import logging
import socket
import threading
from typing import Any

from cheroot import wsgi
from oslo_log import log

from trellis.common import exception
from trellis.common import manager as base_manager
from trellis.common import service
from trellis.common.conf import CONF
from trellis.common.i18n import _
from trellis.services.api import app as api_app

LOG = log.getLogger(__name__)

# Backlog of the listening socket (cheroot's default of 5 drops bursts).
REQUEST_QUEUE_SIZE = 128


class APIBindError(exception.TrellisException):
    _msg_fmt = _('trellis-api cannot listen on %(address)s: %(error)s. '
                 'Is another program using that port? Choose another '
                 'with [api] host_ip and [api] port.')
    code = 500


def format_address(host: str, port: int) -> str:
    return ('[%s]:%s' if ':' in host else '%s:%s') % (host, port)


def check_bind(host: str, port: int) -> None:
    """Fail early and clearly if ``host:port`` cannot be listened on.

    Binds and closes a socket the way cheroot will (``SO_REUSEADDR``), so
    the daemon can exit non-zero before the launcher forks a worker that
    would fail, and be restarted, forever.

    :raises: APIBindError naming the address.
    """
    address = format_address(host, port)
    try:
        infos = socket.getaddrinfo(host, port, socket.AF_UNSPEC,
                                   socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise APIBindError(address=address, error=exc) from exc
    family, socktype, proto, _canon, sockaddr = infos[0]
    sock = socket.socket(family, socktype, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(sockaddr)
    except OSError as exc:
        raise APIBindError(address=address,
                           error=exc.strerror or exc) from exc
    finally:
        sock.close()


class WSGIServer(wsgi.Server):
    """cheroot's WSGI server, logging through oslo.log, not stderr."""

    def error_log(self, msg: str = '', level: int = logging.INFO,
                  traceback: bool = False) -> None:
        LOG.log(level, 'HTTP server: %s', msg, exc_info=traceback)


def make_server(application: Any, host: str, port: int, threads: int,
                shutdown_timeout: float = 5) -> WSGIServer:
    """A cheroot server for ``application``, bound and listening.

    :raises: APIBindError naming the address when the bind fails.
    """
    server = WSGIServer((host, port), application, numthreads=threads,
                        max=threads, request_queue_size=REQUEST_QUEUE_SIZE,
                        shutdown_timeout=shutdown_timeout,
                        server_name='trellis-api')
    try:
        server.prepare()
    except OSError as exc:
        raise APIBindError(address=format_address(host, port),
                           error=exc.strerror or exc) from exc
    return server


class APIService(service.RPCService):
    """trellis-api: RPC endpoint (ping) plus the HTTP API on cheroot."""

    def __init__(self, manager: base_manager.Manager) -> None:
        super().__init__(manager)
        self._http: WSGIServer | None = None
        self._http_thread: threading.Thread | None = None

    @property
    def bind_address(self) -> tuple[str, int] | None:
        """Where the HTTP server listens (the real port if 0 was asked)."""
        if self._http is None:
            return None
        return self._http.bind_addr

    def start(self) -> None:
        application = api_app.create_app(CONF)
        self._http = make_server(application, CONF.api.host_ip,
                                 CONF.api.port, CONF.api.threads)
        try:
            super().start()
        except Exception:
            self.stop_extra()
            raise

    def start_extra(self) -> None:
        server = self._http
        if server is None:
            return
        self._http_thread = threading.Thread(
            target=self._serve, args=(server,), name='trellis-api-http',
            daemon=True)
        self._http_thread.start()
        host, port = server.bind_addr[:2]
        LOG.info('trellis-api serving HTTP on %s with %d threads',
                 format_address(host, port), CONF.api.threads)

    @staticmethod
    def _serve(server: WSGIServer) -> None:
        try:
            server.serve()
        except Exception:
            LOG.exception('The HTTP server stopped on an error')

    def stop_extra(self) -> None:
        server, self._http = self._http, None
        if server is None:
            return
        server.stop()
        thread, self._http_thread = self._http_thread, None
        if thread is not None:
            thread.join(CONF.service.stop_timeout)
        LOG.info('trellis-api stopped serving HTTP')
