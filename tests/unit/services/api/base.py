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


"""Shared set-up of the trellis-api unit tests."""

from unittest import mock

from tests import base
from trellis.common import etcd
from trellis.common import policy
from trellis.services.api import app


class APITestCase(base.TestCase):
    """An app on a mocked etcd client and a Flask test client."""

    def setUp(self) -> None:
        super().setUp()
        # oslo.policy finds its file through a parsed configuration.
        self.conf([], project='trellis', default_config_files=[])
        app.register_opts(self.conf)
        # Routes are tested unauthenticated; test_auth covers each
        # strategy (the default, http_basic, needs a user file).
        self.config(auth_strategy='noauth', group='api')
        policy.reset()
        self.addCleanup(policy.reset)
        self.etcd = mock.Mock(spec=etcd.EtcdClient)
        self.etcd.url = 'http://etcd.test:2379'
        self.etcd_data: dict[str, dict] = {}
        self.etcd.get_prefix_json.side_effect = self._get_prefix_json

    def _get_prefix_json(self, path: str) -> dict:
        return {k: v for k, v in self.etcd_data.items()
                if k.startswith(path)}

    def make_client(self, **kwargs):
        self.app = app.create_app(self.conf, etcd_client=self.etcd,
                                  **kwargs)
        return self.app.test_client()

    @property
    def client(self):
        if not hasattr(self, '_client'):
            self._client = self.make_client()
        return self._client

    def assertError(self, response, code: int, title: str) -> dict:
        """The response is a JSON error of ``code``; return its body."""
        self.assertEqual(code, response.status_code,
                         response.get_data(as_text=True))
        self.assertEqual('application/json', response.mimetype)
        error = response.get_json()['error']
        self.assertEqual(code, error['code'])
        self.assertEqual(title, error['title'])
        self.assertIsInstance(error['message'], str)
        self.assertNotIn('Traceback', response.get_data(as_text=True))
        return error
