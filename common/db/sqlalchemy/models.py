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

"""SQLAlchemy models: one class per table (DESIGN §5).

Field names follow Daisy's where Daisy had one. Every table has an
integer primary key for joins and a ``uuid`` that is the public id.
Constraints are named after oslo.db's convention (``uniq_<table>0<col>``)
so that oslo.db can tell which columns a duplicate entry was about on
every backend. JSON fields are stored as JSON-encoded text, which works
the same on SQLite and MariaDB. The initial migration creates exactly
these tables; a test checks that the two never drift apart.
"""

import datetime
from typing import Any

from oslo_db.sqlalchemy import models
from oslo_db.sqlalchemy import types as db_types
from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import orm
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

# MariaDB/MySQL only: full Unicode and a transactional engine.
TABLE_KWARGS = {'mysql_charset': 'utf8mb4', 'mysql_engine': 'InnoDB'}


def table_args(*items: Any) -> tuple:
    """``__table_args__`` made of constraints/indexes plus ``TABLE_KWARGS``."""
    return items + (dict(TABLE_KWARGS),)


class TrellisBase(models.TimestampMixin, models.ModelBase):
    """created_at/updated_at and oslo.db's dict-like model helpers."""

    # Columns that as_dict() leaves out unless asked: never returned by
    # the API, never logged.
    SECRET_COLUMNS: frozenset[str] = frozenset()

    def as_dict(self, secrets: bool = False) -> dict[str, Any]:
        """The column values as a plain dict (relationships left out).

        :param secrets: include the ``SECRET_COLUMNS`` too.
        """
        return {c.name: getattr(self, c.key)
                for c in self.__table__.columns  # type: ignore[attr-defined]
                if secrets or c.name not in self.SECRET_COLUMNS}


class JsonDict(db_types.JsonEncodedDict):
    """oslo.db's JSON dict column; an empty one skips the JSON parser.

    NULL is written as ``{}``, so most hardware columns read back as
    ``{}``: a page of 1000 hosts parses thousands of them.
    """

    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value == '{}':
            return {}
        return super().process_result_value(value, dialect)


class JsonList(db_types.JsonEncodedList):
    """oslo.db's JSON list column; an empty one skips the JSON parser."""

    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value == '[]':
            return []
        return super().process_result_value(value, dialect)


class Base(TrellisBase, orm.DeclarativeBase):
    """Declarative base of every Trellis table."""


class Cluster(Base):
    """An OpenStack cloud that Trellis deploys and operates."""

    __tablename__ = 'clusters'
    __table_args__ = table_args(
        UniqueConstraint('uuid', name='uniq_clusters0uuid'),
        UniqueConstraint('name', name='uniq_clusters0name'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), nullable=False,
                                        default='init')
    # OpenStack release / kolla version the cluster runs.
    target: Mapped[str | None] = mapped_column(String(255))
    # Overrides: kolla globals and per-service configuration.
    config: Mapped[dict | None] = mapped_column(JsonDict())


