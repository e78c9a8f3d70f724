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

"""Policies of ``/v1/labs``: lab description files in and out.

Importing creates and changes clusters, hosts, networks and roles, so it
needs member; exporting only reads, so reader may, but the BMC passwords
come out for admin only.
"""

from oslo_policy import policy

from trellis.common.policies import base

LAB_IMPORT = 'trellis:lab:import'
LAB_EXPORT = 'trellis:lab:export'
LAB_EXPORT_SECRETS = 'trellis:lab:export_secrets'

rules = [
    policy.DocumentedRuleDefault(
        name=LAB_IMPORT,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Import lab files (Daisy deploy.yml + network.yml, '
                    'TripleO nodes JSON) into a cluster.',
        operations=[{'path': '/v1/labs/import', 'method': 'POST'}]),
    policy.DocumentedRuleDefault(
        name=LAB_EXPORT,
        check_str=base.READER,
        scope_types=base.SCOPE_TYPES,
        description='Export a cluster as lab files.',
        operations=[{'path': '/v1/labs/export', 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=LAB_EXPORT_SECRETS,
        check_str=base.ADMIN,
        scope_types=base.SCOPE_TYPES,
        description='Export a cluster as lab files with the BMC passwords '
                    '(include_secrets=true); without this rule they are '
                    'left out.',
        operations=[{'path': '/v1/labs/export?include_secrets=true',
                     'method': 'GET'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
