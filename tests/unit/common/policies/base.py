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


"""Persona checks shared by the tests of each policy module."""

from tests import base
from trellis.common import context
from trellis.common import exception
from trellis.common import policy

# The personas of the secure defaults, as http_basic and keystone give
# them (http_basic: system scope; keystone: a project-scoped token).
PERSONAS = ('reader', 'member', 'admin')


def persona_context(roles: list[str], scope: str = 'system'
                    ) -> context.RequestContext:
    if scope == 'system':
        return context.RequestContext(user_id='u1', roles=roles,
                                      system_scope='all')
    return context.RequestContext(user_id='u1', project_id='p1',
                                  roles=roles)


class PolicyDefaultsTestCase(base.TestCase):
    """Subclasses give RULES: rule name -> lowest persona allowed."""

    RULES: dict[str, str] = {}

    def setUp(self) -> None:
        super().setUp()
        self.conf([], project='trellis', default_config_files=[])
        policy.reset()
        self.addCleanup(policy.reset)

    def allowed(self, rule: str, roles: list[str],
                scope: str = 'system') -> bool:
        try:
            policy.authorize(rule, {}, persona_context(roles, scope))
        except exception.PolicyNotAuthorized:
            return False
        return True

    def test_rules_are_registered(self) -> None:
        registered = policy.init().registered_rules
        for rule in self.RULES:
            self.assertIn(rule, registered)

    def test_personas(self) -> None:
        for rule, lowest in self.RULES.items():
            for scope in ('system', 'project'):
                for persona in PERSONAS:
                    expected = (PERSONAS.index(persona) >=
                                PERSONAS.index(lowest))
                    self.assertEqual(
                        expected, self.allowed(rule, [persona], scope),
                        '%s for %s (%s scope)' % (rule, persona, scope))

    def test_anonymous_and_unknown_roles_get_nothing(self) -> None:
        for rule in self.RULES:
            # (oslo.policy compares role names case-insensitively.)
            for roles in ([], ['observer'], ['reader '], ['_member_']):
                self.assertFalse(self.allowed(rule, roles), (rule, roles))

    def test_domain_scope_is_refused(self) -> None:
        for rule in self.RULES:
            ctx = context.RequestContext(user_id='u1', domain_id='d1',
                                         roles=['admin'])
            self.assertRaises(exception.PolicyNotAuthorized,
                              policy.authorize, rule, {}, ctx)
