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

"""Constraint violations turned into the Conflicts an operator reads.

A duplicate MAC, name, BMC address... becomes the Trellis exception that
names the row already holding it.
"""

import contextlib
from typing import Any

from oslo_db import exception as db_exc
import sqlalchemy as sa

from trellis.common import context as trellis_context
from trellis.common import exception
from trellis.common.db.sqlalchemy import models
from trellis.common.db.sqlalchemy.query import _get
from trellis.common.db.sqlalchemy.query import _REFERENCES
from trellis.common.db.sqlalchemy.query import _resource
from trellis.common.db.sqlalchemy.query import _session_for_read
from trellis.common.db.sqlalchemy.query import model_query
from trellis.common.i18n import _


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
