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

"""The inventory resources of issue 3, registered under ``/v1``."""

import flask
from oslo_db import exception as db_exc
from oslo_log import log

from trellis.common.i18n import _
from trellis.services.api import errors
from trellis.services.api.controllers import clusters
from trellis.services.api.controllers import host_roles
from trellis.services.api.controllers import hosts
from trellis.services.api.controllers import networks
from trellis.services.api.controllers import openapi
from trellis.services.api.controllers import roles
from trellis.services.api.controllers import versions

BLUEPRINTS = (clusters.blueprint, networks.blueprint, roles.blueprint,
              hosts.blueprint, host_roles.blueprint, versions.blueprint,
              openapi.blueprint)


LOG = log.getLogger(__name__)


def database_unavailable(exc: db_exc.DBConnectionError) -> flask.Response:
    """503 when the database cannot be reached (the contract's rule)."""
    LOG.error('%s %s: the database is unreachable: %s', flask.request.method,
              flask.request.path, exc)
    return errors.json_response(503, _(
        'The database is unreachable; try again later.'))


def register(app: flask.Flask) -> None:
    """Register every inventory blueprint on ``app`` under ``/v1``."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix='/v1')
    app.register_error_handler(db_exc.DBConnectionError,
                               database_unavailable)
