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

"""Base of every service's client-side RPC API (its ``rpcapi.py``)."""

from typing import Any

import oslo_messaging as messaging

from trellis.common import rpc
from trellis.common.conf import CONF


class RPCAPI:
    """Client side of the methods every service answers.

    Subclasses set ``TOPIC`` and extend ``RPC_API_VERSION`` with their own
    version history. Build instances after ``rpc.init()``.

    API version history:

    |    1.0 - Initial version: ping.
    """

    TOPIC: str = ''
    RPC_API_VERSION = '1.0'

    def __init__(self, topic: str | None = None) -> None:
        self.topic = topic or self.TOPIC
        target = messaging.Target(topic=self.topic, version='1.0')
        self.client = rpc.get_client(target,
                                     version_cap=self.RPC_API_VERSION)

    def _prepare(self, host: str | None = None, version: str = '1.0',
                 timeout: float | None = None, retry: int | None = None,
                 fanout: bool = False) -> messaging.RPCClient:
        kwargs: dict[str, Any] = {'version': version}
        if host:
            kwargs['server'] = host
        if timeout is not None:
            kwargs['timeout'] = timeout
        if retry is not None:
            kwargs['retry'] = retry
        if fanout:
            kwargs['fanout'] = True
        return self.client.prepare(**kwargs)

    def ping(self, context: Any, host: str | None = None,
             timeout: float | None = None,
             retry: int | None = None) -> dict[str, Any]:
        """Ask one service (any of the topic, or ``host``'s) who it is.

        :param host: the server to ask; any live one of the topic if None.
        :param timeout: seconds to wait; ``[DEFAULT] rpc_ping_timeout``
            if None.
        :param retry: connection retries (None: the transport default;
            0: fail at once when the bus is unreachable).
        :returns: ``{'host', 'topic', 'version', 'uptime'}``.
        :raises: oslo_messaging.MessagingTimeout if nobody answers in time.
        """
        cctxt = self._prepare(host=host,
                              timeout=timeout or CONF.rpc_ping_timeout,
                              retry=retry)
        return cctxt.call(context, 'ping')
