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


"""The database API: what the services may ask of the system of record.

``get_instance()`` returns the backend chosen by ``[database] backend``
(only ``sqlalchemy`` exists), loaded lazily on first use. Every method
takes the request context first: the SQLAlchemy backend keeps the session
of the current transaction on it (oslo.db enginefacade), so calls made
inside an outer ``writer.using(context)`` block join that transaction.

Objects returned are detached model instances (``trellis.common.db.
sqlalchemy.models``); hosts come with their interfaces loaded. ``ident``
arguments accept the integer id or the UUID (and, for clusters and hosts,
the name).
"""

import abc
from typing import Any

from oslo_db import api as db_api

from trellis.common.conf import CONF

_BACKEND_MAPPING = {'sqlalchemy': 'trellis.common.db.sqlalchemy.api'}
IMPL = db_api.DBAPI.from_config(CONF, backend_mapping=_BACKEND_MAPPING,
                                lazy=True)

Filters = dict[str, Any] | None


def get_instance() -> 'Connection':
    """Return the database API backend (a :class:`Connection`)."""
    return IMPL


class Connection(metaclass=abc.ABCMeta):
    """Base class for database backends.

    List methods share one signature: ``filters`` is a dict of column
    name to value (a list or tuple means "any of", ``None`` means "is
    NULL"; an unknown key raises ``InvalidFilter``); ``limit`` caps the
    number of rows; ``marker`` is the UUID of the last row of the
    previous page (``MarkerNotFound`` if it does not exist); ``sort_key``
    (default ``id``) and ``sort_dir`` (``asc`` or ``desc``) order the
    rows, with ``id`` as the tie-breaker.
    """

    # Clusters

    @abc.abstractmethod
    def create_cluster(self, context, values: dict[str, Any]):
        """Create a cluster.

        :param values: column values; ``uuid`` is generated if missing.
        :returns: the new Cluster.
        :raises: ClusterAlreadyExists if the name is taken,
            UUIDAlreadyExists if the UUID is.
        """

    @abc.abstractmethod
    def get_cluster_by_id(self, context, cluster_id: int):
        """Return the cluster with this integer id.

        :raises: ClusterNotFound
        """

    @abc.abstractmethod
    def get_cluster_by_uuid(self, context, cluster_uuid: str):
        """Return the cluster with this UUID.

        :raises: ClusterNotFound
        """

    @abc.abstractmethod
    def get_cluster_by_name(self, context, name: str):
        """Return the cluster with this name.

        :raises: ClusterNotFound
        """

    @abc.abstractmethod
    def get_cluster(self, context, ident: str):
        """Return the cluster with this UUID or name (the API's ids).

        :raises: ClusterNotFound
        """

    @abc.abstractmethod
    def list_clusters(self, context, filters: Filters = None,
                      limit: int | None = None, marker: str | None = None,
                      sort_key: str | None = None,
                      sort_dir: str | None = None) -> list:
        """List clusters. Filters: ``name``, ``status``, ``target``."""

    @abc.abstractmethod
    def update_cluster(self, context, ident: int | str,
                       values: dict[str, Any]):
        """Update a cluster and return it.

        :raises: ClusterNotFound, ClusterAlreadyExists (renamed onto a
            taken name), Invalid if ``values`` touches ``id`` or ``uuid``.
        """

    @abc.abstractmethod
    def destroy_cluster(self, context, ident: int | str) -> None:
        """Delete a cluster with its networks, roles and deployments.

        Its hosts are kept and become unassigned (``cluster_id`` NULL,
        ``status`` back to ``init``). Refused while a deployment of the
        cluster is pending or running (checked in the same transaction).

        :raises: ClusterNotFound, ClusterDeploymentInProgress
        """

    # Hosts

    @abc.abstractmethod
    def create_host(self, context, values: dict[str, Any]):
        """Create a host, and its interfaces in the same transaction.

        :param values: column values, plus an optional ``interfaces`` list
            of interface value dicts (without ``host_id``).
        :returns: the new Host with its interfaces.
        :raises: HostNameAlreadyExists, BmcAddressAlreadyExists,
            DmiUuidAlreadyExists, MacAddressAlreadyExists (one of the
            MACs belongs to an enrolled host), InterfaceAlreadyExists,
            UUIDAlreadyExists, ClusterNotFound (bad ``cluster_id``).
        """

    @abc.abstractmethod
    def create_hosts(self, context, values_list: list[dict[str, Any]]
                     ) -> list:
        """Create many hosts (as :meth:`create_host`) in one flush.

        For bulk enrolment (lab import): one round of INSERTs instead of
        one per host.

        :returns: the new Hosts, in order.
        :raises: the errors of :meth:`create_host`; none is created then.
        """

    @abc.abstractmethod
    def get_host_by_id(self, context, host_id: int):
        """Return the host with this integer id.

        :raises: HostNotFound
        """

    @abc.abstractmethod
    def get_host_by_uuid(self, context, host_uuid: str):
        """Return the host with this UUID.

        :raises: HostNotFound
        """

    @abc.abstractmethod
    def get_host_by_name(self, context, name: str):
        """Return the host with this name.

        :raises: HostNotFound
        """

    @abc.abstractmethod
    def get_host(self, context, ident: str):
        """Return the host with this UUID or name (the API's ids).

        :raises: HostNotFound
        """

    @abc.abstractmethod
    def get_host_by_mac(self, context, mac: str):
        """Return the host that owns an interface with this MAC.

        The comparison ignores case. Discovery uses this to recognise a
        host that PXE-boots again.

        :raises: HostNotFound
        """

    @abc.abstractmethod
    def list_hosts(self, context, filters: Filters = None,
                   limit: int | None = None, marker: str | None = None,
                   sort_key: str | None = None,
                   sort_dir: str | None = None) -> list:
        """List hosts with their interfaces.

        Filters: ``cluster_id`` (``None``: hosts in no cluster),
        ``status``, ``os_status``, ``discover_state``, ``maintenance``,
        ``power_state``, ``name``, ``dmi_uuid``, ``bmc_driver``, ``arch``,
        ``role`` (hosts assigned a role of that name) and ``mac`` (the
        host that owns an interface with that MAC, any case).
        """

    @abc.abstractmethod
    def update_host(self, context, ident: int | str, values: dict[str, Any],
                    interfaces: list[dict[str, Any]] | None = None):
        """Update a host's columns and return it.

        :param interfaces: when not None, the host's new interfaces: the
            old ones are all replaced, in the same transaction (a MAC
            conflict leaves the host as it was).
        :raises: HostNotFound, the conflicts of :meth:`create_host`,
            Invalid if ``values`` touches ``id``, ``uuid`` or
            ``interfaces``.
        """

    @abc.abstractmethod
    def destroy_host(self, context, ident: int | str) -> None:
        """Delete a host with its interfaces and role assignments.

        :raises: HostNotFound
        """

    # Interfaces

    @abc.abstractmethod
    def create_interface(self, context, values: dict[str, Any]):
        """Add an interface to a host (``values['host_id']``).

        The MAC is stored in lower case.

        :raises: HostNotFound, MacAddressAlreadyExists,
            InterfaceAlreadyExists (name taken on that host),
            UUIDAlreadyExists.
        """

    @abc.abstractmethod
    def update_interface(self, context, ident: int | str,
                         values: dict[str, Any]):
        """Update an interface's columns (MAC stored in lower case).

        :raises: InterfaceNotFound, MacAddressAlreadyExists,
            InterfaceAlreadyExists, Invalid if ``values`` touches ``id``
            or ``uuid``.
        """

    @abc.abstractmethod
    def list_interfaces(self, context, filters: Filters = None,
                        limit: int | None = None, marker: str | None = None,
                        sort_key: str | None = None,
                        sort_dir: str | None = None) -> list:
        """List interfaces. Filters: ``host_id``, ``mac``, ``name``,
        ``type``, ``pxe``.
        """

    @abc.abstractmethod
    def destroy_interface(self, context, ident: int | str) -> None:
        """Delete an interface.

        :raises: InterfaceNotFound
        """

    # Networks

    @abc.abstractmethod
    def create_network(self, context, values: dict[str, Any]):
        """Create a network plane of a cluster (``values['cluster_id']``).

        :raises: ClusterNotFound, NetworkAlreadyExists, UUIDAlreadyExists.
        """

    @abc.abstractmethod
    def get_network(self, context, cluster_id: int, ident: str):
        """Return the network of a cluster with this UUID or name.

        :raises: NetworkNotFound
        """

    @abc.abstractmethod
    def update_network(self, context, ident: int | str,
                       values: dict[str, Any]):
        """Update a network and return it.

        :raises: NetworkNotFound, NetworkAlreadyExists, Invalid.
        """

    @abc.abstractmethod
    def list_networks(self, context, filters: Filters = None,
                      limit: int | None = None, marker: str | None = None,
                      sort_key: str | None = None,
                      sort_dir: str | None = None) -> list:
        """List networks. Filters: ``cluster_id``, ``name``,
        ``network_type``.
        """

    @abc.abstractmethod
    def destroy_network(self, context, ident: int | str) -> None:
        """Delete a network.

        :raises: NetworkNotFound
        """

    # Roles

    @abc.abstractmethod
    def create_role(self, context, values: dict[str, Any]):
        """Create a role of a cluster (``values['cluster_id']``).

        :raises: ClusterNotFound, RoleAlreadyExists, UUIDAlreadyExists.
        """

    @abc.abstractmethod
    def get_role(self, context, cluster_id: int, ident: str):
        """Return the role of a cluster with this UUID or name.

        :raises: RoleNotFound
        """

    @abc.abstractmethod
    def update_role(self, context, ident: int | str, values: dict[str, Any]):
        """Update a role and return it.

        :raises: RoleNotFound, RoleAlreadyExists, Invalid.
        """

    @abc.abstractmethod
    def list_roles(self, context, filters: Filters = None,
                   limit: int | None = None, marker: str | None = None,
                   sort_key: str | None = None,
                   sort_dir: str | None = None) -> list:
        """List roles. Filters: ``cluster_id``, ``name``, ``status``."""

    @abc.abstractmethod
    def destroy_role(self, context, ident: int | str) -> None:
        """Delete a role that no host has.

        :raises: RoleNotFound, RoleInUse (still assigned to a host).
        """

    # Host roles

    @abc.abstractmethod
    def create_host_role(self, context, values: dict[str, Any]):
        """Assign a role to a host (``host_id``, ``role_id``).

        A host whose ``status`` is ``init`` or ``in-cluster`` becomes
        ``with-role`` in the same transaction.

        :raises: HostNotFound, RoleNotFound, HostRoleAlreadyExists,
            UUIDAlreadyExists.
        """

    @abc.abstractmethod
    def create_host_roles(self, context, values_list: list[dict[str, Any]]
                          ) -> list:
        """Make many assignments (as :meth:`create_host_role`) at once.

        :returns: the new HostRoles, in order.
        :raises: the errors of :meth:`create_host_role`; none is made
            then.
        """

    @abc.abstractmethod
    def list_host_roles(self, context, filters: Filters = None,
                        limit: int | None = None, marker: str | None = None,
                        sort_key: str | None = None,
                        sort_dir: str | None = None) -> list:
        """List role assignments. Filters: ``host_id``, ``role_id``,
        ``role_status``.
        """

    @abc.abstractmethod
    def list_host_role_names(self, context, host_ids: list[int]
                             ) -> dict[int, list[tuple[str, Any]]]:
        """The roles of these hosts: host id -> [(role name, HostRole)].

        One query for a whole page of hosts; hosts without a role are
        left out. Each list is ordered by role name.
        """

    @abc.abstractmethod
    def update_host_role(self, context, ident: int | str,
                         values: dict[str, Any]):
        """Update an assignment (``role_status``, ``role_progress``,
        ``role_messages``) and return it.

        :raises: HostRoleNotFound, Invalid if ``values`` touches ``id``
            or ``uuid``.
        """

    @abc.abstractmethod
    def destroy_host_role(self, context, ident: int | str) -> None:
        """Remove a role from a host.

        A ``with-role`` host left with no role goes back to
        ``in-cluster``, in the same transaction.

        :raises: HostRoleNotFound
        """

    # Versions

    @abc.abstractmethod
    def create_version(self, context, values: dict[str, Any]):
        """Register a version (kolla release or OS image).

        :raises: VersionAlreadyExists (same name and type),
            UUIDAlreadyExists.
        """

    @abc.abstractmethod
    def get_version(self, context, ident: str):
        """Return the version with this UUID or name.

        :raises: VersionNotFound, VersionNameAmbiguous (a kolla and an
            os version share the name).
        """

    @abc.abstractmethod
    def update_version(self, context, ident: int | str,
                       values: dict[str, Any]):
        """Update a version and return it.

        :raises: VersionNotFound, VersionAlreadyExists, Invalid.
        """

    @abc.abstractmethod
    def list_versions(self, context, filters: Filters = None,
                      limit: int | None = None, marker: str | None = None,
                      sort_key: str | None = None,
                      sort_dir: str | None = None) -> list:
        """List versions. Filters: ``name``, ``type``, ``status``."""

    @abc.abstractmethod
    def destroy_version(self, context, ident: int | str) -> None:
        """Delete a version.

        :raises: VersionNotFound
        """

    # Deployments

    @abc.abstractmethod
    def create_deployment(self, context, values: dict[str, Any]):
        """Record a deployment of a cluster (``values['cluster_id']``).

        :raises: ClusterNotFound, UUIDAlreadyExists.
        """

    @abc.abstractmethod
    def get_deployment_by_uuid(self, context, deployment_uuid: str):
        """Return the deployment with this UUID.

        :raises: DeploymentNotFound
        """

    @abc.abstractmethod
    def list_deployments(self, context, filters: Filters = None,
                         limit: int | None = None,
                         marker: str | None = None,
                         sort_key: str | None = None,
                         sort_dir: str | None = None) -> list:
        """List deployments. Filters: ``cluster_id``, ``state``, ``kind``,
        ``owner``.
        """

    @abc.abstractmethod
    def update_deployment(self, context, ident: int | str,
                          values: dict[str, Any]):
        """Update a deployment (state, current_step, owner, ...).

        :raises: DeploymentNotFound, Invalid if ``values`` touches ``id``
            or ``uuid``.
        """

    @abc.abstractmethod
    def destroy_deployment(self, context, ident: int | str) -> None:
        """Delete a deployment record.

        :raises: DeploymentNotFound
        """
