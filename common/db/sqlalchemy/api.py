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


"""SQLAlchemy implementation of the database API.

Sessions come from oslo.db's enginefacade and live on the request
context: ``_session_for_read(context)`` / ``_session_for_write(context)``.

NOTE: every method that writes must be decorated with
``@oslo_db_api.retry_on_deadlock``: on Galera a write that loses the
certification race fails with a deadlock error and must simply be run
again (environment-notes §5). A unit test checks every writer.

Secrets: bound parameters are hidden from database error messages
(``hide_parameters``), so a failed write of a host never puts its BMC
password into an exception text or a log line.
"""

import contextlib
from typing import Any

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import utils as db_utils
from oslo_log import log
from oslo_utils import strutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from trellis.common import context as trellis_context
from trellis.common import exception
from trellis.common.db import api
from trellis.common.db.sqlalchemy import models
from trellis.common.i18n import _

LOG = log.getLogger(__name__)

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

# Deployment states during which a cluster must not be deleted.
ACTIVE_DEPLOYMENT_STATES = ('pending', 'running')


def get_backend() -> 'Connection':
    """The backend entry point oslo.db's DBAPI loads."""
    return Connection()


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


def _missing_reference(context, model, values: dict[str, Any]
                       ) -> exception.TrellisException:
    """The NotFound of the first referenced row that does not exist."""
    for column, target in _REFERENCES.items():
        ident = values.get(column)
        if column not in model.__table__.columns or ident is None:
            continue
        try:
            _get(context, target, target.id == ident, ident)
        except exception.NotFound as exc:
            return exc
    return exception.NotFound()


def _name_of(context, model, ident: Any) -> Any:
    """A readable name for a referenced row in a message (best effort)."""
    try:
        ref = _get(context, model, model.id == ident, ident)
    except exception.NotFound:
        return ident
    return getattr(ref, 'name', None) or ref.uuid


def _mac_owner(context, macs: list[str], exclude_host_id: int | None = None
               ) -> tuple[str, str] | None:
    """(MAC, host name or UUID) of the first of ``macs`` already used.

    ``exclude_host_id``: a host whose interfaces are being replaced; its
    own (old) MACs are no conflict.
    """
    with _session_for_read(context) as session:
        query = (sa.select(models.Interface.mac, models.Host.name,
                           models.Host.uuid)
                 .join(models.Host, models.Interface.host_id == models.Host.id)
                 .where(models.Interface.mac.in_(macs)))
        if exclude_host_id is not None:
            query = query.where(models.Host.id != exclude_host_id)
        row = session.execute(query).first()
    if row is None:
        return None
    return row.mac, row.name or row.uuid


def _host_with(context, column, value) -> str:
    with _session_for_read(context) as session:
        ref = session.scalars(model_query(models.Host,
                                          column == value)).first()
    if ref is None:
        return '?'
    return ref.name or ref.uuid


def _duplicates(items: list[str]) -> list[str]:
    return sorted({item for item in items if items.count(item) > 1})


