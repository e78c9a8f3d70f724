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

"""``/v1/clusters/{cluster}/networks``: the network planes of a cluster."""

from typing import Any

import flask

from trellis.common.db import api as db_api
from trellis.common.policies import network as network_policy
from trellis.services.api import app as api_app
from trellis.services.api.controllers import clusters
from trellis.services.api.controllers import utils
from trellis.services.api.schemas import base
from trellis.services.api.schemas import network as schema

blueprint = flask.Blueprint('networks', __name__)
RESOURCE = schema.RESOURCE
# API field -> column.
COLUMNS = {'name': 'name', 'type': 'network_type',
           'description': 'description', 'cidr': 'cidr',
           'gateway': 'gateway', 'vlan_id': 'vlan_id',
           'ip_ranges': 'ip_ranges', 'mtu': 'mtu'}
PATH = '/clusters/<cluster>/networks'


def network_view(ref: Any, cluster: Any) -> dict[str, Any]:
    """The API representation of a network of ``cluster``."""
    body = {field: getattr(ref, column) for field, column in COLUMNS.items()}
    # NULL reads back as [] (JSON column): show [] either way.
    body['ip_ranges'] = body['ip_ranges'] or []
    body.update(uuid=ref.uuid, cluster_uuid=cluster.uuid,
                created_at=utils.isotime(ref.created_at),
                updated_at=utils.isotime(ref.updated_at))
    return body


def _validate(schema_: dict[str, Any], body: Any) -> None:
    base.validate(schema_, body, 'network', RESOURCE.read_only)
    base.raise_if('network', schema.semantic_errors(body))


@blueprint.get(PATH)
@utils.documented('list', RESOURCE, 'List the networks of a cluster')
def list_networks(cluster: str) -> dict[str, Any]:
    cluster_ref = clusters.get_cluster(cluster)
    clusters.authorize(network_policy.NETWORK_LIST, cluster_ref)
    return utils.list_page(
        RESOURCE, 'networks', db_api.get_instance().list_networks,
        lambda refs: [network_view(r, cluster_ref) for r in refs],
        filters={'cluster_id': cluster_ref.id})


@blueprint.get(PATH + '/<network>')
@utils.documented('get', RESOURCE, 'Show a network')
def get(cluster: str, network: str) -> dict[str, Any]:
    cluster_ref = clusters.get_cluster(cluster)
    clusters.authorize(network_policy.NETWORK_GET, cluster_ref)
    ref = db_api.get_instance().get_network(api_app.get_context(),
                                            cluster_ref.id, network)
    return network_view(ref, cluster_ref)


@blueprint.post(PATH)
@utils.documented('create', RESOURCE, 'Create a network of a cluster')
def create(cluster: str) -> flask.Response:
    cluster_ref = clusters.get_cluster(cluster)
    clusters.authorize(network_policy.NETWORK_CREATE, cluster_ref)
    body = utils.json_body()
    _validate(RESOURCE.create, body)
    values = {COLUMNS[k]: v for k, v in body.items()}
    values['cluster_id'] = cluster_ref.id
    ref = db_api.get_instance().create_network(api_app.get_context(),
                                               values)
    return utils.created(network_view(ref, cluster_ref), utils.item_path(
        'clusters', cluster_ref.uuid, 'networks', ref.uuid))


@blueprint.patch(PATH + '/<network>')
@utils.documented('update', RESOURCE, 'Update a network (JSON merge patch)')
def update(cluster: str, network: str) -> dict[str, Any]:
    cluster_ref = clusters.get_cluster(cluster)
    clusters.authorize(network_policy.NETWORK_UPDATE, cluster_ref)
    context = api_app.get_context()
    ref = db_api.get_instance().get_network(context, cluster_ref.id,
                                            network)
    patch = utils.json_body()
    current = {f: getattr(ref, c) for f, c in COLUMNS.items()}
    base.validate(RESOURCE.update, patch, 'network', RESOURCE.read_only)
    merged = base.merge_patch(current, patch)
    _validate(RESOURCE.create, merged)
    values = {COLUMNS[f]: v for f, v in utils.changed(current, merged).items()}
    if values:
        ref = db_api.get_instance().update_network(context, ref.id, values)
    return network_view(ref, cluster_ref)


@blueprint.delete(PATH + '/<network>')
@utils.documented('delete', RESOURCE, 'Delete a network')
def delete(cluster: str, network: str) -> flask.Response:
    cluster_ref = clusters.get_cluster(cluster)
    clusters.authorize(network_policy.NETWORK_DELETE, cluster_ref)
    context = api_app.get_context()
    ref = db_api.get_instance().get_network(context, cluster_ref.id,
                                            network)
    db_api.get_instance().destroy_network(context, ref.id)
    return utils.no_content()
