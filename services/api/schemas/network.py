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

"""Schemas of a network plane (``/v1/clusters/{cluster}/networks``)."""

import ipaddress
from typing import Any

from trellis.common.i18n import _
from trellis.services.api.schemas import base

TYPES = ('PXE', 'IPMI', 'MANAGEMENT', 'PUBLICAPI', 'PRIVATEAPI', 'EXTERNAL',
         'TENANT', 'STORAGE', 'HEARTBEAT')

IP_RANGE = base.obj({'start': dict(base.IP, type='string'),
                     'end': dict(base.IP, type='string')},
                    required=('start', 'end'))

CREATE = base.obj({
    'name': base.NAME,
    'type': {'type': 'string', 'enum': list(TYPES)},
    'description': base.TEXT,
    'cidr': {'type': ['string', 'null'], 'format': 'cidr', 'maxLength': 64},
    'gateway': base.IP,
    'vlan_id': {'type': ['integer', 'null'], 'minimum': 1,
                'maximum': 4094},
    'ip_ranges': {'type': ['array', 'null'], 'items': IP_RANGE,
                  'maxItems': 256},
    'mtu': {'type': ['integer', 'null'], 'minimum': 576, 'maximum': 9216},
}, required=('name', 'type'))

RESPONSE = base.obj(dict(
    CREATE['properties'],
    uuid=base.READ_ONLY_UUID,
    cluster_uuid=base.READ_ONLY_UUID,
    created_at=base.TIMESTAMP,
    updated_at=base.TIMESTAMP,
), required=('uuid', 'name', 'type', 'cluster_uuid'))

RESOURCE = base.Resource(
    name='network', plural='networks', create=CREATE,
    update=base.update_schema(CREATE), response=RESPONSE,
    sort_keys={'name': 'name', 'type': 'network_type', 'cidr': 'cidr',
               'vlan_id': 'vlan_id', 'created_at': 'created_at',
               'updated_at': 'updated_at', 'uuid': 'uuid'},
    filters={'type': 'network_type'},
    read_only=frozenset({'uuid', 'cluster_uuid', 'created_at',
                         'updated_at'}))


def _address(value: Any) -> Any:
    try:
        return ipaddress.ip_address(value)
    except (TypeError, ValueError):
        return None


def semantic_errors(body: dict[str, Any]) -> list[dict[str, str]]:
    """What a schema cannot say: addresses inside the cidr, ordered and
    non-overlapping ranges. Run on a body that passed the schema.
    """
    errors = []
    try:
        net = ipaddress.ip_network(body.get('cidr') or '', strict=True)
    except ValueError:
        net = None
    gateway = _address(body.get('gateway'))
    if net is not None and gateway is not None and gateway not in net:
        errors.append({'field': '$.gateway',
                       'message': _('%(ip)s is outside %(cidr)s.') % {
                           'ip': gateway, 'cidr': net}})
    spans = []
    for i, item in enumerate(body.get('ip_ranges') or ()):
        start, end = _address(item.get('start')), _address(item.get('end'))
        if start is None or end is None:
            continue
        field = '$.ip_ranges[%d]' % i
        if start.version != end.version or start > end:
            errors.append({'field': field, 'message': _(
                'start %(start)s must not be after end %(end)s.') % {
                    'start': start, 'end': end}})
            continue
        if net is not None and (start not in net or end not in net):
            errors.append({'field': field, 'message': _(
                '%(start)s-%(end)s is outside %(cidr)s.') % {
                    'start': start, 'end': end, 'cidr': net}})
        for j, (other_start, other_end) in spans:
            if (other_start.version == start.version
                    and start <= other_end and other_start <= end):
                errors.append({'field': field, 'message': _(
                    'overlaps $.ip_ranges[%d].') % j})
        spans.append((i, (start, end)))
    return errors
