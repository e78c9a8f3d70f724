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

"""The base of every Trellis daemon, on oslo.service's threading backend.

``prepare_service`` parses configuration and sets up logging. An
``RPCService`` wraps one manager (the RPC endpoint). Its ``__init__``
keeps plain data, because the launcher forks after building it; the
transport, the etcd client, the RPC server and the liveness lease are all
made in ``start()``. ``stop()`` (SIGTERM) first revokes the lease, so the
service shows down at once (stopping a RabbitMQ consumer alone takes up to
2 s), then stops consuming, gives in-flight requests ``[service]
stop_timeout`` seconds, and releases the transports.
"""

import sys
import threading
import time
from typing import Any

from oslo_config import cfg
from oslo_log import log
import oslo_messaging as messaging
from oslo_service import service

from trellis.common import context as trellis_context
from trellis.common import etcd
from trellis.common import manager as base_manager
from trellis.common import notifications
from trellis.common import rpc
from trellis.common import service_registry
from trellis.common import version
from trellis.common.conf import CONF
from trellis.common.conf import opts

LOG = log.getLogger(__name__)


def prepare_service(argv: list[str] | None = None,
                    conf: cfg.ConfigOpts = CONF) -> None:
    """Parse the command line and config files, then set up logging."""
    argv = sys.argv if argv is None else argv
    log.register_options(conf)
    opts.update_opt_defaults()
    conf(argv[1:], project='trellis', version=version.version_string())
    log.setup(conf, 'trellis')


class RPCService(service.Service):
    """One daemon: an RPC server for ``manager`` plus its etcd liveness."""

    def __init__(self, manager: base_manager.Manager) -> None:
        super().__init__()
        self.manager = manager
        self.topic = manager.topic
        self.host = manager.host
        self._server: messaging.MessageHandlingServer | None = None
        self._etcd: etcd.EtcdClient | None = None
        self._registration: service_registry.ServiceRegistration | None = None
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()

    @property
    def etcd(self) -> etcd.EtcdClient | None:
        return self._etcd

    def start(self) -> None:
        # cotyledon runs stop() (SIGTERM) in another thread, possibly
        # while start() is still running: stop waits for the start so it
        # always undoes everything (no lease left behind, no "started"
        # notification after "stopped").
        with self._stop_lock:
            self._start()

    def _start(self) -> None:
        started = time.monotonic()
        self._stopped.clear()
        rpc.init(CONF)
        self._etcd = etcd.EtcdClient.from_conf(CONF)
        admin_context = trellis_context.get_admin_context()
        self.manager.init_host(admin_context)
        target = messaging.Target(topic=self.topic, server=self.host)
        endpoints = [self.manager] + self.extra_endpoints()
        self._server = rpc.get_server(target, endpoints)
        self._server.start()
        self.start_extra()
        self._registration = service_registry.ServiceRegistration(
            self._etcd, self.topic, self.host,
            ttl=CONF.service.lease_ttl,
            keepalive_interval=CONF.service.keepalive_interval)
        self._registration.start()
        notifications.emit(admin_context, self.topic, 'service', 'started',
                           notifications.ServicePayload(
                               topic=self.topic, host=self.host,
                               version_string=version.version_string()))
        LOG.info('%s started on %s in %.2fs (RPC %s)', self.topic,
                 self.host, time.monotonic() - started,
                 CONF.transport_url and
                 messaging.TransportURL.parse(CONF, CONF.transport_url)
                 .transport or 'default')

    def extra_endpoints(self) -> list:
        """More RPC endpoints; subclasses may add some."""
        return []

    def start_extra(self) -> None:
        """Start what a subclass serves besides RPC (e.g. HTTP)."""

    def stop_extra(self) -> None:
        """Stop what ``start_extra`` started; runs before RPC stops."""

    def stop(self, graceful: bool = True) -> None:
        """Deregister, stop consuming, drain (bounded), release."""
        with self._stop_lock:
            if self._stopped.is_set():
                return
            LOG.info('Stopping %s on %s', self.topic, self.host)
            self._stop_steps()
            self._stopped.set()
        super().stop(graceful)

    def _stop_steps(self) -> None:
        # Deregister first, as a load balancer drains: the service is
        # leaving, whoever looks at etcd must know now, not after the
        # consumer has wound down; in-flight requests still finish below.
        if self._registration is not None:
            self._registration.stop()
        self._run_bounded('stop extra servers', self.stop_extra, 5)
        if self._server is not None:
            self._run_bounded('stop consuming', self._server.stop, 5)
            self._run_bounded('finish in-flight requests', self._server.wait,
                              CONF.service.stop_timeout)
        self._run_bounded('release manager resources', self.manager.del_host,
                          CONF.service.stop_timeout)
        notifications.emit(trellis_context.get_admin_context(), self.topic,
                           'service', 'stopped',
                           notifications.ServicePayload(
                               topic=self.topic, host=self.host,
                               version_string=version.version_string()))
        rpc.cleanup()

    @staticmethod
    def _run_bounded(what: str, func: Any, timeout: float) -> None:
        """Run ``func`` in a thread; give up waiting after ``timeout`` s."""
        errors: list[BaseException] = []

        def _target() -> None:
            try:
                func()
            except Exception as exc:
                errors.append(exc)

        thread = threading.Thread(target=_target, daemon=True,
                                  name='stop-%s' % what.replace(' ', '-'))
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            LOG.warning('Gave up waiting to %s after %ss', what, timeout)
        elif errors:
            LOG.warning('Error while trying to %s: %s', what, errors[0])

    def wait(self) -> None:
        self._stopped.wait()

    def reset(self) -> None:
        """SIGHUP: configuration was mutated; nothing to rebuild yet."""
        LOG.info('%s on %s: configuration reloaded', self.topic, self.host)


def launch(rpc_service: RPCService) -> int:
    """Run ``rpc_service`` under the oslo.service launcher until it ends.

    One worker: cotyledon forks it and restarts it if it dies; SIGTERM to
    the launcher is a graceful stop (``RPCService.stop``); readiness is
    reported to systemd when ``NOTIFY_SOCKET`` is set.
    """
    launcher = service.launch(CONF, rpc_service, workers=1,
                              restart_method='mutate')
    return launcher.wait()
