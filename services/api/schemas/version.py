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

"""Schemas of a version (``/v1/versions``): a kolla release or an OS
image."""

from trellis.services.api.schemas import base

TYPES = ('kolla', 'os')
STATUSES = ('unused', 'in-use')

CREATE = base.obj({
    'name': base.NAME,
    'type': {'type': 'string', 'enum': list(TYPES)},
    'description': base.TEXT,
    'file': {'type': ['string', 'null'], 'maxLength': 1024},
    'checksum': base.SHORT_TEXT,
    'size': {'type': ['integer', 'null'], 'minimum': 0,
             'maximum': 2 ** 63 - 1},
}, required=('name', 'type'))

RESPONSE = base.obj(dict(
    CREATE['properties'],
    uuid=base.READ_ONLY_UUID,
    status={'type': 'string', 'enum': list(STATUSES), 'readOnly': True},
    created_at=base.TIMESTAMP,
    updated_at=base.TIMESTAMP,
), required=('uuid', 'name', 'type', 'status'))

RESOURCE = base.Resource(
    name='version', plural='versions', create=CREATE,
    update=base.update_schema(CREATE), response=RESPONSE,
    sort_keys={k: k for k in ('name', 'type', 'status', 'size',
                              'created_at', 'updated_at', 'uuid')},
    filters={'type': 'type', 'status': 'status'},
    read_only=frozenset({'uuid', 'status', 'created_at', 'updated_at'}))
