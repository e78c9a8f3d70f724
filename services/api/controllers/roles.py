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

"""``/v1/clusters/{cluster}/roles``: the roles of a cluster."""

from typing import Any

import flask

from trellis.common.db import api as db_api
from trellis.common.policies import role as role_policy
from trellis.services.api import app as api_app
from trellis.services.api.controllers import clusters
from trellis.services.api.controllers import utils
from trellis.services.api.schemas import base
from trellis.services.api.schemas import role as schema

blueprint = flask.Blueprint('roles', __name__)
RESOURCE = schema.RESOURCE
WRITABLE = ('name', 'description', 'vip')
PATH = '/clusters/<cluster>/roles'


def role_view(ref: Any, cluster: Any) -> dict[str, Any]:
    """The API representation of a role of ``cluster``."""
    return {'uuid': ref.uuid, 'name': ref.name, 'cluster_uuid': cluster.uuid,
            'description': ref.description, 'vip': ref.vip,
            'status': ref.status, 'progress': ref.progress,
            'messages': ref.messages,
            'created_at': utils.isotime(ref.created_at),
            'updated_at': utils.isotime(ref.updated_at)}


@blueprint.get(PATH)
@utils.documented('list', RESOURCE, 'List the roles of a cluster')
def list_roles(cluster: str) -> dict[str, Any]:
    cluster_ref = clusters.get_cluster(cluster)
    clusters.authorize(role_policy.ROLE_LIST, cluster_ref)
    return utils.list_page(
        RESOURCE, 'roles', db_api.get_instance().list_roles,
        lambda refs: [role_view(r, cluster_ref) for r in refs],
        filters={'cluster_id': cluster_ref.id})


@blueprint.get(PATH + '/<role>')
@utils.documented('get', RESOURCE, 'Show a role')
def get(cluster: str, role: str) -> dict[str, Any]:
    cluster_ref = clusters.get_cluster(cluster)
    clusters.authorize(role_policy.ROLE_GET, cluster_ref)
    ref = db_api.get_instance().get_role(api_app.get_context(),
                                         cluster_ref.id, role)
    return role_view(ref, cluster_ref)


@blueprint.post(PATH)
@utils.documented('create', RESOURCE, 'Create a role of a cluster')
def create(cluster: str) -> flask.Response:
    cluster_ref = clusters.get_cluster(cluster)
    clusters.authorize(role_policy.ROLE_CREATE, cluster_ref)
    body = utils.json_body()
    base.validate(RESOURCE.create, body, 'role', RESOURCE.read_only)
    values = {k: body[k] for k in WRITABLE if k in body}
    values['cluster_id'] = cluster_ref.id
    ref = db_api.get_instance().create_role(api_app.get_context(), values)
    return utils.created(role_view(ref, cluster_ref), utils.item_path(
        'clusters', cluster_ref.uuid, 'roles', ref.uuid))


@blueprint.patch(PATH + '/<role>')
@utils.documented('update', RESOURCE, 'Update a role (JSON merge patch)')
def update(cluster: str, role: str) -> dict[str, Any]:
    cluster_ref = clusters.get_cluster(cluster)
    clusters.authorize(role_policy.ROLE_UPDATE, cluster_ref)
    context = api_app.get_context()
    ref = db_api.get_instance().get_role(context, cluster_ref.id, role)
    patch = utils.json_body()
    base.validate(RESOURCE.update, patch, 'role', RESOURCE.read_only)
    current = {k: getattr(ref, k) for k in WRITABLE}
    values = utils.changed(current, base.merge_patch(current, patch))
    if values:
        ref = db_api.get_instance().update_role(context, ref.id, values)
    return role_view(ref, cluster_ref)


@blueprint.delete(PATH + '/<role>')
@utils.documented('delete', RESOURCE, 'Delete a role',
                  description='Refused (409) while a host has the role.')
def delete(cluster: str, role: str) -> flask.Response:
    cluster_ref = clusters.get_cluster(cluster)
    clusters.authorize(role_policy.ROLE_DELETE, cluster_ref)
    context = api_app.get_context()
    ref = db_api.get_instance().get_role(context, cluster_ref.id, role)
    db_api.get_instance().destroy_role(context, ref.id)
    return utils.no_content()