class Host(Base):
    """A physical (or lab) server, discovered or enrolled.

    ``bmc_password`` is a secret: the API never returns it and nothing
    logs it.
    """

    __tablename__ = 'hosts'
    SECRET_COLUMNS = frozenset({'bmc_password'})
    __table_args__ = table_args(
        UniqueConstraint('uuid', name='uniq_hosts0uuid'),
        UniqueConstraint('name', name='uniq_hosts0name'),
        UniqueConstraint('dmi_uuid', name='uniq_hosts0dmi_uuid'),
        UniqueConstraint('bmc_address', name='uniq_hosts0bmc_address'),
        Index('hosts_cluster_id_idx', 'cluster_id'),
        Index('hosts_status_idx', 'status'),
        Index('hosts_os_status_idx', 'os_status'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), nullable=False)
    # Discovered hosts may have no name yet; names are unique when set.
    name: Mapped[str | None] = mapped_column(String(255))
    dmi_uuid: Mapped[str | None] = mapped_column(String(36))
    cluster_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey('clusters.id', ondelete='SET NULL'))
    # init, with-role, in-cluster
    status: Mapped[str] = mapped_column(String(32), nullable=False,
                                        default='init')
    discover_state: Mapped[str | None] = mapped_column(String(32))
    # init, pre-install, installing, active, install-failed, updating,
    # update-failed
    os_status: Mapped[str] = mapped_column(String(32), nullable=False,
                                           default='init')
    os_progress: Mapped[int] = mapped_column(Integer, nullable=False,
                                             default=0)
    messages: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    maintenance: Mapped[bool] = mapped_column(Boolean, nullable=False,
                                              default=False)
    maintenance_reason: Mapped[str | None] = mapped_column(Text)
    power_state: Mapped[str | None] = mapped_column(String(32))
    # ipmi, redfish, libvirt, dpm, manual
    bmc_driver: Mapped[str | None] = mapped_column(String(32))
    bmc_address: Mapped[str | None] = mapped_column(String(255))
    # Added by migration a3c9e2f4b7d1; None means the driver's default.
    bmc_port: Mapped[int | None] = mapped_column(Integer)
    bmc_username: Mapped[str | None] = mapped_column(String(255))
    bmc_password: Mapped[str | None] = mapped_column(String(255))
    # Hardware inventory as reported by discovery.
    cpu: Mapped[dict | None] = mapped_column(JsonDict())
    memory: Mapped[dict | None] = mapped_column(JsonDict())
    disks: Mapped[list | None] = mapped_column(JsonList())
    system: Mapped[dict | None] = mapped_column(JsonDict())
    pci: Mapped[list | None] = mapped_column(JsonList())
    arch: Mapped[str | None] = mapped_column(String(32))
    # Rack / slot, free text.
    position: Mapped[str | None] = mapped_column(String(255))

    interfaces: Mapped[list['Interface']] = orm.relationship(
        back_populates='host', lazy='selectin', passive_deletes=True,
        cascade='all, delete-orphan', order_by='Interface.id')

    def __repr__(self) -> str:
        # Never print the BMC password (or any other column value).
        return '<Host %s %s>' % (self.uuid, self.name)


