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


"""Defaults of the lab policies: reader exports, member imports."""

from tests.unit.common.policies import base
from trellis.common.policies import lab


class TestLabPolicies(base.PolicyDefaultsTestCase):

    RULES = {
        lab.LAB_IMPORT: 'member',
        lab.LAB_EXPORT: 'reader',
        lab.LAB_EXPORT_SECRETS: 'admin',
    }

    def test_every_rule_of_the_module_is_checked(self):
        self.assertEqual(sorted(self.RULES),
                         sorted(r.name for r in lab.list_rules()))
