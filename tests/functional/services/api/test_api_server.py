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


"""The API served for real by cheroot, against a real etcd."""

import concurrent.futures
import os
import socket
import subprocess
import sys
import threading

import fixtures
import requests

from tests import base
from tests.functional import base as func_base
from tests.functional import fixtures as func_fixtures
from tests.functional.services.api import base as api_base
from trellis.common import policy
from trellis.common import service_registry
from trellis.services.api import app

TIMEOUT = 10
REQUEST_ID_HEADER = 'X-Openstack-Request-Id'
CONCURRENT = 4


class _Rendezvous:
    """WSGI wrapper: once armed, ``/v1/services`` waits for CONCURRENT.

    If the server ran one request at a time the barrier would break and
    the requests would fail; all succeeding shows they ran together.
    """

    def __init__(self, application):
        self.application = application
        self.barrier = None

    def arm(self):
        self.barrier = threading.Barrier(CONCURRENT, timeout=TIMEOUT)

    def __call__(self, environ, start_response):
        if self.barrier and environ.get('PATH_INFO') == '/v1/services':
            self.barrier.wait()
        return self.application(environ, start_response)


class TestAPIServer(base.TestCase):

    def setUp(self):
        super().setUp()
        self.etcd = self.useFixture(func_fixtures.EtcdFixture())
        self.conf([], project='trellis', default_config_files=[])
        self.config(url=self.etcd.url, prefix=self.etcd.prefix,
                    group='etcd')
        # Authentication has its own suite (test_auth).
        self.config(auth_strategy='noauth', group='api')
        policy.reset()
        self.addCleanup(policy.reset)
        self.api_app = app.create_app(self.conf)
        self.rendezvous = _Rendezvous(self.api_app)
        self.url = self.useFixture(
            api_base.ServedAPI(self.rendezvous, threads=8)).url

    def get(self, path, **kwargs):
        return requests.get(self.url + path, timeout=TIMEOUT, **kwargs)

    def _register(self, topic, host):
        reg = service_registry.ServiceRegistration(
            self.etcd.client, topic, host, ttl=30)
        reg.start()
        self.addCleanup(reg.stop)
        return reg

    def test_services_up_and_down(self):
        self._register('trellis-conductor', 'fake-1')
        gone = self._register('trellis-scheduler', 'fake-2')
        gone.stop()
        response = self.get('/v1/services')
        self.assertEqual(200, response.status_code, response.text)
        rows = {(s['topic'], s['host']): s
                for s in response.json()['services']}
        self.assertEqual({('trellis-conductor', 'fake-1'),
                          ('trellis-scheduler', 'fake-2')}, set(rows))
        up = rows[('trellis-conductor', 'fake-1')]
        down = rows[('trellis-scheduler', 'fake-2')]
        self.assertEqual('up', up['state'])
        self.assertIsNone(up['stopped_at'])
        self.assertEqual(os.getpid(), up['pid'])
        self.assertEqual('down', down['state'])
        self.assertIsNotNone(down['stopped_at'])
        self.assertRegex(down['last_seen'], r'^\d{4}-\d\d-\d\dT.*\+00:00$')

        response = self.get('/v1/services',
                            params={'topic': 'trellis-scheduler'})
        self.assertEqual([('trellis-scheduler', 'fake-2')],
                         [(s['topic'], s['host'])
                          for s in response.json()['services']])

    def test_healthcheck_version_discovery_request_id(self):
        health = self.get('/healthcheck')
        self.assertEqual(200, health.status_code)
        self.assertIn(REQUEST_ID_HEADER, health.headers)
        versions = self.get('/')
        self.assertEqual(200, versions.status_code)
        self.assertEqual(self.url + '/v1/',
                         versions.json()['versions'][0]['links'][0]['href'])
        self.assertRegex(versions.headers[REQUEST_ID_HEADER], r'^req-')
        missing = self.get('/v1/nope')
        self.assertEqual(404, missing.status_code)
        self.assertEqual(404, missing.json()['error']['code'])
        self.assertIn(REQUEST_ID_HEADER, missing.headers)

    def test_concurrent_requests(self):
        self._register('trellis-api', 'fake-3')
        self.rendezvous.arm()
        with concurrent.futures.ThreadPoolExecutor(CONCURRENT) as pool:
            responses = list(pool.map(
                lambda _: self.get('/v1/services'), range(CONCURRENT)))
        self.assertEqual([200] * CONCURRENT,
                         [r.status_code for r in responses])
        for response in responses:
            self.assertEqual(['fake-3'], [s['host'] for s in
                                          response.json()['services']])
        self.assertEqual(CONCURRENT, len(
            {r.headers[REQUEST_ID_HEADER] for r in responses}))

    def test_etcd_down_is_503(self):
        free = socket.socket()
        free.bind(('127.0.0.1', 0))
        dead_url = 'http://127.0.0.1:%d' % free.getsockname()[1]
        free.close()
        self.config(url=dead_url, group='etcd')
        served = self.useFixture(
            api_base.ServedAPI(app.create_app(self.conf), threads=2))
        response = requests.get(served.url + '/v1/services',
                                timeout=TIMEOUT)
        self.assertEqual(503, response.status_code)
        error = response.json()['error']
        self.assertEqual('Service Unavailable', error['title'])
        self.assertIn('etcd at %s' % dead_url, error['message'])


class TestAPIDaemon(base.TestCase):

    timeout = 240

    def test_daemon_serves_http_and_rpc_then_stops(self):
        etcd_fix = self.useFixture(func_fixtures.EtcdFixture())
        transport = self.useFixture(func_fixtures.RabbitMQFixture())
        port = func_fixtures.servers.free_port()
        daemon = self.useFixture(func_base.ServiceProcessFixture(
            'api', etcd_fix, transport.transport_url,
            config={'api': {'host_ip': '127.0.0.1', 'port': port,
                            'auth_strategy': 'noauth'}}))
        url = 'http://127.0.0.1:%d' % port
        response = requests.get(url + '/v1/services', timeout=TIMEOUT)
        self.assertEqual(200, response.status_code, response.text)
        self.assertEqual(
            [('trellis-api', daemon.host, 'up')],
            [(s['topic'], s['host'], s['state'])
             for s in response.json()['services']])
        self.assertIn(REQUEST_ID_HEADER, response.headers)
        self.assertEqual(200, requests.get(url + '/healthcheck',
                                           timeout=TIMEOUT).status_code)

        daemon.stop()
        self.assertRaises(requests.ConnectionError, requests.get,
                          url + '/', timeout=TIMEOUT)
        rows = service_registry.list_services(etcd_fix.client)
        self.assertEqual([('trellis-api', daemon.host, False)],
                         [(r.topic, r.host, r.up) for r in rows])

    def test_port_in_use_exits_non_zero(self):
        taken = socket.socket()
        taken.bind(('127.0.0.1', 0))
        taken.listen(1)
        self.addCleanup(taken.close)
        port = taken.getsockname()[1]
        tempdir = self.useFixture(fixtures.TempDir()).path
        conf = self.useFixture(func_fixtures.ConfigFileFixture(
            tempdir, api={'host_ip': '127.0.0.1', 'port': port},
            etcd={'url': 'http://127.0.0.1:1'}))
        script = os.path.join(os.path.dirname(sys.executable), 'trellis-api')
        result = subprocess.run([script, '--config-file', conf.path],
                                capture_output=True, text=True,
                                timeout=60, check=False)
        self.assertEqual(1, result.returncode, result.stderr)
        self.assertIn('cannot listen on 127.0.0.1:%d' % port,
                      result.stdout + result.stderr)

