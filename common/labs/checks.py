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


"""Field checks shared by the parsers, and the checks of a whole lab.

The controller-count rule (:func:`check_lab`) is Daisy's: the Daisy4nfv
Fraser release notes (guide §3.1.3) give 1 controller minimum and 3
maximum and 1 compute blade minimum, and the guide's labs are the
all-in-one (1 controller, zte-virtual2) and the five-node lab with
3 controllers (§1.5.3). Two controllers are refused as well: a
two-member Galera/keepalived group has no quorum (DESIGN §8 wants an
odd cluster size). So a Daisy lab has exactly 1 or 3 controller hosts
(CONTROLLER_LB/CONTROLLER_HA) and at least one COMPUTER host. The
notes' maximum of 20 compute blades is what OPNFV's CI pods had, not a
rule of Daisy's code, so larger labs are accepted.

Required planes: MANAGEMENT, PUBLICAPI and EXTERNAL. Kolla, which Daisy
drives, has no default for the interfaces of these three
(``network_interface``, ``kolla_external_vip_interface``,
``neutron_external_interface``; anchors §1.7), while STORAGE, TENANT and
HEARTBEAT fall back to the management interface.
"""

import ipaddress
import re
from typing import Any

from trellis.common.i18n import _
from trellis.common.labs import model

MAC_RE = re.compile(r'^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$')
REQUIRED_PLANES = ('MANAGEMENT', 'PUBLICAPI', 'EXTERNAL')
CONTROLLER_COUNTS = (1, 3)


def mac(value: Any, where: model.Where, errors: model.Errors
        ) -> str | None:
    """A MAC in lower case, or None after recording an error."""
    if not isinstance(value, str) or not MAC_RE.match(value):
        errors.add(where, _('malformed MAC address %r; expected six '
                            'hexadecimal pairs separated by colons, like '
                            '52:54:00:12:34:56') % (value,))
        return None
    return value.lower()


def name(value: Any, where: model.Where, errors: model.Errors,
         what: str) -> str | None:
    """A name: a non-empty string of at most 255 characters."""
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        errors.add(where, _('expected a %s (a non-empty string of at most '
                            '255 characters)') % what)
        return None
    return value


def unique_name(seen: dict[str, model.Where], name: str,
                item_where: model.Where, name_where: model.Where,
                errors: model.Errors, what: str) -> bool:
    """Record ``name`` in ``seen``; False, with an error, if seen before.

    The error names the line of the first one: ``duplicate host name h1
    (first on line 12)``.
    """
    if name in seen:
        errors.add(name_where, _(
            'duplicate %(what)s %(name)s (first on line %(line)s)')
            % {'what': what, 'name': name, 'line': seen[name].line})
        return False
    seen[name] = item_where
    return True


def ip(value: Any, where: model.Where, errors: model.Errors,
       what: str = 'IP address') -> str | None:
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        errors.add(where, _('invalid %(what)s %(value)r; expected an IPv4 '
                            'or IPv6 address') % {'what': what,
                                                   'value': value})
        return None


def cidr(value: Any, where: model.Where, errors: model.Errors
         ) -> str | None:
    try:
        return str(ipaddress.ip_network(str(value), strict=True))
    except ValueError as exc:
        errors.add(where, _('invalid cidr %(value)r (%(exc)s); expected a '
                            'network address with a prefix length, like '
                            '10.20.11.0/24') % {'value': value, 'exc': exc})
        return None


def integer(value: Any, where: model.Where, errors: model.Errors,
            what: str, low: int, high: int | None = None) -> int | None:
    if isinstance(value, bool) or value is None:
        number = None
    else:
        try:
            number = int(str(value).strip())
        except ValueError:
            number = None
    if number is None or number < low or (high is not None
                                          and number > high):
        bounds = ('%d-%d' % (low, high) if high is not None
                  else '>= %d' % low)
        errors.add(where, _('invalid %(what)s %(value)r; expected an '
                            'integer %(bounds)s') % {
            'what': what, 'value': value, 'bounds': bounds})
        return None
    return number


def known_keys(data: dict, allowed: tuple[str, ...], doc, path: tuple,
               errors: model.Errors) -> None:
    """Unknown keys are errors: a misspelt key must not pass silently."""
    for key in data:
        if key not in allowed:
            errors.add(doc.where(*path, key),
                       _('unknown key %(key)r; expected one of: %(keys)s')
                       % {'key': key, 'keys': ', '.join(allowed)})


def _addr(value: str) -> ipaddress._BaseAddress:
    return ipaddress.ip_address(value)


def check_macs(lab: model.Lab, errors: model.Errors) -> None:
    """A MAC may appear once in the whole lab."""
    seen: dict[str, tuple[str, model.Where]] = {}
    for host in lab.hosts:
        for value, where in host.mac_wheres.items():
            if value in seen:
                owner, first = seen[value]
                errors.add(where, _(
                    'duplicate MAC address %(mac)s: already given to host '
                    '%(host)s (%(file)s line %(line)s); expected each MAC '
                    'once') % {'mac': value, 'host': owner,
                               'file': first.file, 'line': first.line})
            else:
                seen[value] = (host.name, where)


