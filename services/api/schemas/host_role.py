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

"""Schemas of a host-role assignment (``/v1/hosts/{host}/roles``)."""

from trellis.services.api.schemas import base

# PUT /v1/hosts/{host}/roles/{role_name} takes no fields (an empty
# object, or no body at all).
CREATE = base.obj({})

RESPONSE = base.obj({
    'name': {'type': 'string', 'description': 'The role name.'},
    'role_status': {'type': 'string', 'readOnly': True},
    'role_progress': {'type': 'integer', 'readOnly': True},
    'role_messages': {'type': ['string', 'null'], 'readOnly': True},
}, required=('name', 'role_status', 'role_progress'))

RESOURCE = base.Resource(
    name='host_role', plural='roles', create=CREATE, response=RESPONSE,
    read_only=frozenset({'role_status', 'role_progress', 'role_messages'}))
