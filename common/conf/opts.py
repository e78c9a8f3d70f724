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

"""The option list for oslo-config-generator and the default overrides.

Keep ``_OPTS`` in alphabetical order by group.
"""

import itertools

from oslo_log import log

from trellis.common.conf import api
from trellis.common.conf import coordination
from trellis.common.conf import default
from trellis.common.conf import etcd
from trellis.common.conf import galera
from trellis.common.conf import service
from trellis.common.conf import zmq

_OPTS = [
    ('DEFAULT', default.list_opts()),
    ('api', api.list_opts()),
    ('coordination', coordination.list_opts()),
    ('etcd', etcd.list_opts()),
    ('galera', galera.list_opts()),
    ('service', service.list_opts()),
    ('zmq', zmq.list_opts()),
]

# Libraries that are too chatty at Trellis's default log level.
_QUIET_LOGGERS = [
    'amqp=WARNING',
    'amqplib=WARNING',
    'kombu=WARNING',
    'oslo_messaging=INFO',
    'oslo.messaging=INFO',
    'urllib3.connectionpool=WARNING',
    'requests=WARNING',
    'cheroot=WARNING',
    'tooz=INFO',
    'cotyledon=INFO',
    'alembic=WARNING',
]


def list_opts() -> list:
    """Return ``[(group, [opt, ...]), ...]`` for oslo-config-generator.

    oslo.db, oslo.messaging, oslo.log and the others list their own
    options under their own namespaces (see the generator config).
    """
    return [(group, list(itertools.chain(opts))) for group, opts in _OPTS]


def update_opt_defaults() -> None:
    """Set Trellis's defaults for library options (log levels)."""
    log.set_defaults(default_log_levels=(
        log.get_default_log_levels() + _QUIET_LOGGERS))
