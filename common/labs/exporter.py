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


"""Export a cluster as lab files (Daisy or TripleO).

The cluster is read back into a :class:`~trellis.common.labs.model.Lab`
and rendered by the format's module, so that importing the export
changes nothing. BMC passwords are written only when the caller asks
(``include_secrets``); otherwise each stored password is replaced by
:data:`~trellis.common.labs.model.SECRET_PLACEHOLDER`, which an import
reads as "keep the stored password", and the result says so.
"""

from typing import Any

from oslo_utils import uuidutils

from trellis.common.db import api as db_api
from trellis.common.i18n import _
from trellis.common.labs import daisy
from trellis.common.labs import importer
from trellis.common.labs import model
from trellis.common.labs import tripleo


def _cluster(context, ident: str):
    dbapi = db_api.get_instance()
    if uuidutils.is_uuid_like(ident):
        return dbapi.get_cluster_by_uuid(context, ident)
    return dbapi.get_cluster_by_name(context, ident)


def read_lab(context, ident: str, include_secrets: bool = False
             ) -> model.Lab:
    """The Lab of a stored cluster (by name or UUID).

    :raises: ClusterNotFound
    """
    dbapi = db_api.get_instance()
    cluster = _cluster(context, ident)
    config = cluster.config or {}
    lab = model.Lab(format='daisy', cluster=cluster.name,
                    cluster_where=model.Where('', None, ''),
                    settings=dict(config.get('lab') or {}),
                    internal_vip=config.get('kolla_internal_vip_address'),
                    public_vip=config.get('kolla_external_vip_address'))
    lab.networks = []
    for net in dbapi.list_networks(context,
                                   filters={'cluster_id': cluster.id}):
        lab.networks.append(model.Network(
            name=net.name, type=net.network_type,
            where=lab.cluster_where, cidr=net.cidr, gateway=net.gateway,
            vlan_id=net.vlan_id, mtu=net.mtu,
            ip_ranges=[(r['start'], r['end'])
                       for r in net.ip_ranges or ()]))
    role_refs = dbapi.list_roles(context,
                                 filters={'cluster_id': cluster.id})
    roles = {r.id: r.name for r in role_refs}
    if not lab.internal_vip:
        # A cluster made through the API: its controller role's VIP.
        lab.internal_vip = next((r.vip for r in role_refs
                                 if r.name in model.CONTROLLER_ROLES
                                 and r.vip), None)
    refs = dbapi.list_hosts(context, filters={'cluster_id': cluster.id})
    assigned: dict[int, list[str]] = {}
    if refs:
        for hr in dbapi.list_host_roles(
                context, filters={'host_id': [h.id for h in refs]}):
            if hr.role_id in roles:
                assigned.setdefault(hr.host_id, []).append(
                    roles[hr.role_id])
    for ref in refs:
        lab.hosts.append(_host(ref, assigned.get(ref.id, []),
                               include_secrets))
    return lab


def _host(ref, roles: list[str], include_secrets: bool) -> model.Host:
    host = model.Host(name=ref.name or ref.uuid,
                      where=model.Where('', None, ''),
                      roles=sorted(roles, key=_role_order))
    ifaces = sorted((i for i in ref.interfaces if i.type == 'ether'),
                    key=lambda i: i.id)
    host.interfaces = [model.Interface(name=i.name, mac=i.mac, pxe=i.pxe,
                                       networks=list(i.assigned_networks
                                                     or ()))
                       for i in ifaces]
    if ref.bmc_driver or ref.bmc_address:
        password = ref.bmc_password
        if password and not include_secrets:
            password = model.SECRET_PLACEHOLDER
        host.bmc = model.Bmc(driver=ref.bmc_driver or 'ipmi',
                             address=ref.bmc_address,
                             username=ref.bmc_username, password=password,
                             port=ref.bmc_port)
    host.cpus = (ref.cpu or {}).get('count')
    host.memory_mb = (ref.memory or {}).get('total_mb')
    disks = ref.disks or []
    if len(disks) == 1 and isinstance(disks[0], dict):
        host.disk_gb = disks[0].get('size_gb')
    host.arch = ref.arch
    return host


def _role_order(name: str) -> int:
    return model.ROLES.index(name) if name in model.ROLES else 99


def export_lab(context, ident: str, fmt: str = 'daisy',
               include_secrets: bool = False) -> dict[str, Any]:
    """``{"files": [{"name", "content"}], "secrets_included", "warnings"}``.

    :raises: ClusterNotFound, LabInvalid for an unknown format.
    """
    if fmt not in importer.FORMATS:
        raise model.LabInvalid([model.LabError(
            '', None, 'format', _('unknown format %(fmt)r; expected one of: '
                                  '%(formats)s') % {
                'fmt': fmt, 'formats': ', '.join(importer.FORMATS)})])
    lab = read_lab(context, ident, include_secrets)
    warnings = []
    if include_secrets:
        note = _('BMC passwords are included: keep this file secret.')
    else:
        note = _('BMC passwords are not exported: each is written as '
                 '"%s", which an import reads as "keep the stored '
                 'password".') % model.SECRET_PLACEHOLDER
    if any(h.bmc and h.bmc.password for h in lab.hosts):
        warnings.append(note)
    if fmt == 'tripleo':
        files = tripleo.render(lab, note)
    else:
        files = daisy.render(lab, note)
    return {'cluster': lab.cluster, 'format': fmt, 'files': files,
            'secrets_included': bool(include_secrets),
            'warnings': warnings}
