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


"""``GET /v1/services``."""

from unittest import mock

from tests.unit.services.api import base
from trellis.common import context
from trellis.common import exception
from trellis.common import service_registry
from trellis.services.api import app

T0 = 1795000000.0  # 2026-11-18T11:06:40Z


class TestListServices(base.APITestCase):

    def setUp(self):
        super().setUp()
        # One live conductor, one stopped scheduler.
        self.etcd_data = {
            'services/trellis-conductor/h1': {
                'topic': 'trellis-conductor', 'host': 'h1', 'pid': 10,
                'version': '0.1.0', 'started_at': T0},
            'service_records/trellis-conductor/h1': {
                'topic': 'trellis-conductor', 'host': 'h1', 'pid': 10,
                'version': '0.1.0', 'started_at': T0, 'last_seen': T0 + 5,
                'stopped_at': None},
            'service_records/trellis-scheduler/h2': {
                'topic': 'trellis-scheduler', 'host': 'h2', 'pid': 11,
                'version': '0.1.0', 'started_at': T0,
                'last_seen': T0 + 60.5, 'stopped_at': T0 + 60.5},
        }

    def test_up_and_down(self):
        with mock.patch('time.time', return_value=T0 + 100):
            response = self.client.get('/v1/services')
        self.assertEqual(200, response.status_code)
        self.assertEqual({'services': [
            {'topic': 'trellis-conductor', 'host': 'h1', 'state': 'up',
             'last_seen': '2026-11-18T11:08:20.000+00:00',
             'started_at': '2026-11-18T11:06:40.000+00:00',
             'stopped_at': None, 'version': '0.1.0', 'pid': 10},
            {'topic': 'trellis-scheduler', 'host': 'h2', 'state': 'down',
             'last_seen': '2026-11-18T11:07:40.500+00:00',
             'started_at': '2026-11-18T11:06:40.000+00:00',
             'stopped_at': '2026-11-18T11:07:40.500+00:00',
             'version': '0.1.0', 'pid': 11},
        ]}, response.get_json())

    def test_empty(self):
        self.etcd_data = {}
        self.assertEqual({'services': []},
                         self.client.get('/v1/services').get_json())

    def test_unknown_fields_are_null(self):
        self.etcd_data = {'service_records/t/h': {'topic': 't', 'host': 'h'}}
        row = self.client.get('/v1/services').get_json()['services'][0]
        self.assertEqual('down', row['state'])
        for field in ('last_seen', 'started_at', 'stopped_at', 'version',
                      'pid'):
            self.assertIsNone(row[field], field)

    def test_topic_filter(self):
        response = self.client.get('/v1/services?topic=trellis-scheduler')
        self.assertEqual(['trellis-scheduler'],
                         [s['topic'] for s in response.get_json()['services']])
        self.etcd.get_prefix_json.assert_any_call(
            'services/trellis-scheduler/')

    def test_invalid_topic(self):
        for topic in ('a/b', 'x y', 'a' * 256):
            error = self.assertError(
                self.client.get('/v1/services', query_string={'topic': topic}),
                400, 'Bad Request')
            self.assertIn('Invalid topic', error['message'])
        self.etcd.get_prefix_json.assert_not_called()

    def test_etcd_unavailable_is_503(self):
        self.etcd.get_prefix_json.side_effect = exception.EtcdUnavailable(
            url='http://etcd.test:2379', error='Connection refused')
        error = self.assertError(self.client.get('/v1/services'), 503,
                                 'Service Unavailable')
        self.assertEqual('etcd at http://etcd.test:2379 is unreachable or '
                         'failed: Connection refused', error['message'])

    def test_reader_may_list(self):
        response = self.client.get(
            '/v1/services', headers={'X-User-Id': 'u', 'X-Project-Id': 'p',
                                     'X-Roles': 'reader'})
        self.assertEqual(200, response.status_code)

    def test_other_roles_may_not(self):
        # Identity headers sent by a client are dropped (auth.py): the
        # identity is what the auth layer built.
        observer = context.RequestContext(user_id='u', project_id='p',
                                          roles=['observer'])
        with mock.patch.object(service_registry, 'list_services') as lister, \
                mock.patch.object(app, 'context_from_environ',
                                  return_value=observer):
            error = self.assertError(self.client.get('/v1/services'),
                                     403, 'Forbidden')
        self.assertIn('trellis:service:list', error['message'])
        lister.assert_not_called()
