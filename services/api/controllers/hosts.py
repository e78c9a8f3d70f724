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

"""``/v1/hosts``: the servers Trellis knows, with their interfaces.

``bmc.password`` is write-only: stored, shown as ``******``, never
logged. Status fields (status, os_status, os_progress, ...) are set by
the services only. A host and its interfaces are written in one
transaction: a conflicting MAC on the third interface creates nothing.
"""

from typing import Any

import flask

from trellis.common import exception
from trellis.common import policy
from trellis.common.db import api as db_api
from trellis.common.i18n import _
from trellis.common.policies import host as host_policy
from trellis.services.api import app as api_app
from trellis.services.api.controllers import utils
from trellis.services.api.schemas import base
from trellis.services.api.schemas import host as schema

blueprint = flask.Blueprint('hosts', __name__)
RESOURCE = schema.RESOURCE
SIMPLE = ('name', 'dmi_uuid', 'maintenance', 'maintenance_reason', 'arch',
          'position')
BMC = ('driver', 'address', 'port', 'username', 'password')
HARDWARE = ('cpu', 'memory', 'disks', 'system', 'pci')
# Interface API field -> column.
INTERFACE = {'name': 'name', 'mac': 'mac', 'pxe': 'pxe', 'ip': 'ip',
             'netmask': 'netmask', 'gateway': 'gateway', 'type': 'type',
             'slaves': 'slaves', 'mode': 'mode', 'vlan_id': 'vlan_id',
             'speed': 'speed', 'networks': 'assigned_networks'}
BMC_RESULT = base.obj({'bmc': schema.BMC})
READ_ONLY = ('status', 'discover_state', 'os_status', 'os_progress',
             'messages', 'last_error', 'power_state')


def _attrs(ref: Any, columns: dict[str, str]) -> dict[str, Any]:
    """``{field: value of its column}`` for a model instance.

    Loaded columns are read from the instance dict: a page of 1000
    hosts reads ~60,000 attributes and the ORM descriptor would double
    the cost of the view. Anything not loaded goes through getattr.
    """
    loaded = ref.__dict__
    return {f: loaded[c] if c in loaded else getattr(ref, c)
            for f, c in columns.items()}


_BMC_COLUMNS = {k: 'bmc_' + k for k in BMC}
_HARDWARE_COLUMNS = {k: k for k in HARDWARE}
_VIEW_COLUMNS = {k: k for k in SIMPLE + READ_ONLY}


def _bmc(ref: Any, secret: bool) -> dict[str, Any] | None:
    values = _attrs(ref, _BMC_COLUMNS)
    if all(v is None for v in values.values()):
        return None
    if not secret:
        values['password'] = (base.MASK if values['password'] is not None
                              else None)
    return values


# JSON columns read back from the DB give {} / [] for NULL; the views
# show that form whether the row was just written or read.
HARDWARE_EMPTY = {'cpu': dict, 'memory': dict, 'disks': list,
                  'system': dict, 'pci': list}
INTERFACE_LISTS = ('slaves', 'networks')


def _hardware(ref: Any) -> dict[str, Any] | None:
    values = {k: v or HARDWARE_EMPTY[k]()
              for k, v in _attrs(ref, _HARDWARE_COLUMNS).items()}
    if not any(values.values()):
        return None
    return values


def _interface(iface: Any) -> dict[str, Any]:
    body = _attrs(iface, INTERFACE)
    for field in INTERFACE_LISTS:
        body[field] = body[field] or []
    return body


def _interfaces(ref: Any) -> list[dict[str, Any]]:
    return [_interface(i) for i in ref.interfaces]


def host_view(ref: Any, cluster_uuid: str | None,
              roles: list[tuple[str, Any]]) -> dict[str, Any]:
    """The API representation of a host (the BMC password masked)."""
    body = _attrs(ref, _VIEW_COLUMNS)
    body.update(
        uuid=ref.uuid, cluster_uuid=cluster_uuid,
        bmc=_bmc(ref, secret=False), hardware=_hardware(ref),
        interfaces=_interfaces(ref),
        roles=[{'name': name, 'role_status': hr.role_status,
                'role_progress': hr.role_progress,
                'role_messages': hr.role_messages} for name, hr in roles],
        created_at=utils.isotime(ref.created_at),
        updated_at=utils.isotime(ref.updated_at))
    return body


def views(refs: list) -> list[dict[str, Any]]:
    """The views of a page of hosts: two queries whatever its size."""
    context = api_app.get_context()
    dbapi = db_api.get_instance()
    cluster_ids = {r.cluster_id for r in refs if r.cluster_id is not None}
    uuids = {}
    if cluster_ids:
        uuids = {c.id: c.uuid for c in dbapi.list_clusters(context)}
    roles = dbapi.list_host_role_names(context, [r.id for r in refs])
    return [host_view(r, uuids.get(r.cluster_id), roles.get(r.id, []))
            for r in refs]


def get_host(ident: str) -> Any:
    """The host named by a path segment (UUID or name); 404 if none."""
    return db_api.get_instance().get_host(api_app.get_context(), ident)


def _authorize(rule: str, ref: Any = None) -> None:
    target = {'host_uuid': ref.uuid} if ref is not None else {}
    policy.authorize(rule, target, api_app.get_context())


def _writable(ref: Any, cluster_uuid: str | None) -> dict[str, Any]:
    """The writable fields of a host, secrets included (for patches)."""
    body = {k: getattr(ref, k) for k in SIMPLE}
    body.update(cluster_uuid=cluster_uuid, bmc=_bmc(ref, secret=True),
                hardware=_hardware(ref), interfaces=_interfaces(ref))
    return body