class Interface(Base):
    """A network interface of a host.

    Only physical (``ether``) interfaces carry a MAC; bonds and VLANs
    leave it empty, so a MAC identifies exactly one enrolled host.
    """

    __tablename__ = 'interfaces'
    __table_args__ = table_args(
        UniqueConstraint('uuid', name='uniq_interfaces0uuid'),
        UniqueConstraint('mac', name='uniq_interfaces0mac'),
        UniqueConstraint('host_id', 'name',
                         name='uniq_interfaces0host_id0name'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), nullable=False)
    host_id: Mapped[int] = mapped_column(
        Integer, ForeignKey('hosts.id', ondelete='CASCADE'), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    mac: Mapped[str | None] = mapped_column(String(32))
    # The host PXE-booted from this interface.
    pxe: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    ip: Mapped[str | None] = mapped_column(String(64))
    netmask: Mapped[str | None] = mapped_column(String(64))
    gateway: Mapped[str | None] = mapped_column(String(64))
    # ether, bond, vlan
    type: Mapped[str] = mapped_column(String(16), nullable=False,
                                      default='ether')
    slaves: Mapped[list | None] = mapped_column(JsonList())
    mode: Mapped[str | None] = mapped_column(String(32))
    vlan_id: Mapped[int | None] = mapped_column(Integer)
    # Link speed in Mb/s.
    speed: Mapped[int | None] = mapped_column(Integer)
    # Names of the network planes assigned to this interface.
    assigned_networks: Mapped[list | None] = mapped_column(
        JsonList())

    host: Mapped[Host] = orm.relationship(back_populates='interfaces')


class Network(Base):
    """A network plane of a cluster (PXE, MANAGEMENT, STORAGE, ...)."""

    __tablename__ = 'networks'
    __table_args__ = table_args(
        UniqueConstraint('uuid', name='uniq_networks0uuid'),
        UniqueConstraint('cluster_id', 'name',
                         name='uniq_networks0cluster_id0name'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), nullable=False)
    cluster_id: Mapped[int] = mapped_column(
        Integer, ForeignKey('clusters.id', ondelete='CASCADE'),
        nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    # PXE, IPMI, MANAGEMENT, PUBLICAPI, PRIVATEAPI, EXTERNAL, TENANT,
    # STORAGE, HEARTBEAT
    network_type: Mapped[str] = mapped_column(String(32), nullable=False)
    cidr: Mapped[str | None] = mapped_column(String(64))
    gateway: Mapped[str | None] = mapped_column(String(64))
    vlan_id: Mapped[int | None] = mapped_column(Integer)
    # [{"start": ..., "end": ...}, ...]
    ip_ranges: Mapped[list | None] = mapped_column(
        JsonList())
    mtu: Mapped[int | None] = mapped_column(Integer)


class Role(Base):
    """A role of a cluster (CONTROLLER_LB, CONTROLLER_HA, COMPUTER, ...)."""

    __tablename__ = 'roles'
    __table_args__ = table_args(
        UniqueConstraint('uuid', name='uniq_roles0uuid'),
        UniqueConstraint('cluster_id', 'name',
                         name='uniq_roles0cluster_id0name'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), nullable=False)
    cluster_id: Mapped[int] = mapped_column(
        Integer, ForeignKey('clusters.id', ondelete='CASCADE'),
        nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), nullable=False,
                                        default='init')
    progress: Mapped[int] = mapped_column(Integer, nullable=False,
                                          default=0)
    messages: Mapped[str | None] = mapped_column(Text)
    vip: Mapped[str | None] = mapped_column(String(64))


class HostRole(Base):
    """The assignment of a role to a host, with its deployment progress."""

    __tablename__ = 'host_roles'
    __table_args__ = table_args(
        UniqueConstraint('uuid', name='uniq_host_roles0uuid'),
        UniqueConstraint('host_id', 'role_id',
                         name='uniq_host_roles0host_id0role_id'),
        Index('host_roles_role_id_idx', 'role_id'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), nullable=False)
    host_id: Mapped[int] = mapped_column(
        Integer, ForeignKey('hosts.id', ondelete='CASCADE'), nullable=False)
    role_id: Mapped[int] = mapped_column(
        Integer, ForeignKey('roles.id', ondelete='CASCADE'), nullable=False)
    role_status: Mapped[str] = mapped_column(String(32), nullable=False,
                                             default='init')
    role_progress: Mapped[int] = mapped_column(Integer, nullable=False,
                                               default=0)
    role_messages: Mapped[str | None] = mapped_column(Text)


class Version(Base):
    """An installable set: a kolla release or an OS image."""

    __tablename__ = 'versions'
    __table_args__ = table_args(
        UniqueConstraint('uuid', name='uniq_versions0uuid'),
        UniqueConstraint('name', 'type', name='uniq_versions0name0type'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    # kolla, os
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    file: Mapped[str | None] = mapped_column(String(1024))
    checksum: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(BigInteger)
    # unused, in-use
    status: Mapped[str] = mapped_column(String(16), nullable=False,
                                        default='unused')


class Deployment(Base):
    """One run of work on a cluster (install, update, scale-out, ...)."""

    __tablename__ = 'deployments'
    __table_args__ = table_args(
        UniqueConstraint('uuid', name='uniq_deployments0uuid'),
        Index('deployments_cluster_id_idx', 'cluster_id'),
        Index('deployments_state_idx', 'state'),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), nullable=False)
    cluster_id: Mapped[int] = mapped_column(
        Integer, ForeignKey('clusters.id', ondelete='CASCADE'),
        nullable=False)
    # install, uninstall, update, scale-out, reinstall-os, recover
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    # Requested options: skip_os, pxe_only, version id, recovery level...
    options: Mapped[dict | None] = mapped_column(JsonDict())
    # pending, running, succeeded, failed, aborted
    state: Mapped[str] = mapped_column(String(32), nullable=False,
                                       default='pending')
    current_step: Mapped[str | None] = mapped_column(String(64))
    # Host name of the conductor that drives the deployment.
    owner: Mapped[str | None] = mapped_column(String(255))
    started_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(Text)
