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

"""``/v1/hosts/{host}/roles``: the roles assigned to a host.

A role is named by its name (or UUID) among the roles of the host's
cluster. ``PUT`` assigns (201 when new, 200 when it already was),
``DELETE`` unassigns; the host's ``status`` follows (``with-role`` /
``in-cluster``).
"""

from typing import Any

import flask

from trellis.common import exception
from trellis.common import policy
from trellis.common.db import api as db_api
from trellis.common.i18n import _
from trellis.common.policies import host_role as host_role_policy
from trellis.services.api import app as api_app
from trellis.services.api.controllers import hosts
from trellis.services.api.controllers import utils
from trellis.services.api.schemas import base
from trellis.services.api.schemas import host_role as schema

blueprint = flask.Blueprint('host_roles', __name__)
RESOURCE = schema.RESOURCE
PATH = '/hosts/<host>/roles'


class HostNotInCluster(exception.Conflict):
    _msg_fmt = _('Host %(host)s is in no cluster: set its cluster_uuid '
                 'before assigning roles.')


def assignment_view(name: str, ref: Any) -> dict[str, Any]:
    return {'name': name, 'role_status': ref.role_status,
            'role_progress': ref.role_progress,
            'role_messages': ref.role_messages}


def _authorize(rule: str, host: Any) -> None:
    policy.authorize(rule, {'host_uuid': host.uuid}, api_app.get_context())


def _assignment(host: Any, role: Any) -> Any:
    rows = db_api.get_instance().list_host_roles(
        api_app.get_context(),
        filters={'host_id': host.id, 'role_id': role.id})
    return rows[0] if rows else None


def _role_of(host: Any, role_name: str) -> Any:
    if host.cluster_id is None:
        raise HostNotInCluster(host=host.name or host.uuid)
    return db_api.get_instance().get_role(api_app.get_context(),
                                          host.cluster_id, role_name)


@blueprint.get(PATH)
@utils.documented('list_all', RESOURCE, 'List the roles of a host')
def list_host_roles(host: str) -> dict[str, Any]:
    ref = hosts.get_host(host)
    _authorize(host_role_policy.HOST_ROLE_LIST, ref)
    unknown = sorted(flask.request.args)
    if unknown:
        raise base.ValidationFailed('query', [{
            'field': name, 'message': _('Unknown query parameter %s.') % name}
            for name in unknown])
    roles = db_api.get_instance().list_host_role_names(
        api_app.get_context(), [ref.id]).get(ref.id, [])
    return {'roles': [assignment_view(n, hr) for n, hr in roles]}


@blueprint.put(PATH + '/<role_name>')
@utils.documented('assign', RESOURCE, 'Assign a role to a host')
def assign(host: str, role_name: str) -> flask.Response:
    ref = hosts.get_host(host)
    _authorize(host_role_policy.HOST_ROLE_ASSIGN, ref)
    body = utils.json_body(required=False)
    if body is not None:
        base.validate(RESOURCE.create, body, 'host role',
                      RESOURCE.read_only)
    role = _role_of(ref, role_name)
    existing = _assignment(ref, role)
    code = 200
    if existing is None:
        try:
            existing = db_api.get_instance().create_host_role(
                api_app.get_context(),
                {'host_id': ref.id, 'role_id': role.id})
            code = 201
        except exception.HostRoleAlreadyExists:
            # Assigned meanwhile by another request: same outcome.
            existing = _assignment(ref, role)
    body = assignment_view(role.name, existing)
    if code == 201:
        return utils.created(body, utils.item_path('hosts', ref.uuid,
                                                   'roles', role.name))
    return flask.jsonify(body)


@blueprint.delete(PATH + '/<role_name>')
@utils.documented('unassign', RESOURCE, 'Remove a role from a host')
def unassign(host: str, role_name: str) -> flask.Response:
    ref = hosts.get_host(host)
    _authorize(host_role_policy.HOST_ROLE_UNASSIGN, ref)
    role = _role_of(ref, role_name)
    existing = _assignment(ref, role)
    if existing is None:
        raise exception.HostRoleNotFound(
            host_role='%s/%s' % (ref.name or ref.uuid, role.name))
    db_api.get_instance().destroy_host_role(api_app.get_context(),
                                            existing.id)
    return utils.no_content()
