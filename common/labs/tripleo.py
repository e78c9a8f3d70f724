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


"""TripleO/Bifrost nodes JSON (``instackenv.json``) into and out of a
:class:`~trellis.common.labs.model.Lab`.

``{"nodes": [{name, pm_type, pm_addr, pm_user, pm_password, pm_port,
mac: [...], cpu, memory (MiB), disk (GiB), arch, capabilities}]}``.
Roles come from Trellis's ``roles`` list when a node has one, else from
the TripleO ``profile:`` capability (control -> CONTROLLER_LB, compute ->
COMPUTER, ceph-storage -> STORAGE). The file has no networks: importing
it leaves the cluster's networks as they are. Trellis adds an optional
top-level ``cluster`` (the cluster name). Other TripleO keys (kernel_id,
root_device...) are ignored, with a warning.
"""

import json
from typing import Any

from trellis.common.i18n import _
from trellis.common.labs import checks
from trellis.common.labs import model
from trellis.common.labs import source

NODES = 'nodes.json'
PM_TYPES = {
    'ipmi': 'ipmi', 'pxe_ipmitool': 'ipmi', 'agent_ipmitool': 'ipmi',
    'redfish': 'redfish', 'libvirt': 'libvirt', 'staging-libvirt': 'libvirt',
    'dpm': 'dpm', 'manual': 'manual', 'manual-management': 'manual',
    'fake-hardware': 'manual',
}
PROFILES = {'control': 'CONTROLLER_LB', 'compute': 'COMPUTER',
            'ceph-storage': 'STORAGE'}
NODE_KEYS = ('name', 'pm_type', 'pm_addr', 'pm_user', 'pm_password',
             'pm_port', 'mac', 'cpu', 'memory', 'disk', 'arch',
             'capabilities', 'roles')


def parse(doc: source.Document, cluster: str | None,
          errors: model.Errors) -> model.Lab:
    top = doc.data if isinstance(doc.data, dict) else {}
    if not isinstance(doc.data, dict):
        errors.add(doc.where(), _('expected an object {"nodes": [...]}'))
    name = cluster
    if not name and top.get('cluster') is not None:
        name = checks.name(top['cluster'], doc.where('cluster'), errors,
                           'cluster name')
    lab = model.Lab(format='tripleo', cluster=name,
                    cluster_where=doc.where('cluster'),
                    hosts_where=doc.where('nodes'))
    nodes = top.get('nodes')
    if not isinstance(nodes, list):
        errors.add(lab.hosts_where, _('expected a list of nodes'))
        return lab
    names: dict[str, model.Where] = {}
    ignored: set[str] = set()
    for index, item in enumerate(nodes):
        path = ('nodes', index)
        if not isinstance(item, dict):
            errors.add(doc.where(*path), _('expected a node object'))
            continue
        ignored.update(k for k in item if k not in NODE_KEYS)
        host = _parse_node(doc, item, path, errors)
        if host is None:
            continue
        if not checks.unique_name(names, host.name, host.where,
                                  doc.where(*path, 'name'), errors,
                                  'node name'):
            continue
        lab.hosts.append(host)
    if ignored:
        lab.warnings.append(_('%(file)s: keys ignored: %(keys)s') % {
            'file': doc.name, 'keys': ', '.join(sorted(ignored))})
    return lab


