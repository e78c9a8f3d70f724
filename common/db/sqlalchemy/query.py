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

"""Query helpers of the SQLAlchemy backend: sessions, lookups, lists.

Shared by ``api`` (the Connection) and ``conflicts`` (the messages of
constraint violations).
"""

from typing import Any

from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import utils as db_utils
from oslo_utils import strutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from trellis.common import exception
from trellis.common.db import api
from trellis.common.db.sqlalchemy import models
from trellis.common.i18n import _

# Filters that list_*() accepts, per model.
_FILTERS = {
    models.Cluster: ('name', 'status', 'target'),
    models.Host: ('cluster_id', 'status', 'os_status', 'discover_state',
                  'maintenance', 'power_state', 'name', 'dmi_uuid',
                  'bmc_driver', 'arch', 'role', 'mac'),
    models.Interface: ('host_id', 'mac', 'name', 'type', 'pxe'),
    models.Network: ('cluster_id', 'name', 'network_type'),
    models.Role: ('cluster_id', 'name', 'status'),
    models.HostRole: ('host_id', 'role_id', 'role_status'),
    models.Version: ('name', 'type', 'status'),
    models.Deployment: ('cluster_id', 'state', 'kind', 'owner'),
}

_NOT_FOUND = {
    models.Cluster: (exception.ClusterNotFound, 'cluster'),
    models.Host: (exception.HostNotFound, 'host'),
    models.Interface: (exception.InterfaceNotFound, 'interface'),
    models.Network: (exception.NetworkNotFound, 'network'),
    models.Role: (exception.RoleNotFound, 'role'),
    models.HostRole: (exception.HostRoleNotFound, 'host_role'),
    models.Version: (exception.VersionNotFound, 'version'),
    models.Deployment: (exception.DeploymentNotFound, 'deployment'),
}

# Foreign-key columns and the model they point to.
_REFERENCES = {
    'cluster_id': models.Cluster,
    'host_id': models.Host,
    'role_id': models.Role,
}

# Models that can also be looked up by their (globally unique) name.
_NAMED = (models.Cluster, models.Host)


def _hide_parameters() -> None:
    # oslo.db builds the engines; switch off parameter rendering in error
    # messages on each (idempotent and cheap).
    for manager in (enginefacade.writer, enginefacade.reader):
        engine = manager.get_engine()
        if not engine.hide_parameters:
            engine.hide_parameters = True


def _session_for_read(context):
    _hide_parameters()
    return enginefacade.reader.using(context)


def _session_for_write(context):
    _hide_parameters()
    return enginefacade.writer.using(context)


def model_query(model, *criteria) -> sa.Select:
    """A SELECT of ``model`` with optional WHERE criteria."""
    query = sa.select(model)
    if criteria:
        query = query.where(*criteria)
    return query


def _identity(model, ident: int | str):
    """The WHERE criterion that finds ``ident`` (id, UUID or name)."""
    if isinstance(ident, int) or strutils.is_int_like(ident):
        return model.id == int(ident)
    if uuidutils.is_uuid_like(ident):
        return model.uuid == ident
    if model in _NAMED:
        return model.name == ident
    raise exception.Invalid(
        _('Expected an id or a UUID, got %s.') % ident)


def _not_found(model, ident: Any) -> exception.NotFound:
    exc_class, key = _NOT_FOUND[model]
    return exc_class(**{key: ident})


def _get(context, model, criterion, ident: Any):
    with _session_for_read(context) as session:
        ref = session.scalars(model_query(model, criterion)).first()
    if ref is None:
        raise _not_found(model, ident)
    return ref


def _host_filter(key: str, value: Any):
    """The criterion of the hosts' ``role`` and ``mac`` filters."""
    values = (list(value) if isinstance(value, (list, tuple, set, frozenset))
              else [value])
    if key == 'mac':
        host_ids = sa.select(models.Interface.host_id).where(
            models.Interface.mac.in_([str(v).lower() for v in values]))
    else:
        host_ids = (sa.select(models.HostRole.host_id)
                    .join(models.Role,
                          models.HostRole.role_id == models.Role.id)
                    .where(models.Role.name.in_(values)))
    return models.Host.id.in_(host_ids)