def _cluster_id(ident: str | None) -> int | None:
    if ident is None:
        return None
    try:
        return db_api.get_instance().get_cluster(api_app.get_context(),
                                                 ident).id
    except exception.ClusterNotFound as exc:
        raise base.ValidationFailed('host', [{
            'field': '$.cluster_uuid', 'message': exc.message}]) from exc


def _interface_values(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for item in items:
        values = {INTERFACE[k]: v for k, v in item.items()}
        values['mac'] = base.normalize_mac(values.get('mac'))
        values.setdefault('pxe', False)
        values.setdefault('type', 'ether')
        result.append(values)
    return result


def _columns(body: dict[str, Any]) -> dict[str, Any]:
    """The host columns a (merged) body sets, interfaces aside."""
    values = {k: body.get(k) for k in SIMPLE}
    if values['maintenance'] is None:
        values['maintenance'] = False
    bmc = body.get('bmc') or {}
    values.update({'bmc_' + k: bmc.get(k) for k in BMC})
    hardware = body.get('hardware') or {}
    values.update({k: hardware.get(k) for k in HARDWARE})
    return values


def _validate(schema_: dict[str, Any], body: Any) -> None:
    base.validate(schema_, body, 'host', RESOURCE.read_only)
    base.raise_if('host', schema.semantic_errors(body))


def _list_filters(filters: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for name, value in filters.items():
        if name == 'cluster':
            values = value if isinstance(value, list) else [value]
            ids = []
            for ident in values:
                try:
                    ids.append(db_api.get_instance().get_cluster(
                        api_app.get_context(), ident).id)
                except exception.ClusterNotFound as exc:
                    raise base.ValidationFailed('query', [{
                        'field': 'cluster', 'message': exc.message}]
                    ) from exc
            value = ids
        elif name == 'mac':
            values = value if isinstance(value, list) else [value]
            bad = [v for v in values if not base.is_mac(v)]
            if bad:
                raise base.ValidationFailed('query', [{
                    'field': 'mac', 'message': _(
                        '%s is not a MAC address.') % bad[0]}])
            value = [base.normalize_mac(v) for v in values]
        result[RESOURCE.filters[name]] = value
    return result


@blueprint.get('/hosts')
@utils.documented('list', RESOURCE, 'List hosts with their interfaces')
def list_hosts() -> dict[str, Any]:
    _authorize(host_policy.HOST_LIST)
    query = utils.list_query(RESOURCE)
    rows = db_api.get_instance().list_hosts(
        api_app.get_context(), filters=_list_filters(query.filters),
        limit=query.limit + 1, marker=query.marker,
        sort_key=query.sort_key, sort_dir=query.sort_dir)
    return utils.page('hosts', rows, query, views)


@blueprint.get('/hosts/<host>')
@utils.documented('get', RESOURCE, 'Show a host')
def get(host: str) -> dict[str, Any]:
    _authorize(host_policy.HOST_GET)
    return views([get_host(host)])[0]


@blueprint.post('/hosts')
@utils.documented('create', RESOURCE, 'Enroll a host with its interfaces')
def create() -> flask.Response:
    _authorize(host_policy.HOST_CREATE)
    body = utils.json_body()
    _validate(RESOURCE.create, body)
    values = _columns(body)
    values['cluster_id'] = _cluster_id(body.get('cluster_uuid'))
    if values['cluster_id'] is not None:
        values['status'] = 'in-cluster'
    values['interfaces'] = _interface_values(body.get('interfaces') or [])
    ref = db_api.get_instance().create_host(api_app.get_context(), values)
    return utils.created(views([ref])[0], utils.item_path('hosts', ref.uuid))


@blueprint.patch('/hosts/<host>')
@utils.documented('update', RESOURCE, 'Update a host (JSON merge patch)',
                  description='"interfaces", when given, replaces every '
                              'interface of the host.')
def update(host: str) -> dict[str, Any]:
    ref = get_host(host)
    _authorize(host_policy.HOST_UPDATE, ref)
    patch = utils.json_body()
    base.validate(RESOURCE.update, patch, 'host', RESOURCE.read_only)
    context = api_app.get_context()
    cluster_uuid = None
    if ref.cluster_id is not None:
        cluster_uuid = db_api.get_instance().get_cluster_by_id(
            context, ref.cluster_id).uuid
    current = _writable(ref, cluster_uuid)
    merged = base.merge_patch(current, patch)
    # A patch may give BMC fields to a host that has no BMC yet: the
    # result must still be a whole BMC, with its driver.
    base.validate(BMC_RESULT, {'bmc': merged.get('bmc')}, 'host')
    base.raise_if('host', schema.semantic_errors(merged))
    old, new = _columns(current), _columns(merged)
    values = {k: v for k, v in new.items() if v != old[k]}
    if 'cluster_uuid' in patch:
        cluster_id = _cluster_id(merged.get('cluster_uuid'))
        if cluster_id != ref.cluster_id:
            values['cluster_id'] = cluster_id
    interfaces = None
    if 'interfaces' in patch:
        interfaces = _interface_values(merged.get('interfaces') or [])
    if values or interfaces is not None:
        ref = db_api.get_instance().update_host(context, ref.id, values,
                                                interfaces=interfaces)
    return views([ref])[0]


@blueprint.delete('/hosts/<host>')
@utils.documented('delete', RESOURCE, 'Delete a host')
def delete(host: str) -> flask.Response:
    ref = get_host(host)
    _authorize(host_policy.HOST_DELETE, ref)
    db_api.get_instance().destroy_host(api_app.get_context(), ref.id)
    return utils.no_content()
