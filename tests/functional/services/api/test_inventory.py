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

"""The inventory API served for real (cheroot, HTTP through requests),
on SQLite and on MariaDB.

What the unit tests cannot show: the API behind a real HTTP server and
real database transactions — absolute ``next``/``Location`` links on a
real port, 413/415 through the server, conflicts that leave nothing
half-written on InnoDB, concurrent enrolments of one MAC.
"""

import abc
import concurrent.futures

import fixtures
import requests

from tests import base
from tests.functional.common.db import test_api as db_functional
from tests.functional.services.api import base as api_base
from trellis.common import policy
from trellis.services.api import app
from trellis.services.api.schemas import base as schema_base

TIMEOUT = 30
SECRET = 'bmc-Secret-0123'
BODY_LIMIT = 4096




class InventoryAPI(abc.ABC):
    """The scenarios; a subclass picks the database."""

    @abc.abstractmethod
    def make_database(self) -> fixtures.Fixture:
        """The fixture of the database the API runs on."""

    def setUp(self):
        super().setUp()
        self.useFixture(self.make_database())
        self.conf([], project='trellis', default_config_files=[])
        self.config(max_request_body_size=BODY_LIMIT, group='api')
        # Authentication has its own functional tests (test_auth).
        self.config(auth_strategy='noauth', group='api')
        policy.reset()
        self.addCleanup(policy.reset)
        self.api_app = app.create_app(self.conf)
        self.url = self.useFixture(
            api_base.ServedAPI(self.api_app, threads=8)).url
        self.session = requests.Session()
        self.addCleanup(self.session.close)
        self.doc = self.call('GET', '/v1/openapi.json').json()

    def call(self, method, path, body=None, expect=200, **kwargs):
        url = path if path.startswith('http') else self.url + path
        response = self.session.request(method, url, json=body,
                                        timeout=TIMEOUT, **kwargs)
        self.assertEqual(expect, response.status_code, response.text)
        if response.content:
            self.assertEqual('application/json',
                             response.headers['Content-Type'])
        return response

    def assertDocumented(self, component, body):
        """``body`` matches the served OpenAPI document's schema."""
        self.assertEqual([], schema_base.errors_of(
            self.doc['components']['schemas'][component], body))

    def test_inventory_workflow(self):
        cluster = self.call('POST', '/v1/clusters', {'name': 'lab'},
                            expect=201)
        self.assertEqual(self.url + '/v1/clusters/' + cluster.json()['uuid'],
                         cluster.headers['Location'])
        self.call('POST', '/v1/clusters/lab/networks', {
            'name': 'mgmt', 'type': 'MANAGEMENT', 'cidr': '192.0.2.0/24',
            'ip_ranges': [{'start': '192.0.2.10', 'end': '192.0.2.99'}]},
            expect=201)
        for role in ('CONTROLLER_HA', 'COMPUTER'):
            self.call('POST', '/v1/clusters/lab/roles', {'name': role},
                      expect=201)
        for i in range(7):
            host = self.call('POST', '/v1/hosts', {
                'name': 'node-%d' % i, 'cluster_uuid': 'lab',
                'bmc': {'driver': 'ipmi', 'address': '10.0.0.%d' % i,
                        'username': 'admin', 'password': SECRET},
                'interfaces': [{'name': 'eth0', 'pxe': True,
                                'mac': '52:54:00:00:01:%02X' % i},
                               {'name': 'eth1',
                                'mac': '52:54:00:00:02:%02x' % i}]},
                expect=201).json()
            self.assertDocumented('Host', host)
            self.call('PUT', '/v1/hosts/node-%d/roles/%s' % (
                i, 'CONTROLLER_HA' if i < 3 else 'COMPUTER'), expect=201)
        self.call('PUT', '/v1/hosts/node-0/roles/CONTROLLER_HA', expect=200)

        # Pages through real next links, filtered.
        names, url = [], '/v1/hosts?role=COMPUTER&limit=3&sort_key=name'
        while url:
            body = self.call('GET', url).json()
            self.assertDocumented('HostList', body)
            names += [h['name'] for h in body['hosts']]
            url = body.get('next')
            if url:
                self.assertTrue(url.startswith(self.url + '/v1/hosts?'))
        self.assertEqual(['node-3', 'node-4', 'node-5', 'node-6'], names)
        by_mac = self.call('GET', '/v1/hosts?mac=52:54:00:00:01:0a').json()
        self.assertEqual([], by_mac['hosts'])
        by_mac = self.call('GET', '/v1/hosts?mac=52-54-00-00-02-05').json()
        self.assertEqual(['node-5'], [h['name'] for h in by_mac['hosts']])
        self.assertNotIn(SECRET, self.call('GET', '/v1/hosts').text)

        # Conflicts change nothing.
        self.call('POST', '/v1/hosts', {
            'name': 'node-x', 'interfaces': [
                {'name': 'eth0', 'mac': '52:54:00:00:09:01'},
                {'name': 'eth1', 'mac': '52:54:00:00:09:02'},
                {'name': 'eth2', 'mac': '52:54:00:00:02:03'}]}, expect=409)
        self.call('GET', '/v1/hosts/node-x', expect=404)
        self.call('GET', '/v1/hosts?mac=52:54:00:00:09:01').json()
        self.call('PATCH', '/v1/hosts/node-1', {
            'position': 'r2', 'interfaces': [
                {'name': 'eth0', 'mac': '52:54:00:00:02:04'}]}, expect=409)
        node1 = self.call('GET', '/v1/hosts/node-1').json()
        self.assertIsNone(node1['position'])
        self.assertEqual(2, len(node1['interfaces']))
        self.call('DELETE', '/v1/clusters/lab/roles/COMPUTER', expect=409)

        # Merge patch, then deletes.
        patched = self.call('PATCH', '/v1/hosts/node-1', {
            'bmc': {'port': 6230}, 'maintenance': True}).json()
        self.assertEqual(('ipmi', 6230, '******'), (
            patched['bmc']['driver'], patched['bmc']['port'],
            patched['bmc']['password']))
        self.call('DELETE', '/v1/hosts/node-1/roles/CONTROLLER_HA',
                  expect=204)
        self.assertEqual('in-cluster', self.call(
            'GET', '/v1/hosts/node-1').json()['status'])
        self.call('DELETE', '/v1/clusters/lab', expect=204)
        hosts = self.call('GET', '/v1/hosts').json()['hosts']
        self.assertEqual({(None, 'init', ())}, {
            (h['cluster_uuid'], h['status'], tuple(h['roles']))
            for h in hosts})

    def test_body_limits_and_types(self):
        big = {'name': 'c', 'description': 'x' * BODY_LIMIT}
        error = self.call('POST', '/v1/clusters', big, expect=413).json()
        self.assertEqual(413, error['error']['code'])
        self.call('POST', '/v1/clusters', data='name=c', expect=415,
                  headers={'Content-Type': 'text/plain'})
        error = self.call('POST', '/v1/clusters', {'name': 'c',
                                                   'status': 'active',
                                                   'config': 'x'},
                          expect=400).json()['error']
        self.assertEqual(['$.config', '$.status'],
                         [d['field'] for d in error['details']])
        self.assertEqual([], self.call('GET', '/v1/clusters').json()[
            'clusters'])

    def test_concurrent_enrolment_of_one_mac(self):
        def enrol(i):
            return requests.post(self.url + '/v1/hosts', json={
                'name': 'h%d' % i, 'interfaces': [
                    {'name': 'eth0', 'mac': '52:54:00:0a:0b:0c'}]},
                timeout=TIMEOUT).status_code

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            codes = sorted(pool.map(enrol, range(6)))
        self.assertEqual([201] + [409] * 5, codes)
        self.assertEqual(1, len(self.call('GET', '/v1/hosts').json()[
            'hosts']))


class TestInventorySQLite(InventoryAPI, base.TestCase):

    def make_database(self):
        return api_base.SQLiteDatabase()


class TestInventoryMariaDB(InventoryAPI, base.TestCase):

    def make_database(self):
        return db_functional.MariaDBDatabase()
