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

Helpers live in ``query`` (sessions, lookups, lists) and ``conflicts``
(constraint violations as operator-facing Conflicts).

Secrets: bound parameters are hidden from database error messages
(``hide_parameters``), so a failed write of a host never puts its BMC
password into an exception text or a log line.
"""

from typing import Any

from oslo_db import api as oslo_db_api
from oslo_log import log
import sqlalchemy as sa

from trellis.common import exception
from trellis.common.db import api
from trellis.common.db.sqlalchemy import models
from trellis.common.db.sqlalchemy.conflicts import _translate_errors
from trellis.common.db.sqlalchemy.query import _check_columns
from trellis.common.db.sqlalchemy.query import _check_update
from trellis.common.db.sqlalchemy.query import _get
from trellis.common.db.sqlalchemy.query import _get_scoped
from trellis.common.db.sqlalchemy.query import _identity
from trellis.common.db.sqlalchemy.query import _list
from trellis.common.db.sqlalchemy.query import _new
from trellis.common.db.sqlalchemy.query import _not_found
from trellis.common.db.sqlalchemy.query import _session_for_read
from trellis.common.db.sqlalchemy.query import _session_for_write
from trellis.common.db.sqlalchemy.query import model_query

LOG = log.getLogger(__name__)

# Deployment states during which a cluster must not be deleted.
ACTIVE_DEPLOYMENT_STATES = ('pending', 'running')


def get_backend() -> 'Connection':
    """The backend entry point oslo.db's DBAPI loads."""
    return Connection()


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
