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

"""Persona rules every Trellis policy builds on.

Secure defaults (the OpenStack "consistent and secure RBAC" model):
``reader`` may look, ``member`` may change inventory, ``admin`` may do
everything. Each persona includes the ones below it, also when roles
come from a source without Keystone's implied roles (HTTP basic auth).
"""

from oslo_policy import policy

ADMIN = 'rule:admin'
MEMBER = 'rule:member'
READER = 'rule:reader'

# Trellis manages whole clouds; it has no tenants of its own. Both
# system-scoped and project-scoped tokens of an operator are accepted.
SCOPE_TYPES = ['system', 'project']

rules = [
    policy.RuleDefault(
        name='admin',
        check_str='role:admin',
        description='Administrator of Trellis: every operation.'),
    policy.RuleDefault(
        name='member',
        check_str='role:member or rule:admin',
        description='Operator who may change inventory and deployments.'),
    policy.RuleDefault(
        name='reader',
        check_str='role:reader or rule:member',
        description='Read-only access to everything Trellis shows.'),
    policy.RuleDefault(
        name='default',
        check_str='rule:admin',
        description='Rule used when a requested rule is not registered.'),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
