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


"""Daisy's ``deploy.yml`` and ``network.yml`` (Daisy guide §1.4-1.5,
opnfv/daisy ``deploy/config``), read into and written from a
:class:`~trellis.common.labs.model.Lab`.

deploy.yml: ``TYPE`` (virtual|baremetal), ``FLAVOR`` (cluster|all_in_one),
``adapter`` (ipmi|libvirt), ``hosts`` (name, roles, ipmi_ip, ipmi_user,
ipmi_pass, mac_addresses, template), Daisy's ``disks``, ``daisy_ip``,
``daisy_gateway``, ``ceph_disk_name``, ``modules`` (kept for the
export), and Trellis's ``cluster`` (the cluster name). ``daisy_passwd``
(the root password of Daisy's own VM) has no meaning here: it is
ignored, not stored.

network.yml: ``networks`` (name, cidr, gateway, ip_ranges as
``{start, end}`` or ``[start, end]``, vlan, mtu, network_type when the
name is not a plane), ``interfaces`` (plane -> NIC name, the same on
every host), ``internal_vip``, ``public_vip`` (an address or
``{ip: ...}``).

MACs and NICs: Daisy matches discovered hosts by MAC and assigns planes
by NIC name. Trellis binds the i-th MAC of a host to the i-th NIC named
in ``interfaces`` (in order of first mention); extra MACs get NICs
``nicN``. The export writes them back in that order, so a round trip is
exact.
"""

import json
from typing import Any

import yaml

from trellis.common.i18n import _
from trellis.common.labs import checks
from trellis.common.labs import model
from trellis.common.labs import source

DEPLOY = 'deploy.yml'
NETWORK = 'network.yml'

TYPES = ('virtual', 'baremetal')
FLAVORS = ('cluster', 'all_in_one')
ADAPTERS = ('ipmi', 'libvirt')
DEPLOY_KEYS = ('cluster', 'TYPE', 'FLAVOR', 'adapter', 'hosts', 'disks',
               'daisy_passwd', 'daisy_ip', 'daisy_gateway',
               'ceph_disk_name', 'modules')
# deploy.yml keys kept as they are in the cluster's lab settings.
KEPT_KEYS = ('disks', 'daisy_ip', 'daisy_gateway', 'ceph_disk_name',
             'modules')
HOST_KEYS = ('name', 'roles', 'template', 'ipmi_ip', 'ipmi_user',
             'ipmi_pass', 'mac_addresses')
NETWORK_FILE_KEYS = ('network-config-metadata', 'networks', 'interfaces',
                     'internal_vip', 'public_vip')
NETWORK_KEYS = ('name', 'network_type', 'cidr', 'gateway', 'ip_ranges',
                'vlan', 'vlan_id', 'mtu', 'description')
# Older Daisy files name planes in lower case or by these aliases.
PLANE_ALIASES = {'PUBLIC': 'PUBLICAPI', 'PRIVATE': 'PRIVATEAPI'}


def _mapping(doc: source.Document, errors: model.Errors,
             required: bool = True) -> dict:
    if isinstance(doc.data, dict):
        return doc.data
    if doc.data is not None or required:
        errors.add(doc.where(), _('expected a mapping of keys at the top '
                                  'of the file, got %s')
                   % type(doc.data).__name__)
    return {}