def _add_filters(query: sa.Select, model, filters: api.Filters
                 ) -> sa.Select:
    for key, value in (filters or {}).items():
        if key not in _FILTERS[model]:
            raise exception.InvalidFilter(resource=model.__tablename__,
                                          key=key)
        if model is models.Host and key in ('role', 'mac'):
            query = query.where(_host_filter(key, value))
            continue
        column = getattr(model, key)
        if key == 'mac' and isinstance(value, str):
            value = value.lower()
        if value is None:
            query = query.where(column.is_(None))
        elif isinstance(value, (list, tuple, set, frozenset)):
            query = query.where(column.in_(list(value)))
        else:
            query = query.where(column == value)
    return query


def _list(context, model, filters: api.Filters = None,
          limit: int | None = None, marker: str | None = None,
          sort_key: str | None = None, sort_dir: str | None = None) -> list:
    sort_key = sort_key or 'id'
    sort_dir = sort_dir or 'asc'
    if sort_key not in model.__table__.columns:
        raise exception.InvalidSortKey(key=sort_key)
    if sort_dir not in ('asc', 'desc'):
        raise exception.Invalid(_('Sort direction must be asc or desc.'))
    sort_keys = [sort_key] if sort_key == 'id' else [sort_key, 'id']
    with _session_for_read(context) as session:
        marker_ref = None
        if marker is not None:
            marker_ref = session.scalars(
                model_query(model, model.uuid == marker)).first()
            if marker_ref is None:
                raise exception.MarkerNotFound(marker=marker)
        query = _add_filters(model_query(model), model, filters)
        query = db_utils.paginate_query(query, model, limit, sort_keys,
                                        marker=marker_ref,
                                        sort_dir=sort_dir)
        return list(session.scalars(query))


def _check_columns(model, values: dict[str, Any]) -> None:
    # oslo.db's update() would silently set a misspelt key as a plain
    # attribute; refuse it instead.
    unknown = sorted(set(values) - set(model.__table__.columns.keys()))
    if unknown:
        raise exception.Invalid(
            _('Unknown field(s) for a %(resource)s: %(fields)s.')
            % {'resource': _resource(model), 'fields': ', '.join(unknown)})


def _resource(model) -> str:
    """``host``, ``host role``: the model's name in messages."""
    return model.__tablename__.rstrip('s').replace('_', ' ')


def _new(model, values: dict[str, Any]):
    _check_columns(model, values)
    ref = model()
    values = dict(values)
    values.setdefault('uuid', uuidutils.generate_uuid())
    if values.get('mac'):
        values['mac'] = values['mac'].lower()
    ref.update(values)
    return ref


def _check_update(values: dict[str, Any], forbidden=('id', 'uuid')) -> None:
    touched = sorted(set(values) & set(forbidden))
    if touched:
        raise exception.Invalid(
            _('Cannot change %s of an existing object.') % ', '.join(touched))


def _get_scoped(context, model, scope, ident: str):
    """The row of ``model`` matching ``scope`` whose UUID or name is
    ``ident`` (a UUID first: a name may look like one)."""
    criteria = [scope] if scope is not None else []
    with _session_for_read(context) as session:
        if uuidutils.is_uuid_like(ident):
            ref = session.scalars(model_query(
                model, model.uuid == ident, *criteria)).first()
            if ref is not None:
                return ref
        refs = list(session.scalars(model_query(
            model, model.name == ident, *criteria).limit(2)))
    if not refs:
        raise _not_found(model, ident)
    if len(refs) > 1:
        raise exception.VersionNameAmbiguous(
            name=ident, types=', '.join(sorted(r.type for r in refs)))
    return refs[0]
