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

"""Policies of hosts, with their interfaces, BMC and status.

Reader may list and show; member may create, update and delete; admin
may do everything (``base``).
"""

from oslo_policy import policy

from trellis.common.policies import base

PATH = '/v1/hosts'
ITEM_PATH = PATH + '/{host}'

HOST_LIST = 'trellis:host:list'
HOST_GET = 'trellis:host:get'
HOST_CREATE = 'trellis:host:create'
HOST_UPDATE = 'trellis:host:update'
HOST_DELETE = 'trellis:host:delete'

rules = [
    policy.DocumentedRuleDefault(
        name=HOST_LIST,
        check_str=base.READER,
        scope_types=base.SCOPE_TYPES,
        description='List hosts.',
        operations=[{'path': PATH, 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=HOST_GET,
        check_str=base.READER,
        scope_types=base.SCOPE_TYPES,
        description='Show a host.',
        operations=[{'path': ITEM_PATH, 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=HOST_CREATE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Create a host.',
        operations=[{'path': PATH, 'method': 'POST'}]),
    policy.DocumentedRuleDefault(
        name=HOST_UPDATE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Update a host.',
        operations=[{'path': ITEM_PATH, 'method': 'PATCH'}]),
    policy.DocumentedRuleDefault(
        name=HOST_DELETE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Delete a host.',
        operations=[{'path': ITEM_PATH, 'method': 'DELETE'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