def parse(deploy: source.Document, network: source.Document | None,
          cluster: str | None, errors: model.Errors) -> model.Lab:
    """Both files into a Lab; problems go to ``errors``."""
    top = _mapping(deploy, errors)
    checks.known_keys(top, DEPLOY_KEYS, deploy, (), errors)
    name = cluster
    if not name and top.get('cluster') is not None:
        name = checks.name(top['cluster'], deploy.where('cluster'), errors,
                           'cluster name')
    lab = model.Lab(format='daisy', cluster=name,
                    cluster_where=deploy.where('cluster'))
    settings: dict[str, Any] = {}
    kind = _choice(top, 'TYPE', TYPES, deploy, errors)
    flavor = _choice(top, 'FLAVOR', FLAVORS, deploy, errors)
    adapter = _choice(top, 'adapter', ADAPTERS, deploy, errors)
    for key, value in (('TYPE', kind), ('FLAVOR', flavor),
                       ('adapter', adapter)):
        if value is not None:
            settings[key] = value
    for key in KEPT_KEYS:
        if key in top:
            # Stored as JSON: YAML dates or binaries become strings.
            settings[key] = json.loads(json.dumps(top[key], default=str))
    if 'daisy_passwd' in top:
        lab.warnings.append(_(
            '%s: daisy_passwd ignored (the password of Daisy\'s own VM; '
            'Trellis has none) and not stored') % deploy.name)
    lab.settings = settings
    if adapter is None:
        adapter = 'libvirt' if kind == 'virtual' else 'ipmi'
    net_top = _mapping(network, errors) if network is not None else {}
    planes = _parse_network_file(lab, network, net_top, errors) \
        if network is not None else []
    _parse_hosts(lab, deploy, top, adapter, kind, planes, errors)
    return lab


def _choice(top: dict, key: str, allowed: tuple[str, ...],
            doc: source.Document, errors: model.Errors) -> str | None:
    if key not in top:
        return None
    value = top[key]
    if value not in allowed:
        errors.add(doc.where(key), _('invalid %(key)s %(value)r; expected '
                                     'one of: %(allowed)s') % {
            'key': key, 'value': value, 'allowed': ', '.join(allowed)})
        return None
    return value


def _parse_hosts(lab: model.Lab, doc: source.Document, top: dict,
                 adapter: str, kind: str | None,
                 planes: list[tuple[str, str]], errors: model.Errors
                 ) -> None:
    lab.hosts_where = doc.where('hosts')
    hosts = top.get('hosts')
    if not isinstance(hosts, list) or not hosts:
        errors.add(lab.hosts_where, _('expected a non-empty list of hosts'))
        return
    nics: list[str] = []
    for _plane, nic in planes:
        if nic not in nics:
            nics.append(nic)
    names: dict[str, model.Where] = {}
    for index, item in enumerate(hosts):
        path = ('hosts', index)
        if not isinstance(item, dict):
            errors.add(doc.where(*path), _('expected a host mapping'))
            continue
        checks.known_keys(item, HOST_KEYS, doc, path, errors)
        name = checks.name(item.get('name'), doc.where(*path, 'name'),
                           errors, 'host name')
        if name is None:
            continue
        host = model.Host(name=name, where=doc.where(*path))
        if not checks.unique_name(names, name, host.where,
                                  doc.where(*path, 'name'), errors,
                                  'host name'):
            continue
        _parse_roles(host, doc, item, path, errors)
        macs = []
        raw_macs = item.get('mac_addresses') or []
        if not isinstance(raw_macs, list):
            errors.add(doc.where(*path, 'mac_addresses'),
                       _('expected a list of MAC addresses'))
            raw_macs = []
        for mindex in range(len(raw_macs)):
            mpath = path + ('mac_addresses', mindex)
            value = checks.mac(doc.text(*mpath), doc.where(*mpath), errors)
            if value is None:
                continue
            if value in host.mac_wheres:
                errors.add(doc.where(*mpath), _(
                    'duplicate MAC address %(mac)s: already given to host '
                    '%(host)s (%(file)s line %(line)s); expected each MAC '
                    'once') % {'mac': value, 'host': name, 'file': doc.name,
                               'line': host.mac_wheres[value].line})
                continue
            host.mac_wheres[value] = doc.where(*mpath)
            macs.append(value)
        host.interfaces = _interfaces(macs, nics, planes)
        _parse_bmc(host, doc, item, path, adapter, kind, errors)
        lab.hosts.append(host)


