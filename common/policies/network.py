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

"""Policies of the networks of a cluster (planes, cidrs, ranges).

Reader may list and show; member may create, update and delete; admin
may do everything (``base``).
"""

from oslo_policy import policy

from trellis.common.policies import base

PATH = '/v1/clusters/{cluster}/networks'
ITEM_PATH = PATH + '/{network}'

NETWORK_LIST = 'trellis:network:list'
NETWORK_GET = 'trellis:network:get'
NETWORK_CREATE = 'trellis:network:create'
NETWORK_UPDATE = 'trellis:network:update'
NETWORK_DELETE = 'trellis:network:delete'

rules = [
    policy.DocumentedRuleDefault(
        name=NETWORK_LIST,
        check_str=base.READER,
        scope_types=base.SCOPE_TYPES,
        description='List networks.',
        operations=[{'path': PATH, 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=NETWORK_GET,
        check_str=base.READER,
        scope_types=base.SCOPE_TYPES,
        description='Show a network of a cluster.',
        operations=[{'path': ITEM_PATH, 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=NETWORK_CREATE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Create a network of a cluster.',
        operations=[{'path': PATH, 'method': 'POST'}]),
    policy.DocumentedRuleDefault(
        name=NETWORK_UPDATE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Update a network of a cluster.',
        operations=[{'path': ITEM_PATH, 'method': 'PATCH'}]),
    policy.DocumentedRuleDefault(
        name=NETWORK_DELETE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Delete a network of a cluster.',
        operations=[{'path': ITEM_PATH, 'method': 'DELETE'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