def _conflict(context, model, values: dict[str, Any], columns: list[str],
              interfaces: list[dict[str, Any]] | None = None,
              host_id: int | None = None) -> exception.Conflict:
    """Turn a duplicate entry into the Conflict an operator understands."""
    cols = set(columns or ())
    resource = _resource(model)
    if interfaces is None and model is models.Interface:
        interfaces = [values]
    if cols == {'mac'}:
        macs = [i['mac'].lower() for i in interfaces or () if i.get('mac')]
        owner = _mac_owner(context, macs, host_id) if macs else None
        if owner is None:
            return exception.Conflict(
                _('The same MAC is given to two interfaces: %s.')
                % ', '.join(_duplicates(macs)))
        return exception.MacAddressAlreadyExists(mac=owner[0],
                                                 host=owner[1])
    if cols == {'host_id', 'name'}:
        host = values.get('name') if model is models.Host else _name_of(
            context, models.Host, values.get('host_id'))
        names = [str(i.get('name')) for i in interfaces or ()]
        return exception.InterfaceAlreadyExists(
            host=host, name=', '.join(_duplicates(names) or names))
    if cols == {'uuid'}:
        return exception.UUIDAlreadyExists(resource=resource,
                                           uuid=values.get('uuid'))
    if model is models.Cluster and cols == {'name'}:
        return exception.ClusterAlreadyExists(name=values.get('name'))
    if model is models.Host:
        if cols == {'name'}:
            return exception.HostNameAlreadyExists(name=values.get('name'))
        if cols == {'bmc_address'}:
            address = values.get('bmc_address')
            return exception.BmcAddressAlreadyExists(
                address=address,
                host=_host_with(context, models.Host.bmc_address, address))
        if cols == {'dmi_uuid'}:
            dmi = values.get('dmi_uuid')
            return exception.DmiUuidAlreadyExists(
                dmi_uuid=dmi,
                host=_host_with(context, models.Host.dmi_uuid, dmi))
    if model in (models.Network, models.Role) and cols == {'cluster_id',
                                                            'name'}:
        exc_class = (exception.NetworkAlreadyExists
                     if model is models.Network
                     else exception.RoleAlreadyExists)
        return exc_class(
            cluster=_name_of(context, models.Cluster,
                             values.get('cluster_id')),
            name=values.get('name'))
    if model is models.HostRole and cols == {'host_id', 'role_id'}:
        return exception.HostRoleAlreadyExists(
            host=_name_of(context, models.Host, values.get('host_id')),
            role=_name_of(context, models.Role, values.get('role_id')))
    if model is models.Version and cols == {'name', 'type'}:
        return exception.VersionAlreadyExists(name=values.get('name'),
                                              type=values.get('type'))
    return exception.DuplicateEntry(resource=resource,
                                    columns=', '.join(sorted(cols)))


@contextlib.contextmanager
def _translate_errors(context, model, values: dict[str, Any],
                      interfaces: list[dict[str, Any]] | None = None,
                      host_id: int | None = None):
    """Raise Trellis exceptions for constraint violations.

    Deadlocks pass through untouched for the retry decorator. The rows
    named in the messages are looked up in a transaction of their own:
    the caller's may be the one that just failed.
    """
    try:
        yield
    except db_exc.DBDuplicateEntry as exc:
        lookup = trellis_context.get_admin_context()
        raise _conflict(lookup, model, values, exc.columns,
                        interfaces, host_id) from exc
    except db_exc.DBReferenceError as exc:
        lookup = trellis_context.get_admin_context()
        raise _missing_reference(lookup, model, values) from exc
    except db_exc.DBDataError as exc:
        # E.g. MariaDB's "Data too long for column 'name'"; the driver's
        # message names the column, never the value.
        orig = getattr(exc.inner_exception, 'orig', None)
        raise exception.Invalid(
            _('Invalid value for a %s: %s')
            % (_resource(model), orig if orig is not None else exc)) from exc


def _create(context, model, values: dict[str, Any]):
    ref = _new(model, values)
    with _translate_errors(context, model, values):
        with _session_for_write(context) as session:
            session.add(ref)
            session.flush()
    return ref


def _update(context, model, ident: int | str, values: dict[str, Any]):
    _check_update(values)
    _check_columns(model, values)
    values = dict(values)
    if values.get('mac'):
        values['mac'] = values['mac'].lower()
    with _translate_errors(context, model, values):
        with _session_for_write(context) as session:
            query = model_query(model, _identity(model, ident))
            ref = session.scalars(query.with_for_update()).first()
            if ref is None:
                raise _not_found(model, ident)
            ref.update(values)
            session.flush()
    return ref


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


def _destroy(context, model, ident: int | str) -> None:
    with _session_for_write(context) as session:
        result = session.execute(
            sa.delete(model).where(_identity(model, ident)))
        if result.rowcount == 0:
            raise _not_found(model, ident)