def check_networks(lab: model.Lab, errors: model.Errors) -> None:
    """Ranges inside their cidr and not overlapping; required planes."""
    if lab.networks is None:
        return
    for net in lab.networks:
        if not net.cidr:
            continue
        subnet = ipaddress.ip_network(net.cidr)
        if net.gateway and _addr(net.gateway) not in subnet:
            errors.add(net.cidr_where or net.where, _(
                'gateway %(gw)s of network %(net)s is outside its cidr '
                '%(cidr)s') % {'gw': net.gateway, 'net': net.name,
                               'cidr': net.cidr})
        spans = []
        for (start, end), where in zip(net.ip_ranges, net.range_wheres,
                                       strict=True):
            first, last = _addr(start), _addr(end)
            if first not in subnet or last not in subnet:
                errors.add(where, _(
                    'ip range %(start)s-%(end)s of network %(net)s is '
                    'outside its cidr %(cidr)s; expected both ends inside '
                    'it') % {'start': start, 'end': end, 'net': net.name,
                             'cidr': net.cidr})
                continue
            for other_first, other_last, other_where in spans:
                if first <= other_last and other_first <= last:
                    errors.add(where, _(
                        'ip range %(start)s-%(end)s of network %(net)s '
                        'overlaps the range %(ostart)s-%(oend)s (line '
                        '%(line)s); expected disjoint ranges') % {
                        'start': start, 'end': end, 'net': net.name,
                        'ostart': other_first, 'oend': other_last,
                        'line': other_where.line})
            spans.append((first, last, where))
    present = {net.type for net in lab.networks}
    if not lab.networks:
        return  # "expected a non-empty list of networks" says it
    for plane in REQUIRED_PLANES:
        if plane not in present:
            errors.add(lab.networks_where or lab.cluster_where, _(
                'missing required network plane %(plane)s; expected the '
                'planes %(planes)s (kolla has no default interface for '
                'them)') % {'plane': plane,
                            'planes': ', '.join(REQUIRED_PLANES)})


def check_vips(lab: model.Lab, errors: model.Errors) -> None:
    """A VIP sits in its plane's cidr and in no (DHCP/IP) range."""
    if lab.networks is None:
        return
    for key, plane in (('internal_vip', 'MANAGEMENT'),
                       ('public_vip', 'PUBLICAPI')):
        value = getattr(lab, key)
        if not value:
            continue
        where = lab.vip_wheres[key]
        vip = _addr(value)
        home = [n for n in lab.networks if n.type == plane and n.cidr]
        if home and not any(vip in ipaddress.ip_network(n.cidr)
                            for n in home):
            errors.add(where, _(
                '%(key)s %(vip)s is outside the %(plane)s cidr %(cidr)s')
                % {'key': key, 'vip': value, 'plane': plane,
                   'cidr': home[0].cidr})
        for net in lab.networks:
            for start, end in net.ip_ranges:
                if _addr(start).version == vip.version \
                        and _addr(start) <= vip <= _addr(end):
                    errors.add(where, _(
                        '%(key)s %(vip)s is inside the ip range '
                        '%(start)s-%(end)s of network %(net)s, which hands '
                        'addresses out to hosts; expected an address '
                        'outside every range') % {
                        'key': key, 'vip': value, 'start': start,
                        'end': end, 'net': net.name})


def check_roles(lab: model.Lab, errors: model.Errors) -> None:
    """Daisy's controller and compute counts (see the module doc)."""
    if lab.format != 'daisy':
        controllers = [h for h in lab.hosts
                       if set(h.roles) & set(model.CONTROLLER_ROLES)]
        if controllers and len(controllers) not in CONTROLLER_COUNTS:
            _controller_error(lab, controllers, errors)
        return
    controllers = [h for h in lab.hosts
                   if set(h.roles) & set(model.CONTROLLER_ROLES)]
    if len(controllers) not in CONTROLLER_COUNTS:
        _controller_error(lab, controllers, errors)
    computers = [h for h in lab.hosts if 'COMPUTER' in h.roles]
    if not computers:
        errors.add(lab.hosts_where or lab.cluster_where, _(
            '0 COMPUTER host(s); Daisy deploys at least one compute host '
            '(an all-in-one host has both CONTROLLER_LB and COMPUTER)'))


def _controller_error(lab: model.Lab, controllers: list[model.Host],
                      errors: model.Errors) -> None:
    names = ', '.join('%s (line %s)' % (h.name, h.where.line)
                      for h in controllers) or _('none')
    errors.add(lab.hosts_where or lab.cluster_where, _(
        '%(count)d controller host(s) (%(names)s); Daisy deploys exactly 1 '
        '(all-in-one) or 3 (HA) hosts with CONTROLLER_LB or CONTROLLER_HA: '
        'its release notes allow 1 to 3 controllers and two have no '
        'quorum') % {'count': len(controllers), 'names': names})


def check_lab(lab: model.Lab, errors: model.Errors,
              counts: bool = True) -> None:
    """Every check of a parsed lab that needs no database.

    :param counts: check the controller and compute counts too.
    """
    check_macs(lab, errors)
    check_networks(lab, errors)
    check_vips(lab, errors)
    if counts:
        check_roles(lab, errors)
