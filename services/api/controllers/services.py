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

"""``/v1/services``: every registered Trellis service, up or down."""

import re
from typing import Any

import flask

from trellis.common import exception
from trellis.common import policy
from trellis.common import service_registry
from trellis.common.i18n import _
from trellis.common.policies import service as service_policy
from trellis.services.api import app as api_app
from trellis.services.api.controllers import utils

blueprint = flask.Blueprint('services', __name__)

_TOPIC_RE = re.compile(r'^[A-Za-z0-9_.\-]{1,255}$')


def service_view(row: service_registry.ServiceStatus) -> dict[str, Any]:
    """The API representation of one service."""
    return {'topic': row.topic, 'host': row.host,
            'state': 'up' if row.up else 'down',
            'last_seen': utils.isotime(row.last_seen),
            'started_at': utils.isotime(row.started_at),
            'stopped_at': utils.isotime(row.stopped_at),
            'version': row.version, 'pid': row.pid}


@blueprint.get('/services')
def list_services() -> dict[str, Any]:
    """List services; ``?topic=trellis-conductor`` keeps one topic."""
    policy.authorize(service_policy.SERVICE_LIST, {}, api_app.get_context())
    topic = flask.request.args.get('topic') or None
    if topic is not None and not _TOPIC_RE.match(topic):
        raise exception.Invalid(
            _('Invalid topic %r: use letters, digits, ".", "_" and "-" '
              'only, for example trellis-conductor.') % topic)
    rows = service_registry.list_services(api_app.get_state().etcd(),
                                          topic=topic)
    return {'services': [service_view(row) for row in rows]}
