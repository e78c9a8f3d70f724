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

"""The one owner of the RPC transport and the notifier.

Every service calls ``init()`` in its ``start()`` (after the launcher has
forked, never at import or in ``__init__``) and ``cleanup()`` when it
stops. Clients and servers come from ``get_client`` and ``get_server``;
they share one transport per process.
"""

from typing import Any

from oslo_config import cfg
from oslo_log import log
import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher

from trellis.common import context as trellis_context
from trellis.common import exception
from trellis.common.conf import CONF

LOG = log.getLogger(__name__)

# RPC topics, one per service (DESIGN §3). The API has one too, so that
# every daemon answers ``ping`` and shows in ``service list``.
API_TOPIC = 'trellis-api'
CONDUCTOR_TOPIC = 'trellis-conductor'
SCHEDULER_TOPIC = 'trellis-scheduler'
DISCOVERY_TOPIC = 'trellis-discovery'
INSTALLER_TOPIC = 'trellis-installer'
GALERA_WATCHER_TOPIC = 'trellis-galera-watcher'
ALL_TOPICS = (API_TOPIC, CONDUCTOR_TOPIC, SCHEDULER_TOPIC, DISCOVERY_TOPIC,
              INSTALLER_TOPIC, GALERA_WATCHER_TOPIC)

# Modules whose exceptions are re-raised as themselves on the caller's side.
ALLOWED_EXMODS = [exception.__name__]

TRANSPORT: messaging.Transport | None = None
NOTIFICATION_TRANSPORT: messaging.Transport | None = None
NOTIFIER: messaging.Notifier | None = None


def init(conf: cfg.ConfigOpts = CONF) -> None:
    """Create the RPC and notification transports and the notifier."""
    global TRANSPORT, NOTIFICATION_TRANSPORT, NOTIFIER
    if TRANSPORT is not None:
        return
    TRANSPORT = messaging.get_rpc_transport(
        conf, allowed_remote_exmods=ALLOWED_EXMODS)
    NOTIFICATION_TRANSPORT = messaging.get_notification_transport(
        conf, allowed_remote_exmods=ALLOWED_EXMODS)
    serializer = RequestContextSerializer(messaging.JsonPayloadSerializer())
    driver: str | None
    if conf.notification_level is None:
        driver = 'noop'
    elif conf.oslo_messaging_notifications.driver:
        # The Notifier reads the configured driver list itself; passed
        # as ``driver`` the list would be taken for one driver name.
        driver = None
    else:
        driver = 'messagingv2'
    NOTIFIER = messaging.Notifier(NOTIFICATION_TRANSPORT,
                                  serializer=serializer, driver=driver)


def cleanup() -> None:
    """Release the transports; safe to call more than once."""
    global TRANSPORT, NOTIFICATION_TRANSPORT, NOTIFIER
    for transport in (TRANSPORT, NOTIFICATION_TRANSPORT):
        if transport is not None:
            try:
                transport.cleanup()
            except Exception:
                LOG.exception('Error while closing a messaging transport')
    TRANSPORT = NOTIFICATION_TRANSPORT = NOTIFIER = None


def initialized() -> bool:
    return TRANSPORT is not None


def _transport() -> messaging.Transport:
    if TRANSPORT is None:
        raise RuntimeError('trellis.common.rpc.init() was not called')
    return TRANSPORT


class RequestContextSerializer(messaging.Serializer):
    """Sends ``RequestContext`` objects as dicts and rebuilds them."""

    def __init__(self, base: messaging.Serializer | None = None) -> None:
        self._base = base

    def serialize_entity(self, ctxt: Any, entity: Any) -> Any:
        if not self._base:
            return entity
        return self._base.serialize_entity(ctxt, entity)

    def deserialize_entity(self, ctxt: Any, entity: Any) -> Any:
        if not self._base:
            return entity
        return self._base.deserialize_entity(ctxt, entity)

    def serialize_context(self, ctxt: Any) -> dict:
        if isinstance(ctxt, dict):
            return ctxt
        return ctxt.to_dict()

    def deserialize_context(self, ctxt: dict
                            ) -> trellis_context.RequestContext:
        return trellis_context.RequestContext.from_dict(ctxt)


def get_client(target: messaging.Target, version_cap: str | None = None,
               serializer: messaging.Serializer | None = None
               ) -> messaging.RPCClient:
    """An RPC client on the process's transport."""
    serializer = RequestContextSerializer(serializer)
    return messaging.get_rpc_client(_transport(), target,
                                    version_cap=version_cap,
                                    serializer=serializer)


def get_server(target: messaging.Target, endpoints: list,
               serializer: messaging.Serializer | None = None
               ) -> messaging.MessageHandlingServer:
    """An RPC server on the threading executor (never eventlet)."""
    serializer = RequestContextSerializer(serializer)
    access_policy = dispatcher.DefaultRPCAccessPolicy
    return messaging.get_rpc_server(_transport(), target, endpoints,
                                    executor='threading',
                                    serializer=serializer,
                                    access_policy=access_policy)


def get_notifier(publisher_id: str) -> messaging.Notifier:
    """The process's notifier, prepared for one publisher."""
    if NOTIFIER is None:
        raise RuntimeError('trellis.common.rpc.init() was not called')
    return NOTIFIER.prepare(publisher_id=publisher_id)