def _parse_roles(host: model.Host, doc: source.Document, item: dict,
                 path: tuple, errors: model.Errors) -> None:
    roles = item.get('roles')
    if not isinstance(roles, list) or not roles:
        errors.add(doc.where(*path, 'roles'), _(
            'expected a list of roles (one or more of %s)')
            % ', '.join(model.ROLES))
        return
    for rindex, role in enumerate(roles):
        where = doc.where(*path, 'roles', rindex)
        if role not in model.ROLES:
            errors.add(where, _('unknown role %(role)r; expected one of: '
                                '%(roles)s') % {
                'role': role, 'roles': ', '.join(model.ROLES)})
        elif role in host.roles:
            errors.add(where, _('role %s given twice') % role)
        else:
            host.roles.append(role)
            host.role_wheres.append(where)


def _parse_bmc(host: model.Host, doc: source.Document, item: dict,
               path: tuple, adapter: str, kind: str | None,
               errors: model.Errors) -> None:
    address = None
    if item.get('ipmi_ip') is not None:
        address = checks.ip(doc.text(*path, 'ipmi_ip'),
                            doc.where(*path, 'ipmi_ip'), errors,
                            what='ipmi_ip')
    elif kind == 'baremetal':
        errors.add(doc.where(*path), _(
            'bare-metal host %s has no ipmi_ip; expected the IPMI address '
            'Daisy powers it through (guide §1.3.5)') % host.name)
    if kind == 'baremetal' and not item.get('mac_addresses'):
        errors.add(doc.where(*path), _(
            'bare-metal host %s has no mac_addresses; expected the MACs '
            'that identify it when it PXE-boots (guide §1.4.1)')
            % host.name)
    user = doc.text(*path, 'ipmi_user') if 'ipmi_user' in item else None
    password = doc.text(*path, 'ipmi_pass') if 'ipmi_pass' in item \
        else None
    if address or user or password or adapter == 'libvirt':
        driver = 'ipmi' if address else adapter
        host.bmc = model.Bmc(driver=driver, address=address,
                             username=user, password=password)
        host.bmc_where = doc.where(*path, 'ipmi_ip')


def _interfaces(macs: list[str], nics: list[str],
                planes: list[tuple[str, str]]) -> list[model.Interface]:
    names = list(nics)
    counter = 0
    while len(names) < len(macs):
        candidate = 'nic%d' % counter
        counter += 1
        if candidate not in names:
            names.append(candidate)
    result = []
    for index, nic in enumerate(names):
        networks = [plane for plane, mapped in planes if mapped == nic]
        result.append(model.Interface(
            name=nic, mac=macs[index] if index < len(macs) else None,
            networks=networks))
    pxe_plane = next((p for p in ('PXE', 'MANAGEMENT')
                      if any(p in i.networks for i in result)), None)
    for iface in result:
        iface.pxe = pxe_plane is not None and pxe_plane in iface.networks
    if result and pxe_plane is None:
        result[0].pxe = True
    return result


def _plane(name: str, explicit: Any, where: model.Where,
           errors: model.Errors) -> str | None:
    if explicit is not None:
        value = str(explicit).upper()
    else:
        value = PLANE_ALIASES.get(name.upper(), name.upper())
    if value not in model.NETWORK_TYPES:
        errors.add(where, _(
            'unknown network plane %(value)r; expected one of %(types)s '
            '(as the name or as network_type)') % {
            'value': explicit if explicit is not None else name,
            'types': ', '.join(model.NETWORK_TYPES)})
        return None
    return value