def _parse_node(doc: source.Document, item: dict, path: tuple,
                errors: model.Errors) -> model.Host | None:
    name = checks.name(item.get('name'), doc.where(*path, 'name'), errors,
                       'node name')
    if name is None:
        return None
    host = model.Host(name=name, where=doc.where(*path))
    _parse_roles(host, doc, item, path, errors)
    macs = item.get('mac') or []
    if not isinstance(macs, list):
        errors.add(doc.where(*path, 'mac'), _('expected a list of MACs'))
        macs = []
    for mindex, raw in enumerate(macs):
        where = doc.where(*path, 'mac', mindex)
        value = checks.mac(raw, where, errors)
        if value is None:
            continue
        if value in host.mac_wheres:
            errors.add(where, _(
                'duplicate MAC address %(mac)s: already given to host '
                '%(host)s (%(file)s line %(line)s); expected each MAC '
                'once') % {'mac': value, 'host': name, 'file': doc.name,
                           'line': host.mac_wheres[value].line})
            continue
        host.mac_wheres[value] = where
        host.interfaces.append(model.Interface(
            name='nic%d' % len(host.interfaces), mac=value,
            pxe=not host.interfaces))
    pm_type = item.get('pm_type')
    if pm_type is not None or item.get('pm_addr') is not None:
        driver = PM_TYPES.get(pm_type or 'ipmi') \
            if isinstance(pm_type, str | None) else None
        if driver is None:
            errors.add(doc.where(*path, 'pm_type'), _(
                'unknown pm_type %(type)r; expected one of: %(types)s') % {
                'type': pm_type, 'types': ', '.join(PM_TYPES)})
        else:
            address = None
            if item.get('pm_addr') is not None:
                address = checks.ip(item['pm_addr'],
                                    doc.where(*path, 'pm_addr'), errors,
                                    what='pm_addr')
            port = None
            if item.get('pm_port') is not None:
                port = checks.integer(item['pm_port'],
                                      doc.where(*path, 'pm_port'), errors,
                                      'pm_port', 1, 65535)
            host.bmc = model.Bmc(
                driver=driver, address=address,
                username=_text(item.get('pm_user')),
                password=_text(item.get('pm_password')), port=port)
            host.bmc_where = doc.where(*path, 'pm_addr')
    if item.get('cpu') is not None:
        host.cpus = checks.integer(item['cpu'], doc.where(*path, 'cpu'),
                                   errors, 'cpu count', 1)
    if item.get('memory') is not None:
        host.memory_mb = checks.integer(item['memory'],
                                        doc.where(*path, 'memory'), errors,
                                        'memory (MiB)', 1)
    if item.get('disk') is not None:
        host.disk_gb = checks.integer(item['disk'],
                                      doc.where(*path, 'disk'), errors,
                                      'disk (GiB)', 1)
    if item.get('arch') is not None:
        host.arch = str(item['arch'])
    return host


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _parse_roles(host: model.Host, doc: source.Document, item: dict,
                 path: tuple, errors: model.Errors) -> None:
    if 'roles' in item:
        roles = item['roles']
        if not isinstance(roles, list):
            errors.add(doc.where(*path, 'roles'), _('expected a list'))
            return
        for rindex, role in enumerate(roles):
            where = doc.where(*path, 'roles', rindex)
            if role not in model.ROLES:
                errors.add(where, _('unknown role %(role)r; expected one '
                                    'of: %(roles)s') % {
                    'role': role, 'roles': ', '.join(model.ROLES)})
            elif role not in host.roles:
                host.roles.append(role)
                host.role_wheres.append(where)
        return
    caps = item.get('capabilities')
    if not isinstance(caps, str):
        return
    for cap in caps.split(','):
        key, _sep, value = cap.strip().partition(':')
        if key != 'profile':
            continue
        where = doc.where(*path, 'capabilities')
        role = PROFILES.get(value)
        if role is None:
            errors.add(where, _('unknown role profile %(profile)r; '
                                'expected one of: %(profiles)s') % {
                'profile': value, 'profiles': ', '.join(PROFILES)})
        else:
            host.roles.append(role)
            host.role_wheres.append(where)


def render(lab: model.Lab, secrets_note: str) -> list[dict[str, str]]:
    """The nodes JSON of ``lab`` (the note has no place in JSON: the
    caller reports it)."""
    nodes = []
    for host in lab.hosts:
        node: dict[str, Any] = {'name': host.name}
        if host.bmc:
            node['pm_type'] = host.bmc.driver
            if host.bmc.address:
                node['pm_addr'] = host.bmc.address
            if host.bmc.username is not None:
                node['pm_user'] = host.bmc.username
            if host.bmc.password is not None:
                node['pm_password'] = host.bmc.password
            if host.bmc.port is not None:
                node['pm_port'] = host.bmc.port
        node['mac'] = host.macs
        for key, value in (('cpu', host.cpus), ('memory', host.memory_mb),
                           ('disk', host.disk_gb), ('arch', host.arch)):
            if value is not None:
                node[key] = str(value)
        profile = next((p for p, r in PROFILES.items()
                        if host.roles and r == host.roles[0]), None)
        if profile:
            node['capabilities'] = 'profile:%s' % profile
        node['roles'] = host.roles
        nodes.append(node)
    content = json.dumps({'cluster': lab.cluster, 'nodes': nodes},
                         indent=2) + '\n'
    return [{'name': NODES, 'content': content}]
