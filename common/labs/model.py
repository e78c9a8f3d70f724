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


"""The neutral lab model that every file format is parsed into.

Both Daisy's ``deploy.yml``/``network.yml`` and TripleO's nodes JSON
become one :class:`Lab`: a cluster, its network planes, the role VIPs
and its hosts with their interfaces and BMC. Each object remembers
where it came from (:class:`Where`) so that a later check can still name
the file and line of what it refuses.
"""

import dataclasses
from typing import Any

from trellis.common import exception
from trellis.common.i18n import _

# Daisy's roles (opnfv/daisy deploy/config/schemas.py) plus the two the
# contract adds (Ceph storage, DPM compute).
ROLES = ('CONTROLLER_LB', 'CONTROLLER_HA', 'COMPUTER', 'STORAGE',
         'DPM_COMPUTE')
CONTROLLER_ROLES = ('CONTROLLER_LB', 'CONTROLLER_HA')
NETWORK_TYPES = ('PXE', 'IPMI', 'MANAGEMENT', 'PUBLICAPI', 'PRIVATEAPI',
                 'EXTERNAL', 'TENANT', 'STORAGE', 'HEARTBEAT')
BMC_DRIVERS = ('ipmi', 'redfish', 'libvirt', 'dpm', 'manual')

# What an exported file carries instead of a BMC password; importing it
# back keeps the stored password.
SECRET_PLACEHOLDER = '******'


@dataclasses.dataclass(frozen=True)
class Where:
    """A place in a lab file: file name, 1-based line (if known), path."""

    file: str
    line: int | None
    path: str


@dataclasses.dataclass(frozen=True)
class LabError:
    """One validation error, as the API reports it in ``details``."""

    file: str
    line: int | None
    path: str
    message: str

    @classmethod
    def at(cls, where: Where, message: str) -> 'LabError':
        return cls(where.file, where.line, where.path, message)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        line = ':%s' % self.line if self.line else ''
        return '%s%s (%s): %s' % (self.file, line, self.path or '/',
                                  self.message)


class LabInvalid(exception.Invalid):
    """The lab files are wrong; ``errors`` lists every problem found."""

    _msg_fmt = _('The lab files have %(count)d error(s); nothing was '
                 'imported. First: %(first)s')

    def __init__(self, errors: list[LabError]) -> None:
        self.errors = list(errors)
        super().__init__(count=len(self.errors),
                         first=str(self.errors[0]) if self.errors else '')

    @property
    def details(self) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self.errors]


class Errors:
    """Collects :class:`LabError` s so that all are reported together."""

    def __init__(self) -> None:
        self.items: list[LabError] = []

    def add(self, where: Where, message: str) -> None:
        self.items.append(LabError.at(where, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise LabInvalid(self.items)


@dataclasses.dataclass
class Bmc:
    """How to power and boot a host. ``password`` is a secret.

    ``password`` is ``None`` when the file gives none, and
    :data:`SECRET_PLACEHOLDER` when the file says "keep what is stored".
    """

    driver: str
    address: str | None = None
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    port: int | None = None


@dataclasses.dataclass
class Interface:
    """A NIC of a host, with the network planes mapped onto it."""

    name: str
    mac: str | None = None
    pxe: bool = False
    networks: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Host:
    name: str
    where: Where
    roles: list[str] = dataclasses.field(default_factory=list)
    interfaces: list[Interface] = dataclasses.field(default_factory=list)
    bmc: Bmc | None = None
    # Hardware facts (TripleO files); None: the file says nothing.
    cpus: int | None = None
    memory_mb: int | None = None
    disk_gb: int | None = None
    arch: str | None = None
    # Where each MAC and each role was written.
    mac_wheres: dict[str, Where] = dataclasses.field(default_factory=dict)
    role_wheres: list[Where] = dataclasses.field(default_factory=list)
    bmc_where: Where | None = None

    @property
    def macs(self) -> list[str]:
        return [i.mac for i in self.interfaces if i.mac]


@dataclasses.dataclass
class Network:
    """A network plane of the cluster."""

    name: str
    type: str
    where: Where
    cidr: str | None = None
    gateway: str | None = None
    vlan_id: int | None = None
    mtu: int | None = None
    ip_ranges: list[tuple[str, str]] = dataclasses.field(
        default_factory=list)
    range_wheres: list[Where] = dataclasses.field(default_factory=list)
    cidr_where: Where | None = None


@dataclasses.dataclass
class Lab:
    """Everything one set of lab files describes."""

    format: str
    cluster: str | None
    cluster_where: Where
    hosts: list[Host] = dataclasses.field(default_factory=list)
    hosts_where: Where | None = None
    # None: the format has no networks (TripleO); existing ones are kept.
    networks: list[Network] | None = None
    networks_where: Where | None = None
    # Daisy's internal (CONTROLLER role VIP) and public VIPs.
    internal_vip: str | None = None
    public_vip: str | None = None
    vip_wheres: dict[str, Where] = dataclasses.field(default_factory=dict)
    # Other deploy.yml settings kept for the export (TYPE, FLAVOR,
    # adapter, disks, ...); never secrets.
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)
    settings_where: Where | None = None
    warnings: list[str] = dataclasses.field(default_factory=list)
