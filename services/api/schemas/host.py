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

"""Schemas of a host with its interfaces (``/v1/hosts``)."""

from typing import Any

from trellis.common.i18n import _
from trellis.services.api.schemas import base
from trellis.services.api.schemas import host_role

STATUSES = ('init', 'with-role', 'in-cluster')
OS_STATUSES = ('init', 'pre-install', 'installing', 'active',
               'install-failed', 'updating', 'update-failed')
BMC_DRIVERS = ('ipmi', 'redfish', 'libvirt', 'dpm', 'manual')
INTERFACE_TYPES = ('ether', 'bond', 'vlan')

INTERFACE = base.obj({
    'name': {'type': 'string', 'minLength': 1, 'maxLength': 255,
             'pattern': r'^[A-Za-z0-9_.:@\-]+$'},
    'mac': {'type': ['string', 'null'], 'format': 'mac',
            'description': 'Stored in lower case with ":".'},
    'pxe': {'type': 'boolean'},
    'ip': base.IP,
    'netmask': base.IP,
    'gateway': base.IP,
    'type': {'type': 'string', 'enum': list(INTERFACE_TYPES)},
    'slaves': {'type': ['array', 'null'], 'maxItems': 16,
               'items': {'type': 'string', 'minLength': 1,
                         'maxLength': 255}},
    'mode': {'type': ['string', 'null'], 'maxLength': 32},
    'vlan_id': {'type': ['integer', 'null'], 'minimum': 1,
                'maximum': 4094},
    'speed': {'type': ['integer', 'null'], 'minimum': 0,
              'maximum': 2 ** 31 - 1},
    'networks': {'type': ['array', 'null'], 'maxItems': 16,
                 'items': {'type': 'string', 'minLength': 1,
                           'maxLength': 255}},
}, required=('name',))

BMC = base.obj({
    'driver': {'type': 'string', 'enum': list(BMC_DRIVERS)},
    'address': {'type': ['string', 'null'], 'minLength': 1,
                'maxLength': 255},
    'port': {'type': ['integer', 'null'], 'minimum': 1,
             'maximum': 65535},
    'username': base.SHORT_TEXT,
    'password': dict(base.SHORT_TEXT, writeOnly=True,
                     description='Write-only: shown as "******" when set.'),
}, required=('driver',), nullable=True)

HARDWARE = base.obj({
    'cpu': {'type': ['object', 'null']},
    'memory': {'type': ['object', 'null']},
    'disks': {'type': ['array', 'null']},
    'system': {'type': ['object', 'null']},
    'pci': {'type': ['array', 'null']},
}, nullable=True)

CREATE = base.obj({
    'name': base.NAME,
    'dmi_uuid': {'type': ['string', 'null'], 'format': 'uuid'},
    'cluster_uuid': {'type': ['string', 'null'], 'minLength': 1,
                     'maxLength': 255,
                     'description': 'The cluster (UUID or name).'},
    'maintenance': {'type': 'boolean'},
    'maintenance_reason': base.TEXT,
    'arch': {'type': ['string', 'null'], 'maxLength': 32},
    'position': base.SHORT_TEXT,
    'bmc': BMC,
    'hardware': HARDWARE,
    'interfaces': {'type': 'array', 'items': INTERFACE, 'maxItems': 64},
}, required=('name',))

_RESPONSE_BMC = base.obj(dict(
    BMC['properties'],
    password={'type': ['string', 'null'], 'enum': [base.MASK, None],
              'description': '"******" when a password is set.'}),
    nullable=True)

RESPONSE = base.obj(dict(
    CREATE['properties'],
    # A discovered host may have no name until an operator gives one.
    name=dict(base.NAME, type=['string', 'null']),
    uuid=base.READ_ONLY_UUID,
    cluster_uuid=dict(base.READ_ONLY_UUID, type=['string', 'null']),
    status={'type': 'string', 'readOnly': True},
    discover_state={'type': ['string', 'null'], 'readOnly': True},
    os_status={'type': 'string', 'readOnly': True},
    os_progress={'type': 'integer', 'readOnly': True},
    messages={'type': ['string', 'null'], 'readOnly': True},
    last_error={'type': ['string', 'null'], 'readOnly': True},
    power_state={'type': ['string', 'null'], 'readOnly': True},
    bmc=_RESPONSE_BMC,
    roles={'type': 'array', 'items': host_role.RESPONSE, 'readOnly': True},
    created_at=base.TIMESTAMP,
    updated_at=base.TIMESTAMP,
), required=('uuid', 'name', 'status', 'os_status', 'os_progress',
             'interfaces', 'roles'))

RESOURCE = base.Resource(
    name='host', plural='hosts', create=CREATE,
    update=base.update_schema(CREATE), response=RESPONSE,
    sort_keys={k: k for k in ('name', 'status', 'os_status', 'os_progress',
                              'arch', 'position', 'created_at',
                              'updated_at', 'uuid')},
    filters={'cluster': 'cluster_id', 'role': 'role', 'status': 'status',
             'os_status': 'os_status', 'mac': 'mac'},
    read_only=frozenset({'uuid', 'status', 'discover_state', 'os_status',
                         'os_progress', 'messages', 'last_error',
                         'power_state', 'roles', 'created_at',
                         'updated_at'}))


def semantic_errors(body: dict[str, Any]) -> list[dict[str, str]]:
    """Duplicate interface names or MACs within one host."""
    errors = []
    seen_names: dict[str, int] = {}
    seen_macs: dict[str, int] = {}
    for i, item in enumerate(body.get('interfaces') or ()):
        name = item.get('name')
        if name in seen_names:
            errors.append({'field': '$.interfaces[%d].name' % i,
                           'message': _('%(name)s is also '
                                        '$.interfaces[%(other)d].') % {
                               'name': name, 'other': seen_names[name]}})
        seen_names.setdefault(name, i)
        mac = base.normalize_mac(item.get('mac'))
        if mac is not None and mac in seen_macs:
            errors.append({'field': '$.interfaces[%d].mac' % i,
                           'message': _('%(mac)s is also the MAC of '
                                        '$.interfaces[%(other)d].') % {
                               'mac': mac, 'other': seen_macs[mac]}})
        if mac is not None:
            seen_macs.setdefault(mac, i)
    return errors
