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

"""Policies of the roles of a cluster (CONTROLLER_LB, COMPUTER...).

Reader may list and show; member may create, update and delete; admin
may do everything (``base``).
"""

from oslo_policy import policy

from trellis.common.policies import base

PATH = '/v1/clusters/{cluster}/roles'
ITEM_PATH = PATH + '/{role}'

ROLE_LIST = 'trellis:role:list'
ROLE_GET = 'trellis:role:get'
ROLE_CREATE = 'trellis:role:create'
ROLE_UPDATE = 'trellis:role:update'
ROLE_DELETE = 'trellis:role:delete'

rules = [
    policy.DocumentedRuleDefault(
        name=ROLE_LIST,
        check_str=base.READER,
        scope_types=base.SCOPE_TYPES,
        description='List roles.',
        operations=[{'path': PATH, 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=ROLE_GET,
        check_str=base.READER,
        scope_types=base.SCOPE_TYPES,
        description='Show a role of a cluster.',
        operations=[{'path': ITEM_PATH, 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=ROLE_CREATE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Create a role of a cluster.',
        operations=[{'path': PATH, 'method': 'POST'}]),
    policy.DocumentedRuleDefault(
        name=ROLE_UPDATE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Update a role of a cluster.',
        operations=[{'path': ITEM_PATH, 'method': 'PATCH'}]),
    policy.DocumentedRuleDefault(
        name=ROLE_DELETE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Delete a role of a cluster.',
        operations=[{'path': ITEM_PATH, 'method': 'DELETE'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