class Connection(api.Connection):
    """SQLAlchemy connection."""

    # Clusters

    @oslo_db_api.retry_on_deadlock
    def create_cluster(self, context, values):
        return _create(context, models.Cluster, values)

    def get_cluster_by_id(self, context, cluster_id):
        return _get(context, models.Cluster,
                    models.Cluster.id == cluster_id, cluster_id)

    def get_cluster_by_uuid(self, context, cluster_uuid):
        return _get(context, models.Cluster,
                    models.Cluster.uuid == cluster_uuid, cluster_uuid)

    def get_cluster_by_name(self, context, name):
        return _get(context, models.Cluster, models.Cluster.name == name,
                    name)

    def get_cluster(self, context, ident):
        return _get_scoped(context, models.Cluster, None, ident)

    def list_clusters(self, context, filters=None, limit=None, marker=None,
                      sort_key=None, sort_dir=None):
        return _list(context, models.Cluster, filters, limit, marker,
                     sort_key, sort_dir)

    @oslo_db_api.retry_on_deadlock
    def update_cluster(self, context, ident, values):
        return _update(context, models.Cluster, ident, values)

    @oslo_db_api.retry_on_deadlock
    def destroy_cluster(self, context, ident):
        with _session_for_write(context) as session:
            cluster = session.scalars(model_query(
                models.Cluster, _identity(models.Cluster, ident))
                .with_for_update()).first()
            if cluster is None:
                raise _not_found(models.Cluster, ident)
            busy = session.scalars(model_query(
                models.Deployment,
                models.Deployment.cluster_id == cluster.id,
                models.Deployment.state.in_(ACTIVE_DEPLOYMENT_STATES))
                .limit(1)).first()
            if busy is not None:
                raise exception.ClusterDeploymentInProgress(
                    cluster=cluster.name, state=busy.state,
                    deployment=busy.uuid)
            # The hosts stay, out of any cluster: back to init.
            session.execute(
                sa.update(models.Host)
                .where(models.Host.cluster_id == cluster.id)
                .values(cluster_id=None, status='init'))
            session.delete(cluster)

    # Hosts

    @oslo_db_api.retry_on_deadlock
    def create_host(self, context, values):
        values = dict(values)
        interfaces = [dict(i) for i in values.pop('interfaces', None) or ()]
        host = _new(models.Host, values)
        host.interfaces = [_new(models.Interface, i) for i in interfaces]
        with _translate_errors(context, models.Host, values, interfaces):
            with _session_for_write(context) as session:
                session.add(host)
                session.flush()
        return host

    @oslo_db_api.retry_on_deadlock
    def create_hosts(self, context, values_list):
        hosts, every_interface = [], []
        for values in values_list:
            values = dict(values)
            interfaces = [dict(i)
                          for i in values.pop('interfaces', None) or ()]
            host = _new(models.Host, values)
            host.interfaces = [_new(models.Interface, i) for i in interfaces]
            hosts.append(host)
            every_interface.extend(interfaces)
        first = dict(values_list[0]) if values_list else {}
        first.pop('interfaces', None)
        with _translate_errors(context, models.Host, first, every_interface):
            with _session_for_write(context) as session:
                session.add_all(hosts)
                session.flush()
        return hosts

    def get_host_by_id(self, context, host_id):
        return _get(context, models.Host, models.Host.id == host_id,
                    host_id)

    def get_host_by_uuid(self, context, host_uuid):
        return _get(context, models.Host, models.Host.uuid == host_uuid,
                    host_uuid)

    def get_host_by_name(self, context, name):
        return _get(context, models.Host, models.Host.name == name, name)

    def get_host_by_mac(self, context, mac):
        host_ids = sa.select(models.Interface.host_id).where(
            models.Interface.mac == mac.lower())
        return _get(context, models.Host, models.Host.id.in_(host_ids), mac)

    def get_host(self, context, ident):
        return _get_scoped(context, models.Host, None, ident)

    def list_hosts(self, context, filters=None, limit=None, marker=None,
                   sort_key=None, sort_dir=None):
        return _list(context, models.Host, filters, limit, marker,
                     sort_key, sort_dir)

    @oslo_db_api.retry_on_deadlock
    def update_host(self, context, ident, values, interfaces=None):
        _check_update(values, forbidden=('id', 'uuid', 'interfaces'))
        _check_columns(models.Host, values)
        new = None
        if interfaces is not None:
            new = [dict(i) for i in interfaces]
            for item in new:
                _check_columns(models.Interface, item)
        with _session_for_write(context) as session:
            host = session.scalars(model_query(
                models.Host, _identity(models.Host, ident))
                .with_for_update()).first()
            if host is None:
                raise _not_found(models.Host, ident)
            with _translate_errors(context, models.Host, values, new,
                                   host_id=host.id):
                if ('cluster_id' in values
                        and values['cluster_id'] != host.cluster_id):
                    # Roles belong to the old cluster: they go.
                    session.execute(sa.delete(models.HostRole).where(
                        models.HostRole.host_id == host.id))
                    values = dict(values)
                    values.setdefault(
                        'status', 'init' if values['cluster_id'] is None
                        else 'in-cluster')
                host.update(values)
                if new is not None:
                    host.interfaces = []
                    session.flush()
                    host.interfaces = [_new(models.Interface, i)
                                       for i in new]
                session.flush()
        return host

    @oslo_db_api.retry_on_deadlock
    def destroy_host(self, context, ident):
        _destroy(context, models.Host, ident)

    # Interfaces

    @oslo_db_api.retry_on_deadlock
    def create_interface(self, context, values):
        return _create(context, models.Interface, values)

    def list_interfaces(self, context, filters=None, limit=None,
                        marker=None, sort_key=None, sort_dir=None):
        return _list(context, models.Interface, filters, limit, marker,
                     sort_key, sort_dir)

    @oslo_db_api.retry_on_deadlock
    def update_interface(self, context, ident, values):
        return _update(context, models.Interface, ident, values)

    @oslo_db_api.retry_on_deadlock
    def destroy_interface(self, context, ident):
        _destroy(context, models.Interface, ident)

    # Networks

    @oslo_db_api.retry_on_deadlock
    def create_network(self, context, values):
        return _create(context, models.Network, values)

    def get_network(self, context, cluster_id, ident):
        return _get_scoped(context, models.Network,
                           models.Network.cluster_id == cluster_id, ident)

    def list_networks(self, context, filters=None, limit=None, marker=None,
                      sort_key=None, sort_dir=None):
        return _list(context, models.Network, filters, limit, marker,
                     sort_key, sort_dir)

    @oslo_db_api.retry_on_deadlock
    def update_network(self, context, ident, values):
        return _update(context, models.Network, ident, values)

    @oslo_db_api.retry_on_deadlock
    def destroy_network(self, context, ident):
        _destroy(context, models.Network, ident)

    # Roles

    @oslo_db_api.retry_on_deadlock
    def create_role(self, context, values):
        return _create(context, models.Role, values)

    def get_role(self, context, cluster_id, ident):
        return _get_scoped(context, models.Role,
                           models.Role.cluster_id == cluster_id, ident)

    def list_roles(self, context, filters=None, limit=None, marker=None,
                   sort_key=None, sort_dir=None):
        return _list(context, models.Role, filters, limit, marker,
                     sort_key, sort_dir)

    @oslo_db_api.retry_on_deadlock
    def update_role(self, context, ident, values):
        return _update(context, models.Role, ident, values)

    @oslo_db_api.retry_on_deadlock
    def destroy_role(self, context, ident):
        with _session_for_write(context) as session:
            role = session.scalars(model_query(
                models.Role, _identity(models.Role, ident))
                .with_for_update()).first()
            if role is None:
                raise _not_found(models.Role, ident)
            hosts = list(session.execute(
                sa.select(models.Host.name, models.Host.uuid)
                .join(models.HostRole,
                      models.HostRole.host_id == models.Host.id)
                .where(models.HostRole.role_id == role.id)
                .order_by(models.Host.id)))
            if hosts:
                raise exception.RoleInUse(
                    role=role.name, count=len(hosts),
                    hosts=', '.join(h.name or h.uuid for h in hosts[:5])
                    + (', ...' if len(hosts) > 5 else ''))
            session.delete(role)

    # Host roles

    @oslo_db_api.retry_on_deadlock
    def create_host_role(self, context, values):
        ref = _new(models.HostRole, values)
        with _translate_errors(context, models.HostRole, values):
            with _session_for_write(context) as session:
                session.add(ref)
                session.flush()
                session.execute(
                    sa.update(models.Host)
                    .where(models.Host.id == ref.host_id,
                           models.Host.status.in_(('init', 'in-cluster')))
                    .values(status='with-role')
                    # 'fetch': by primary key; the default 'evaluate'
                    # scans every host in the session (O(n) per call,
                    # O(n^2) for a lab import of n hosts).
                    .execution_options(synchronize_session='fetch'))
        return ref

    @oslo_db_api.retry_on_deadlock
    def create_host_roles(self, context, values_list):
        refs = [_new(models.HostRole, values) for values in values_list]
        first = values_list[0] if values_list else {}
        with _translate_errors(context, models.HostRole, first):
            with _session_for_write(context) as session:
                if not refs:
                    return []
                session.add_all(refs)
                session.flush()
                session.execute(
                    sa.update(models.Host)
                    .where(models.Host.id.in_({r.host_id for r in refs}),
                           models.Host.status.in_(('init', 'in-cluster')))
                    .values(status='with-role')
                    .execution_options(synchronize_session='fetch'))
        return refs

    def list_host_roles(self, context, filters=None, limit=None,
                        marker=None, sort_key=None, sort_dir=None):
        return _list(context, models.HostRole, filters, limit, marker,
                     sort_key, sort_dir)

    def list_host_role_names(self, context, host_ids):
        result: dict[int, list] = {}
        if not host_ids:
            return result
        with _session_for_read(context) as session:
            rows = session.execute(
                sa.select(models.Role.name, models.HostRole)
                .join(models.Role,
                      models.HostRole.role_id == models.Role.id)
                .where(models.HostRole.host_id.in_(list(host_ids)))
                .order_by(models.HostRole.host_id, models.Role.name))
            for name, host_role in rows:
                result.setdefault(host_role.host_id, []).append(
                    (name, host_role))
        return result

    @oslo_db_api.retry_on_deadlock
    def update_host_role(self, context, ident, values):
        return _update(context, models.HostRole, ident, values)

    @oslo_db_api.retry_on_deadlock
    def destroy_host_role(self, context, ident):
        with _session_for_write(context) as session:
            ref = session.scalars(model_query(
                models.HostRole, _identity(models.HostRole, ident))
                .with_for_update()).first()
            if ref is None:
                raise _not_found(models.HostRole, ident)
            host_id = ref.host_id
            session.delete(ref)
            session.flush()
            left = session.scalars(model_query(
                models.HostRole, models.HostRole.host_id == host_id)
                .limit(1)).first()
            if left is None:
                session.execute(
                    sa.update(models.Host)
                    .where(models.Host.id == host_id,
                           models.Host.status == 'with-role')
                    .values(status='in-cluster')
                    .execution_options(synchronize_session='fetch'))

    # Versions

    @oslo_db_api.retry_on_deadlock
    def create_version(self, context, values):
        return _create(context, models.Version, values)

    def get_version(self, context, ident):
        return _get_scoped(context, models.Version, None, ident)

    def list_versions(self, context, filters=None, limit=None, marker=None,
                      sort_key=None, sort_dir=None):
        return _list(context, models.Version, filters, limit, marker,
                     sort_key, sort_dir)

    @oslo_db_api.retry_on_deadlock
    def update_version(self, context, ident, values):
        return _update(context, models.Version, ident, values)

    @oslo_db_api.retry_on_deadlock
    def destroy_version(self, context, ident):
        _destroy(context, models.Version, ident)

    # Deployments

    @oslo_db_api.retry_on_deadlock
    def create_deployment(self, context, values):
        return _create(context, models.Deployment, values)

    def get_deployment_by_uuid(self, context, deployment_uuid):
        return _get(context, models.Deployment,
                    models.Deployment.uuid == deployment_uuid,
                    deployment_uuid)

    def list_deployments(self, context, filters=None, limit=None,
                         marker=None, sort_key=None, sort_dir=None):
        return _list(context, models.Deployment, filters, limit, marker,
                     sort_key, sort_dir)

    @oslo_db_api.retry_on_deadlock
    def update_deployment(self, context, ident, values):
        return _update(context, models.Deployment, ident, values)

    @oslo_db_api.retry_on_deadlock
    def destroy_deployment(self, context, ident):
        _destroy(context, models.Deployment, ident)
