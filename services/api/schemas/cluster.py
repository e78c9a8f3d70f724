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

"""Schemas of a cluster (``/v1/clusters``)."""

from trellis.services.api.schemas import base

STATUSES = ('init', 'installing', 'active', 'install-failed', 'updating',
            'update-failed', 'uninstalling', 'uninstall-failed')

CREATE = base.obj({
    'name': base.NAME,
    'description': base.TEXT,
    'target': dict(base.SHORT_TEXT,
                   description='OpenStack release / kolla version.'),
    'config': {'type': ['object', 'null'],
               'description': 'Overrides: kolla globals and per-service '
                              'configuration.'},
}, required=('name',))

RESPONSE = base.obj({
    'uuid': base.READ_ONLY_UUID,
    'name': base.NAME,
    'description': base.TEXT,
    'status': {'type': 'string', 'readOnly': True},
    'target': base.SHORT_TEXT,
    'config': {'type': ['object', 'null']},
    'created_at': base.TIMESTAMP,
    'updated_at': base.TIMESTAMP,
}, required=('uuid', 'name', 'status'))

RESOURCE = base.Resource(
    name='cluster', plural='clusters', create=CREATE,
    update=base.update_schema(CREATE), response=RESPONSE,
    sort_keys={k: k for k in ('name', 'status', 'target', 'created_at',
                              'updated_at', 'uuid')},
    filters={'status': 'status', 'target': 'target'},
    read_only=frozenset({'uuid', 'status', 'created_at', 'updated_at'}))
