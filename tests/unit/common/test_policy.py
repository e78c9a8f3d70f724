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


"""Policy defaults and enforcement."""

import os

import fixtures
from oslo_config import cfg
from oslo_policy import generator
from oslo_policy import policy as oslo_policy

from tests import base
from trellis.common import context
from trellis.common import exception
from trellis.common import policies
from trellis.common import policy
from trellis.common.policies import service as service_policy

RULE = service_policy.SERVICE_LIST


def _context(roles, **kwargs):
    values = {'user_id': 'u1', 'project_id': 'p1', 'roles': roles}
    values.update(kwargs)
    return context.RequestContext(**values)


class PolicyTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.conf([], project='trellis', default_config_files=[])
        policy.reset()
        self.addCleanup(policy.reset)


class TestDefaults(PolicyTestCase):

    def test_rules_listed(self):
        names = [rule.name for rule in policies.list_policies()]
        self.assertEqual(['admin', 'member', 'reader', 'default', RULE],
                         names[:5])
        self.assertEqual(len(names), len(set(names)))
        self.assertIn('trellis:lab:import', names)

    def test_api_rules_are_documented(self):
        for rule in policies.list_policies():
            if rule.name.startswith('trellis:'):
                self.assertIsInstance(rule, oslo_policy.DocumentedRuleDefault)
                self.assertTrue(rule.operations, rule.name)
                self.assertTrue(rule.scope_types, rule.name)

    def test_secure_defaults_on(self):
        self.assertTrue(self.conf.oslo_policy.enforce_new_defaults)

    def test_personas_may_list_services(self):
        for roles in (['reader'], ['member'], ['admin']):
            policy.authorize(RULE, {}, _context(roles))

    def test_system_scope_may_list_services(self):
        policy.authorize(RULE, {}, _context(['reader'], project_id=None,
                                            system_scope='all'))

    def test_other_roles_are_refused_with_403(self):
        for roles in ([], ['observer'], ['Reader ']):
            exc = self.assertRaises(exception.PolicyNotAuthorized,
                                    policy.authorize, RULE, {},
                                    _context(roles))
            self.assertEqual(403, exc.code)
            self.assertIn(RULE, str(exc))

    def test_domain_scope_is_refused(self):
        exc = self.assertRaises(
            exception.PolicyNotAuthorized, policy.authorize, RULE, {},
            _context(['admin'], project_id=None, domain_id='d1'))
        self.assertEqual(403, exc.code)

    def test_unregistered_rule_is_an_error(self):
        self.assertRaises(oslo_policy.PolicyNotRegistered,
                          policy.authorize, 'trellis:nope', {},
                          _context(['admin']))


class TestPolicyFile(PolicyTestCase):

    def test_operator_override(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'policy.yaml')
        with open(path, 'w') as f:
            f.write('"%s": "role:admin"\n' % RULE)
        self.config(policy_file=path, group='oslo_policy')
        self.assertRaises(exception.PolicyNotAuthorized, policy.authorize,
                          RULE, {}, _context(['reader']))
        policy.authorize(RULE, {}, _context(['admin']))


class TestEnforcer(PolicyTestCase):

    def test_one_enforcer(self):
        self.assertIs(policy.get_enforcer(), policy.get_enforcer())
        self.assertIs(policy.init(), policy.get_enforcer())

    def test_reset_makes_a_new_one(self):
        first = policy.get_enforcer()
        policy.reset()
        self.assertIsNot(first, policy.get_enforcer())

    def test_config_args_of_oslopolicy_tools(self):
        self.assertEqual(
            ['--config-file', '/etc/t.conf', '--config-dir=/etc/t.d'],
            policy._config_args(['--namespace', 'trellis.api',
                                 '--config-file', '/etc/t.conf',
                                 '--output-file', 'x',
                                 '--config-dir=/etc/t.d']))

    def test_sample_generator_namespace(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'policy.yaml.sample')
        generator.generate_sample(args=['--namespace', 'trellis.api',
                                        '--output-file', path],
                                  conf=cfg.ConfigOpts())
        with open(path) as f:
            sample = f.read()
        self.assertIn('#"%s": "rule:reader"' % RULE, sample)
        self.assertIn('# GET  /v1/services', sample)
