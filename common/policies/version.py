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

"""Policies of versions: the Kolla and OS images Trellis installs.

Reader may list and show; member may create, update and delete; admin
may do everything (``base``).
"""

from oslo_policy import policy

from trellis.common.policies import base

PATH = '/v1/versions'
ITEM_PATH = PATH + '/{version}'

VERSION_LIST = 'trellis:version:list'
VERSION_GET = 'trellis:version:get'
VERSION_CREATE = 'trellis:version:create'
VERSION_UPDATE = 'trellis:version:update'
VERSION_DELETE = 'trellis:version:delete'

rules = [
    policy.DocumentedRuleDefault(
        name=VERSION_LIST,
        check_str=base.READER,
        scope_types=base.SCOPE_TYPES,
        description='List versions.',
        operations=[{'path': PATH, 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=VERSION_GET,
        check_str=base.READER,
        scope_types=base.SCOPE_TYPES,
        description='Show a version.',
        operations=[{'path': ITEM_PATH, 'method': 'GET'}]),
    policy.DocumentedRuleDefault(
        name=VERSION_CREATE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Create a version.',
        operations=[{'path': PATH, 'method': 'POST'}]),
    policy.DocumentedRuleDefault(
        name=VERSION_UPDATE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Update a version.',
        operations=[{'path': ITEM_PATH, 'method': 'PATCH'}]),
    policy.DocumentedRuleDefault(
        name=VERSION_DELETE,
        check_str=base.MEMBER,
        scope_types=base.SCOPE_TYPES,
        description='Delete a version.',
        operations=[{'path': ITEM_PATH, 'method': 'DELETE'}]),
]


def list_rules() -> list[policy.RuleDefault]:
    return rules
