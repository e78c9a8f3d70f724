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

"""Versioned notifications: ``trellis.<object>.<action>[.<phase>]``.

A payload is a dataclass deriving from ``Payload`` (or a plain dict); it
always goes out with a ``version`` field so consumers can tell schema
changes. ``emit`` never fails its caller: an operation that succeeded
must not be reported as failed because the bus hiccuped.
"""

import dataclasses
import re
from typing import Any
from typing import ClassVar

from oslo_log import log
from oslo_utils import strutils

from trellis.common import rpc
from trellis.common.conf import CONF

LOG = log.getLogger(__name__)

PRIORITIES = ('debug', 'info', 'warning', 'error', 'critical')
_NAME = re.compile(r'^[a-z][a-z0-9_]*$')


@dataclasses.dataclass
class Payload:
    """Base of notification payloads. Bump VERSION on schema changes."""

    VERSION: ClassVar[str] = '1.0'

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data['version'] = self.VERSION
        return data


@dataclasses.dataclass
class ServicePayload(Payload):
    """A service started or stopped (``trellis.service.<action>``)."""

    topic: str
    host: str
    version_string: str


def event_type(obj: str, action: str, phase: str | None = None) -> str:
    """Build and check an event type such as ``trellis.host.discovered``."""
    for part in (obj, action):
        if not _NAME.match(part):
            raise ValueError('Invalid notification name part %r' % part)
    # DESIGN §3: start/end/error for long work, or what happened
    # (``trellis.galera.leader.changed``).
    if phase is not None and not _NAME.match(phase):
        raise ValueError('Invalid notification phase %r' % phase)
    parts = ['trellis', obj, action] + ([phase] if phase else [])
    return '.'.join(parts)


def publisher_id(topic: str, host: str | None = None) -> str:
    """``trellis-<service>.<host>``, e.g. ``trellis-conductor.node1``."""
    return '%s.%s' % (topic, host or CONF.host)


def _enabled(priority: str) -> bool:
    level = CONF.notification_level
    return (level is not None
            and PRIORITIES.index(priority) >= PRIORITIES.index(level))


def emit(context: Any, topic: str, obj: str, action: str,
         payload: Payload | dict, phase: str | None = None,
         priority: str = 'info') -> bool:
    """Send a notification; log and swallow any failure.

    :param topic: the emitting service's topic (publisher).
    :returns: True if it was handed to the bus, False otherwise.
    """
    try:
        if priority not in PRIORITIES:
            raise ValueError('Unknown notification priority %r' % priority)
        if not _enabled(priority):
            return False
        name = event_type(obj, action, phase)
        body = payload.to_dict() if isinstance(payload, Payload) else dict(
            payload)
        body.setdefault('version', '1.0')
        body = strutils.mask_dict_password(body)
        notifier = rpc.get_notifier(publisher_id(topic))
        getattr(notifier, priority)(context, name, body)
        return True
    except Exception as exc:
        LOG.warning('Could not emit notification %s.%s from %s: %s',
                    obj, action, topic, exc)
        return False
