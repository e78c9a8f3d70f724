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

"""Who may talk to a ZeroMQ server: bind address and CURVE settings.

``check_conf`` refuses settings that would listen on every interface or
cannot work; ``from_conf`` turns ``[zmq]`` into a ``Security`` the
reactor applies to its sockets; ``KeyChecker`` is the ZAP handler's
policy (only listed client keys get in). Secret keys are never shown in
errors, logs or reprs.
"""

import dataclasses
from typing import Any

from oslo_log import log
from zmq.utils import z85

from trellis.common import exception

LOG = log.getLogger(__name__)

ZAP_DOMAIN = 'trellis'

_KEY_OPTIONS = ('curve_server_public_key', 'curve_server_secret_key',
                'curve_client_public_key', 'curve_client_secret_key')


@dataclasses.dataclass(frozen=True)
class Security:
    """CURVE keys (Z85 text); ``mechanism`` is ``none`` or ``curve``."""

    mechanism: str = 'none'
    server_public_key: str | None = None
    server_secret_key: str | None = None
    client_public_key: str | None = None
    client_secret_key: str | None = None
    allowed_client_keys: frozenset[str] = frozenset()

    @property
    def curve(self) -> bool:
        return self.mechanism == 'curve'

    def __repr__(self) -> str:
        # Never show secret keys in logs or tracebacks.
        return ('Security(mechanism=%r, server_public_key=%r, '
                'client_public_key=%r, allowed=%d keys)'
                % (self.mechanism, self.server_public_key,
                   self.client_public_key, len(self.allowed_client_keys)))


class KeyChecker:
    """ZAP credentials provider: only the allowed client keys get in."""

    def __init__(self, allowed: frozenset[str]) -> None:
        self._allowed = {k.encode('ascii') for k in allowed}

    def callback(self, domain: str, key: bytes) -> bool:
        if key in self._allowed:
            return True
        LOG.warning('Refused a ZeroMQ client with CURVE key %s',
                    key.decode('ascii', 'replace'))
        return False


def from_conf(conf_zmq: Any) -> Security:
    """The ``Security`` of the ``[zmq]`` options."""
    return Security(
        mechanism=conf_zmq.security,
        server_public_key=conf_zmq.curve_server_public_key,
        server_secret_key=conf_zmq.curve_server_secret_key,
        client_public_key=conf_zmq.curve_client_public_key,
        client_secret_key=conf_zmq.curve_client_secret_key,
        allowed_client_keys=frozenset(conf_zmq.curve_allowed_client_keys))


def check_conf(conf_zmq: Any) -> None:
    """Refuse settings that would listen too widely or cannot work."""
    if conf_zmq.bind_address in ('0.0.0.0', '::'):
        raise exception.ConfigInvalid(
            error='[zmq] bind_address must be the address of one interface, '
                  'not a wildcard')
    if conf_zmq.port_min > conf_zmq.port_max:
        raise exception.ConfigInvalid(
            error='[zmq] port_min is above port_max')
    if conf_zmq.security == 'curve':
        missing = [name for name in ('curve_server_public_key',
                                     'curve_client_public_key',
                                     'curve_client_secret_key')
                   if not getattr(conf_zmq, name)]
        if missing:
            raise exception.ConfigInvalid(
                error='[zmq] security = curve needs %s' % ', '.join(missing))
        keys = [(name, getattr(conf_zmq, name)) for name in _KEY_OPTIONS]
        keys += [('curve_allowed_client_keys', key)
                 for key in conf_zmq.curve_allowed_client_keys]
        bad = sorted({name for name, key in keys
                      if key and not _valid_key(key)})
        if bad:
            # Name the options, never the (secret) values.
            raise exception.ConfigInvalid(
                error='[zmq] %s must be 40-character Z85 CURVE keys (write '
                      'a "$" in a key as "$$")' % ', '.join(bad))


def check_server_keys(security: Security) -> None:
    """A CURVE server needs the servers' key pair; say so clearly."""
    if security.curve and not (security.server_public_key
                               and security.server_secret_key):
        raise exception.ConfigInvalid(
            error='[zmq] security = curve: a process that runs RPC servers '
                  'or notification listeners needs curve_server_public_key '
                  'and curve_server_secret_key')


def _valid_key(key: str) -> bool:
    if len(key) != 40:
        return False
    try:
        z85.decode(key.encode('ascii'))
    except (ValueError, UnicodeEncodeError, KeyError):
        return False
    return True
