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

"""Base of every service's RPC endpoint (its ``manager.py``).

A manager is thin: it checks arguments, logs, and hands work to domain
modules. Its ``__init__`` keeps plain data only (the launcher may fork
after building it); clients and pools are made in ``init_host``.
"""

import time
from typing import Any

from oslo_log import log
import oslo_messaging as messaging

from trellis.common import version

LOG = log.getLogger(__name__)


class Manager:
    """The RPC methods every Trellis service answers."""

    RPC_API_VERSION = '1.0'
    target = messaging.Target(version=RPC_API_VERSION)

    def __init__(self, host: str, topic: str) -> None:
        self.host = host
        self.topic = topic
        self._started_at = time.monotonic()

    def init_host(self, context: Any) -> None:
        """Called in ``start()`` before the RPC server consumes."""
        self._started_at = time.monotonic()

    def del_host(self) -> None:
        """Called in ``stop()`` after the RPC server stopped consuming."""

    def ping(self, context: Any) -> dict[str, Any]:
        """Answer who and how long: host, topic, version, uptime (s)."""
        LOG.debug('RPC ping called on %s/%s', self.topic, self.host)
        return {'host': self.host, 'topic': self.topic,
                'version': version.version_string(),
                'uptime': round(time.monotonic() - self._started_at, 3)}