def _parse_network_file(lab: model.Lab, doc: source.Document, top: dict,
                        errors: model.Errors) -> list[tuple[str, str]]:
    checks.known_keys(top, NETWORK_FILE_KEYS, doc, (), errors)
    meta = top.get('network-config-metadata')
    if isinstance(meta, dict) and meta.get('title'):
        lab.settings['network_title'] = str(meta['title'])
    lab.networks = []
    lab.networks_where = doc.where('networks')
    networks = top.get('networks')
    if not isinstance(networks, list) or not networks:
        errors.add(lab.networks_where,
                   _('expected a non-empty list of networks'))
        networks = []
    names: dict[str, model.Where] = {}
    for index, item in enumerate(networks):
        path = ('networks', index)
        if not isinstance(item, dict):
            errors.add(doc.where(*path), _('expected a network mapping'))
            continue
        checks.known_keys(item, NETWORK_KEYS, doc, path, errors)
        net = _parse_network(doc, item, path, errors)
        if net is None:
            continue
        if not checks.unique_name(names, net.name, net.where,
                                  doc.where(*path, 'name'), errors,
                                  'network'):
            continue
        lab.networks.append(net)
    for key in ('internal_vip', 'public_vip'):
        if top.get(key) is None:
            continue
        path: tuple = (key,)
        value = top[key]
        if isinstance(value, dict):
            path = (key, 'ip')
            value = value.get('ip')
        where = doc.where(*path)
        lab.vip_wheres[key] = where
        setattr(lab, key, checks.ip(value, where, errors, what=key))
    return _parse_mapping(doc, top, names, errors)


def _parse_network(doc: source.Document, item: dict, path: tuple,
                   errors: model.Errors) -> model.Network | None:
    name = item.get('name')
    if not isinstance(name, str) or not name:
        errors.add(doc.where(*path, 'name'),
                   _('expected a network name (a plane such as MANAGEMENT)'))
        return None
    plane = _plane(name, item.get('network_type'),
                   doc.where(*path, 'network_type' if 'network_type' in item
                             else 'name'), errors)
    if plane is None:
        return None
    if name.upper() == plane or PLANE_ALIASES.get(name.upper()) == plane:
        name = plane
    net = model.Network(name=name, type=plane, where=doc.where(*path),
                        cidr_where=doc.where(*path, 'cidr'))
    if item.get('cidr') is None:
        errors.add(doc.where(*path), _('network %s has no cidr') % name)
    else:
        net.cidr = checks.cidr(item['cidr'], net.cidr_where, errors)
    if item.get('gateway') is not None:
        net.gateway = checks.ip(item['gateway'],
                                doc.where(*path, 'gateway'), errors,
                                what='gateway')
    vlan_key = 'vlan_id' if 'vlan_id' in item else 'vlan'
    if item.get(vlan_key) is not None:
        net.vlan_id = checks.integer(item[vlan_key],
                                     doc.where(*path, vlan_key), errors,
                                     'vlan', 1, 4094)
    if item.get('mtu') is not None:
        net.mtu = checks.integer(item['mtu'], doc.where(*path, 'mtu'),
                                 errors, 'mtu', 576, 9216)
    ranges = item.get('ip_ranges') or []
    if not isinstance(ranges, list):
        errors.add(doc.where(*path, 'ip_ranges'),
                   _('expected a list of {start, end} ranges'))
        ranges = []
    for rindex, entry in enumerate(ranges):
        rpath = path + ('ip_ranges', rindex)
        where = doc.where(*rpath)
        if isinstance(entry, dict) and set(entry) == {'start', 'end'}:
            start, end = entry['start'], entry['end']
        elif isinstance(entry, list) and len(entry) == 2:
            start, end = entry
        else:
            errors.add(where, _('expected a range {start: IP, end: IP}'))
            continue
        first = checks.ip(start, where, errors, what='range start')
        last = checks.ip(end, where, errors, what='range end')
        if first is None or last is None:
            continue
        if checks._addr(first).version != checks._addr(last).version:
            errors.add(where, _('ip range %(start)s-%(end)s mixes IPv4 and '
                                'IPv6') % {'start': first, 'end': last})
            continue
        if checks._addr(first) > checks._addr(last):
            errors.add(where, _('ip range %(start)s-%(end)s ends before it '
                                'starts') % {'start': first, 'end': last})
            continue
        net.ip_ranges.append((first, last))
        net.range_wheres.append(where)
    return net


