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


"""Tests of the request context."""

import json

from oslo_context import context as oslo_context

from tests import base
from trellis.common import context


class TestRequestContext(base.TestCase):

    def _context(self, **kwargs):
        values = {'user_id': 'u1', 'project_id': 'p1',
                  'roles': ['admin', 'member'], 'request_id': 'req-123',
                  'global_request_id': 'req-global'}
        values.update(kwargs)
        return context.RequestContext(**values)

    def test_round_trip(self):
        ctx = self._context()
        copy = context.RequestContext.from_dict(ctx.to_dict())
        self.assertIsInstance(copy, context.RequestContext)
        self.assertEqual(ctx.to_dict(), copy.to_dict())
        self.assertEqual('u1', copy.user_id)
        self.assertEqual('p1', copy.project_id)
        self.assertEqual(['admin', 'member'], copy.roles)
        self.assertEqual('req-123', copy.request_id)
        self.assertEqual('req-global', copy.global_request_id)

    def test_is_admin_kept(self):
        for is_admin in (True, False):
            ctx = self._context(is_admin=is_admin)
            copy = context.RequestContext.from_dict(ctx.to_dict())
            self.assertIs(is_admin, copy.is_admin)

    def test_from_dict_without_is_admin(self):
        copy = context.RequestContext.from_dict({'user': 'u2'})
        self.assertFalse(copy.is_admin)
        self.assertEqual('u2', copy.user_id)

    def test_explicit_kwarg_wins(self):
        ctx = self._context(is_admin=False)
        copy = context.RequestContext.from_dict(ctx.to_dict(),
                                                is_admin=True)
        self.assertTrue(copy.is_admin)

    def test_policy_values_have_is_admin(self):
        self.assertTrue(
            self._context(is_admin=True).to_policy_values()['is_admin'])
        self.assertFalse(
            self._context(is_admin=False).to_policy_values()['is_admin'])

    def test_round_trip_survives_json(self):
        ctx = self._context(is_admin=True)
        copy = context.RequestContext.from_dict(
            json.loads(json.dumps(ctx.to_dict())))
        self.assertEqual(ctx.to_dict(), copy.to_dict())


class TestAdminContext(base.TestCase):

    def test_admin(self):
        ctx = context.get_admin_context()
        self.assertIsInstance(ctx, context.RequestContext)
        self.assertTrue(ctx.is_admin)
        self.assertIsNone(ctx.user_id)
        self.assertTrue(ctx.request_id.startswith('req-'))

    def test_does_not_replace_thread_context(self):
        user = context.RequestContext(user_id='someone')
        admin = context.get_admin_context()
        self.assertIs(user, oslo_context.get_current())
        self.assertIsNot(admin, oslo_context.get_current())

    def test_each_call_is_new(self):
        self.assertNotEqual(context.get_admin_context().request_id,
                            context.get_admin_context().request_id)

    def test_enginefacade_provider(self):
        # oslo.db's enginefacade keeps the transaction on the context.
        for name in ('session', 'connection', 'transaction',
                     'transaction_ctx'):
            self.assertIsInstance(
                getattr(context.RequestContext, name), property, name)
