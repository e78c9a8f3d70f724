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

"""Policies of ``/v1/hosts/{host}/roles``: roles assigned to a host.

Reader may list a host's roles; member may assign and unassign them.
"""

from oslo_policy import policy

from trellis.common.policies import base

HOST_ROLE_LIST = 'trellis:host_role:list'
HOST_ROLE_ASSIGN = 'trellis:host_role:assign'
HOST_ROLE_UNASSIGN = 'trellis:host_role:unassign'

rules = [
    policy.DocumentedRuleDefault(
        name=HOST_ROLE_LIST,
        check_str=base.READER,
        scope_types=base.SCOPE_TYPES,
        description='List the roles assigned to a host.',
        operations=[{'path': '/v1/hosts/{host}/roles', 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=HOST_ROLE_ASSIGN,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description="Assign a role of the host's cluster to a host.",
        operations=[{'path': '/v1/hosts/{host}/roles/{role_name}',
                     'method': 'PUT'}]),
    policy.DocumentedRuleDefault(
        name=HOST_ROLE_UNASSIGN,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Take a role away from a host.',
        operations=[{'path': '/v1/hosts/{host}/roles/{role_name}',
                     'method': 'DELETE'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
