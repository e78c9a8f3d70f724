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

"""Schemas of a role (``/v1/clusters/{cluster}/roles``)."""

from trellis.services.api.schemas import base

NAMES = ('CONTROLLER_LB', 'CONTROLLER_HA', 'COMPUTER', 'STORAGE',
         'DPM_COMPUTE')

CREATE = base.obj({
    'name': {'type': 'string', 'enum': list(NAMES)},
    'description': base.TEXT,
    'vip': dict(base.IP, description='Virtual IP of the role '
                                     '(controllers).'),
}, required=('name',))

RESPONSE = base.obj(dict(
    CREATE['properties'],
    uuid=base.READ_ONLY_UUID,
    cluster_uuid=base.READ_ONLY_UUID,
    status={'type': 'string', 'readOnly': True},
    progress={'type': 'integer', 'readOnly': True},
    messages={'type': ['string', 'null'], 'readOnly': True},
    created_at=base.TIMESTAMP,
    updated_at=base.TIMESTAMP,
), required=('uuid', 'name', 'cluster_uuid', 'status', 'progress'))

RESOURCE = base.Resource(
    name='role', plural='roles', create=CREATE,
    update=base.update_schema(CREATE), response=RESPONSE,
    sort_keys={k: k for k in ('name', 'status', 'progress', 'created_at',
                              'updated_at', 'uuid')},
    filters={'status': 'status'},
    read_only=frozenset({'uuid', 'cluster_uuid', 'status', 'progress',
                         'messages', 'created_at', 'updated_at'}))
