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


"""The API app: middleware stack, request context, errors, healthcheck."""

import os
import threading
from unittest import mock

import fixtures
from oslo_context import context as oslo_context

from tests.unit.services.api import base
from trellis.common import etcd
from trellis.common import exception
from trellis.common import service_registry
from trellis.services.api import app

REQUEST_ID_HEADER = 'X-Openstack-Request-Id'


class TestRequestId(base.APITestCase):

    def test_every_response_has_a_request_id(self):
        for path in ('/', '/v1/', '/v1/services', '/healthcheck', '/nope'):
            response = self.client.get(path)
            self.assertRegex(response.headers.get(REQUEST_ID_HEADER, ''),
                             r'^req-[0-9a-f-]{36}$', path)

    def test_request_ids_differ(self):
        one = self.client.get('/').headers[REQUEST_ID_HEADER]
        two = self.client.get('/').headers[REQUEST_ID_HEADER]
        self.assertNotEqual(one, two)

    def test_inbound_request_id_becomes_global_request_id(self):
        inbound = 'req-12345678-1234-1234-1234-123456789abc'
        seen = {}

        def _list(client, topic=None):
            seen['context'] = oslo_context.get_current()
            return []

        with mock.patch.object(service_registry, 'list_services',
                               side_effect=_list):
            response = self.client.get(
                '/v1/services', headers={REQUEST_ID_HEADER: inbound})
        self.assertEqual(inbound, seen['context'].global_request_id)
        self.assertNotEqual(inbound, response.headers[REQUEST_ID_HEADER])

    def test_log_context_carries_the_request_id(self):
        seen = {}

        def _list(client, topic=None):
            seen['context'] = oslo_context.get_current()
            return []

        with mock.patch.object(service_registry, 'list_services',
                               side_effect=_list):
            response = self.client.get('/v1/services')
        self.assertEqual(200, response.status_code)
        self.assertEqual(response.headers[REQUEST_ID_HEADER],
                         seen['context'].request_id)

    def test_access_log_line_names_the_request(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='trellis.services.api.app', level='INFO'))
        self.client.get('/v1/?x=1')
        self.assertIn('"GET /v1/?x=1" status: 200', logger.output)


class TestContext(base.APITestCase):

    def test_no_identity_has_no_roles(self):
        # Only the auth layer makes a request admin (auth.py, noauth).
        ctx = app.context_from_environ(
            {'openstack.request_id': 'req-1'})
        self.assertFalse(ctx.is_admin)
        self.assertEqual([], ctx.roles)
        self.assertEqual('req-1', ctx.request_id)

    def test_identity_from_environ(self):
        ctx = app.context_from_environ({
            'openstack.request_id': 'req-2',
            'HTTP_X_USER_ID': 'u1', 'HTTP_X_PROJECT_ID': 'p1',
            'HTTP_X_ROLES': 'reader'})
        self.assertFalse(ctx.is_admin)
        self.assertEqual('u1', ctx.user_id)
        self.assertEqual(['reader'], ctx.roles)
        self.assertEqual('req-2', ctx.request_id)

    def test_unauthenticated_warning_at_creation(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='trellis.services.api.auth', level='WARNING'))
        self.config(auth_strategy='noauth', group='api')
        app.create_app(self.conf, etcd_client=self.etcd)
        self.assertIn('does NOT authenticate', logger.output)


class TestErrors(base.APITestCase):

    def test_unknown_path_is_json_404(self):
        error = self.assertError(self.client.get('/v2/things'), 404,
                                 'Not Found')
        self.assertIn('/v2/things', error['message'])

    def test_wrong_method_is_json_405_with_allow(self):
        response = self.client.delete('/v1/services')
        error = self.assertError(response, 405, 'Method Not Allowed')
        self.assertIn('DELETE', error['message'])
        self.assertIn('GET', response.headers['Allow'])

    def test_trellis_exception_keeps_its_code(self):
        with mock.patch.object(
                service_registry, 'list_services',
                side_effect=exception.ServiceNotFound(topic='t', host='h')):
            error = self.assertError(self.client.get('/v1/services'), 404,
                                     'Not Found')
        self.assertEqual('No service t is registered on host h.',
                         error['message'])
        self.assertNotIn('details', error)

    def test_bug_is_generic_500_and_logged(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='trellis.services.api.errors', level='ERROR'))
        with mock.patch.object(service_registry, 'list_services',
                               side_effect=RuntimeError('secret detail')):
            response = self.client.get('/v1/services')
        error = self.assertError(response, 500, 'Internal Server Error')
        self.assertNotIn('secret detail', error['message'])
        self.assertIn(response.headers[REQUEST_ID_HEADER], error['message'])
        self.assertIn('secret detail', logger.output)
        self.assertIn('Traceback', logger.output)

    def test_middleware_failure_is_json_500(self):
        def _broken(environ, start_response):
            raise ValueError('boom')

        self.useFixture(fixtures.FakeLogger(
            name='trellis.services.api.errors', level='ERROR'))
        wrapped = app.errors.FaultWrapper(_broken)
        statuses = []
        body = b''.join(wrapped(
            {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/',
             'openstack.request_id': 'req-x'},
            lambda status, headers, exc_info=None: statuses.append(
                (status, dict(headers)))))
        self.assertEqual('500 Internal Server Error', statuses[0][0])
        self.assertEqual('application/json', statuses[0][1]['Content-Type'])
        self.assertIn(b'"code": 500', body)
        self.assertIn(b'req-x', body)
        self.assertNotIn(b'boom', body)

    def test_error_body_details_optional(self):
        self.assertEqual(
            {'error': {'code': 409, 'title': 'Conflict', 'message': 'm',
                       'details': {'k': 'v'}}},
            app.errors.error_body(409, 'm', {'k': 'v'}))


