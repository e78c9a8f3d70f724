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

"""Base of the inventory controller tests: the Flask test client on an
empty, migrated in-memory SQLite database."""

import json

import fixtures

from tests.unit.common.db import base as db_base
from tests.unit.services.api import base as api_base
from trellis.common import context as trellis_context
from trellis.common.db import api as db_api
from trellis.services.api import app as api_app
from trellis.services.api.schemas import base as schema_base

JSON = 'application/json'


class InventoryTestCase(api_base.APITestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(db_base.Database())
        self.dbapi = db_api.get_instance()
        self.admin = trellis_context.get_admin_context()

    def request(self, method, path, body=None, **kwargs):
        if body is not None:
            kwargs.setdefault('data', json.dumps(body))
            kwargs.setdefault('content_type', JSON)
        return self.client.open(path, method=method, **kwargs)

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, body, **kwargs):
        return self.request('POST', path, body, **kwargs)

    def patch(self, path, body, **kwargs):
        return self.request('PATCH', path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request('PUT', path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)

    def assertOK(self, response, code=200):
        self.assertEqual(code, response.status_code,
                         response.get_data(as_text=True))
        return response.get_json()

    def assertValid(self, schema, instance):
        """``instance`` matches a response schema of the API."""
        self.assertEqual([], schema_base.errors_of(schema, instance))

    def assertInvalid(self, response, *fields):
        """A 400 whose details name exactly ``fields``; return them."""
        error = self.assertError(response, 400, 'Bad Request')
        got = sorted(d['field'] for d in error.get('details', ()))
        self.assertEqual(sorted(fields), got, error)
        return error['details']

    def use_role(self, *roles):
        """Serve the following requests as a user with ``roles``."""
        def context_from_environ(environ):
            return trellis_context.RequestContext(
                user_id='u', project_id='p', roles=list(roles))
        self.useFixture(fixtures.MockPatchObject(
            api_app, 'context_from_environ', context_from_environ))
