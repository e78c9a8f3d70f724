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

"""``/v1/clusters``: the clouds Trellis deploys and operates."""

from typing import Any

import flask

from trellis.common import policy
from trellis.common.db import api as db_api
from trellis.common.policies import cluster as cluster_policy
from trellis.services.api import app as api_app
from trellis.services.api.controllers import utils
from trellis.services.api.schemas import base
from trellis.services.api.schemas import cluster as schema

blueprint = flask.Blueprint('clusters', __name__)
RESOURCE = schema.RESOURCE
WRITABLE = ('name', 'description', 'target', 'config')


def cluster_view(ref: Any) -> dict[str, Any]:
    """The API representation of a cluster."""
    return {'uuid': ref.uuid, 'name': ref.name,
            'description': ref.description, 'status': ref.status,
            'target': ref.target, 'config': ref.config or {},
            'created_at': utils.isotime(ref.created_at),
            'updated_at': utils.isotime(ref.updated_at)}


def get_cluster(ident: str) -> Any:
    """The cluster named by a path segment (UUID or name); 404 if none."""
    return db_api.get_instance().get_cluster(api_app.get_context(), ident)


def authorize(rule: str, ref: Any = None) -> None:
    """Check ``rule`` for the cluster ``ref`` (or for clusters at large).

    Networks and roles, which belong to a cluster, are checked the same
    way.
    """
    target = {'cluster_uuid': ref.uuid} if ref is not None else {}
    policy.authorize(rule, target, api_app.get_context())


@blueprint.get('/clusters')
@utils.documented('list', RESOURCE, 'List clusters')
def list_clusters() -> dict[str, Any]:
    authorize(cluster_policy.CLUSTER_LIST)
    return utils.list_page(RESOURCE, 'clusters',
                           db_api.get_instance().list_clusters,
                           lambda refs: [cluster_view(r) for r in refs])


@blueprint.get('/clusters/<cluster>')
@utils.documented('get', RESOURCE, 'Show a cluster')
def get(cluster: str) -> dict[str, Any]:
    authorize(cluster_policy.CLUSTER_GET)
    return cluster_view(get_cluster(cluster))


@blueprint.post('/clusters')
@utils.documented('create', RESOURCE, 'Create a cluster')
def create() -> flask.Response:
    authorize(cluster_policy.CLUSTER_CREATE)
    body = utils.json_body()
    base.validate(RESOURCE.create, body, 'cluster', RESOURCE.read_only)
    ref = db_api.get_instance().create_cluster(
        api_app.get_context(), {k: body[k] for k in WRITABLE if k in body})
    return utils.created(cluster_view(ref), utils.item_path('clusters',
                                                            ref.uuid))


@blueprint.patch('/clusters/<cluster>')
@utils.documented('update', RESOURCE, 'Update a cluster (JSON merge patch)')
def update(cluster: str) -> dict[str, Any]:
    ref = get_cluster(cluster)
    authorize(cluster_policy.CLUSTER_UPDATE, ref)
    patch = utils.json_body()
    base.validate(RESOURCE.update, patch, 'cluster', RESOURCE.read_only)
    current = {k: getattr(ref, k) for k in WRITABLE}
    values = utils.changed(current, base.merge_patch(current, patch))
    if values:
        ref = db_api.get_instance().update_cluster(
            api_app.get_context(), ref.id, values)
    return cluster_view(ref)


@blueprint.delete('/clusters/<cluster>')
@utils.documented('delete', RESOURCE, 'Delete a cluster',
                  description='Its networks and roles go with it; its '
                              'hosts stay, in no cluster. Refused (409) '
                              'while a deployment is pending or running.')
def delete(cluster: str) -> flask.Response:
    ref = get_cluster(cluster)
    authorize(cluster_policy.CLUSTER_DELETE, ref)
    db_api.get_instance().destroy_cluster(api_app.get_context(), ref.id)
    return utils.no_content()