class TestHealthcheck(base.APITestCase):

    def test_healthy(self):
        response = self.client.get('/healthcheck')
        self.assertEqual(200, response.status_code)

    def test_json(self):
        response = self.client.get('/healthcheck',
                                   headers={'Accept': 'application/json'})
        self.assertEqual(200, response.status_code)
        self.assertEqual('application/json', response.mimetype)
        self.assertFalse(response.get_json()['detailed'])

    def test_disabled_by_file(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'disabled')
        with open(path, 'w') as f:
            f.write('maintenance')
        self.config(backends=['disable_by_file'], group='healthcheck')
        self.config(disable_by_file_path=path, group='healthcheck')
        response = self.client.get('/healthcheck')
        self.assertEqual(503, response.status_code)
        os.unlink(path)
        self.assertEqual(200, self.client.get('/healthcheck').status_code)

    def test_head(self):
        response = self.client.head('/healthcheck')
        self.assertEqual(204, response.status_code)

    def test_source_not_allowed_falls_through_to_404(self):
        self.config(allowed_source_ranges=['10.0.0.0/8'],
                    group='healthcheck')
        response = self.client.get(
            '/healthcheck', environ_base={'REMOTE_ADDR': '192.0.2.1'})
        self.assertError(response, 404, 'Not Found')
        response = self.client.get(
            '/healthcheck', environ_base={'REMOTE_ADDR': '10.1.2.3'})
        self.assertEqual(200, response.status_code)

    def test_does_not_need_etcd(self):
        self.client.get('/healthcheck')
        self.etcd.get_prefix_json.assert_not_called()


class TestCORS(base.APITestCase):

    def test_preflight_allowed_origin(self):
        self.config(allowed_origin=['https://ui.example.com'], group='cors')
        response = self.client.options(
            '/v1/services',
            headers={'Origin': 'https://ui.example.com',
                     'Access-Control-Request-Method': 'GET',
                     'Access-Control-Request-Headers':
                         'X-Openstack-Request-Id'})
        self.assertEqual(200, response.status_code)
        self.assertEqual('https://ui.example.com',
                         response.headers['Access-Control-Allow-Origin'])

    def test_request_id_exposed(self):
        self.config(allowed_origin=['https://ui.example.com'], group='cors')
        response = self.client.get(
            '/', headers={'Origin': 'https://ui.example.com'})
        self.assertIn('X-Openstack-Request-Id',
                      response.headers['Access-Control-Expose-Headers'])

    def test_other_origin_not_allowed(self):
        self.config(allowed_origin=['https://ui.example.com'], group='cors')
        response = self.client.get(
            '/', headers={'Origin': 'https://evil.example.com'})
        self.assertNotIn('Access-Control-Allow-Origin', response.headers)


class TestAppState(base.APITestCase):

    def test_injected_client_is_used(self):
        state = app.AppState(self.conf, etcd_client=self.etcd)
        self.assertIs(self.etcd, state.etcd())

    def test_client_made_once_across_threads(self):
        made = []
        gate = threading.Event()

        def _from_conf(conf):
            gate.wait(5)
            made.append(object())
            return made[-1]

        state = app.AppState(self.conf)
        results = []
        with mock.patch.object(etcd.EtcdClient, 'from_conf',
                               side_effect=_from_conf):
            threads = [threading.Thread(
                target=lambda: results.append(state.etcd()))
                for _ in range(8)]
            for thread in threads:
                thread.start()
            gate.set()
            for thread in threads:
                thread.join(10)
        self.assertEqual(1, len(made))
        self.assertEqual([made[0]] * 8, results)