def _parse_mapping(doc: source.Document, top: dict,
                   names: dict[str, model.Where], errors: model.Errors
                   ) -> list[tuple[str, str]]:
    mapping = top.get('interfaces') or []
    if not isinstance(mapping, list):
        errors.add(doc.where('interfaces'),
                   _('expected a list of {name: PLANE, interface: NIC}'))
        return []
    planes: list[tuple[str, str]] = []
    for index, entry in enumerate(mapping):
        where = doc.where('interfaces', index)
        if not isinstance(entry, dict) or not entry.get('name') \
                or not entry.get('interface'):
            errors.add(where, _('expected {name: PLANE, interface: NIC}'))
            continue
        plane = str(entry['name'])
        plane = PLANE_ALIASES.get(plane.upper(), plane) \
            if plane.upper() not in names else plane.upper()
        if plane not in names:
            errors.add(doc.where('interfaces', index, 'name'), _(
                'interface mapping for %(plane)r, which is not a network '
                'of this file; expected one of: %(names)s') % {
                'plane': entry['name'], 'names': ', '.join(names)})
            continue
        if any(p == plane for p, _nic in planes):
            errors.add(where, _('plane %s mapped twice') % plane)
            continue
        planes.append((plane, str(entry['interface'])))
    return planes


# Export


def _dump(header: str, data: dict) -> str:
    body = yaml.safe_dump(data, default_flow_style=False, sort_keys=False)
    return header + body


def render(lab: model.Lab, secrets_note: str) -> list[dict[str, str]]:
    """The deploy.yml and network.yml of ``lab``."""
    deploy: dict[str, Any] = {'cluster': lab.cluster}
    for key in ('TYPE', 'FLAVOR', 'adapter'):
        if key in lab.settings:
            deploy[key] = lab.settings[key]
    hosts = []
    for host in lab.hosts:
        item: dict[str, Any] = {'name': host.name, 'roles': host.roles}
        if host.bmc and host.bmc.address:
            item['ipmi_ip'] = host.bmc.address
        if host.bmc and host.bmc.username is not None:
            item['ipmi_user'] = host.bmc.username
        if host.bmc and host.bmc.password is not None:
            item['ipmi_pass'] = host.bmc.password
        if host.macs:
            item['mac_addresses'] = host.macs
        hosts.append(item)
    deploy['hosts'] = hosts
    for key in KEPT_KEYS:
        if key in lab.settings:
            deploy[key] = lab.settings[key]
    header = ('# Daisy deploy.yml of cluster %s, exported by Trellis.\n'
              '# %s\n' % (lab.cluster, secrets_note))
    files = [{'name': DEPLOY, 'content': _dump(header, deploy)}]
    network: dict[str, Any] = {}
    if lab.settings.get('network_title'):
        network['network-config-metadata'] = {
            'title': lab.settings['network_title']}
    nets = []
    for net in lab.networks or []:
        item = {'name': net.name}
        if net.name != net.type:
            item['network_type'] = net.type
        item['cidr'] = net.cidr
        item['gateway'] = net.gateway
        if net.vlan_id is not None:
            item['vlan'] = net.vlan_id
        if net.mtu is not None:
            item['mtu'] = net.mtu
        item['ip_ranges'] = [{'start': s, 'end': e}
                             for s, e in net.ip_ranges]
        nets.append(item)
    network['networks'] = nets
    mapping = []
    seen = set()
    for host in lab.hosts:
        for iface in host.interfaces:
            for plane in iface.networks:
                if plane not in seen:
                    seen.add(plane)
                    mapping.append({'name': plane,
                                    'interface': iface.name})
    if mapping:
        network['interfaces'] = mapping
    if lab.internal_vip:
        network['internal_vip'] = lab.internal_vip
    if lab.public_vip:
        network['public_vip'] = lab.public_vip
    header = ('# Daisy network.yml of cluster %s, exported by Trellis.\n'
              % lab.cluster)
    files.append({'name': NETWORK, 'content': _dump(header, network)})
    return files
