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

"""Tests of ``/v1/hosts`` (hosts with their interfaces)."""

import logging

import fixtures

from tests.unit.services.api.controllers import base
from trellis.services.api.schemas import host as schema

SECRET = 's3cr3t-bmc-pw'


def host_body(name='node-1', macs=('52:54:00:AA:00:01',), **kw):
    body = {'name': name,
            'interfaces': [{'name': 'eth%d' % i, 'mac': mac, 'pxe': i == 0}
                           for i, mac in enumerate(macs)],
            'bmc': {'driver': 'ipmi', 'address': '10.0.0.%d' % len(name),
                    'port': 623, 'username': 'admin', 'password': SECRET}}
    body.update(kw)
    return body


class TestHosts(base.InventoryTestCase):

    def setUp(self):
        super().setUp()
        self.cluster = self.dbapi.create_cluster(self.admin, {'name': 'c1'})

    def test_create_and_get(self):
        response = self.post('/v1/hosts', host_body(
            cluster_uuid='c1', arch='x86_64',
            hardware={'cpu': {'total': 8}, 'disks': [{'name': 'sda'}]}))
        body = self.assertOK(response, 201)
        self.assertValid(schema.RESPONSE, body)
        self.assertTrue(response.headers['Location'].endswith(
            '/v1/hosts/' + body['uuid']))
        self.assertEqual(self.cluster.uuid, body['cluster_uuid'])
        self.assertEqual('in-cluster', body['status'])
        self.assertEqual('52:54:00:aa:00:01', body['interfaces'][0]['mac'])
        self.assertEqual('ether', body['interfaces'][0]['type'])
        self.assertEqual({'cpu': {'total': 8}, 'memory': {},
                          'disks': [{'name': 'sda'}], 'system': {},
                          'pci': []}, body['hardware'])
        self.assertEqual([], body['roles'])
        for ident in ('node-1', body['uuid']):
            self.assertEqual(body, self.assertOK(self.get(
                '/v1/hosts/' + ident)))

    def test_password_is_write_only_and_never_logged(self):
        logger = self.useFixture(fixtures.FakeLogger(
            level=logging.DEBUG))
        body = self.assertOK(self.post('/v1/hosts', host_body()), 201)
        self.assertEqual('******', body['bmc']['password'])
        ref = self.dbapi.get_host(self.admin, 'node-1')
        self.assertEqual(SECRET, ref.bmc_password)
        listed = self.get('/v1/hosts').get_data(as_text=True)
        self.assertNotIn(SECRET, listed)
        # A bad password is reported without its value.
        response = self.patch('/v1/hosts/node-1',
                              {'bmc': {'password': 'x' * 300}})
        details = self.assertInvalid(response, '$.bmc.password')
        self.assertNotIn('xxxx', str(details))
        # Clearing it.
        body = self.assertOK(self.patch('/v1/hosts/node-1',
                                        {'bmc': {'password': None}}))
        self.assertIsNone(body['bmc']['password'])
        self.assertEqual('ipmi', body['bmc']['driver'])
        self.assertNotIn(SECRET, logger.output)

    def test_mac_conflict_creates_nothing(self):
        self.assertOK(self.post('/v1/hosts', host_body(
            'node-1', ['52:54:00:00:00:09'])), 201)
        error = self.assertError(self.post('/v1/hosts', host_body(
            'node-2', ['52:54:00:00:00:01', '52:54:00:00:00:02',
                       '52-54-00-00-00-09'], bmc=None)), 409, 'Conflict')
        self.assertIn('52:54:00:00:00:09', error['message'])
        self.assertIn('node-1', error['message'])
        self.assertEqual(['node-1'], [h.name for h in self.dbapi.list_hosts(
            self.admin)])
        self.assertEqual(1, len(self.dbapi.list_interfaces(self.admin)))

    def test_bmc_address_and_name_conflicts(self):
        self.post('/v1/hosts', host_body('node-1'))
        error = self.assertError(self.post('/v1/hosts', host_body(
            'node-x', ['52:54:00:00:00:05'])), 409, 'Conflict')
        self.assertIn('10.0.0.6', error['message'])
        self.assertError(self.post('/v1/hosts', host_body(
            'node-1', ['52:54:00:00:00:06'], bmc=None)), 409, 'Conflict')

    def test_invalid_bodies(self):
        response = self.post('/v1/hosts', {
            'name': 'h', 'status': 'in-cluster', 'os_progress': 5,
            'bmc': {'driver': 'ilo', 'port': 0},
            'interfaces': [{'name': 'eth0', 'mac': 'zz:54:00:00:00:01'},
                           {'name': 'eth1', 'type': 'wifi', 'ip': '1.2.3'},
                           {'mac': '52:54:00:00:00:01'}]})
        self.assertInvalid(response, '$.bmc.driver', '$.bmc.port',
                           '$.interfaces[0].mac', '$.interfaces[1].ip',
                           '$.interfaces[1].type', '$.interfaces[2].name',
                           '$.os_progress', '$.status')
        self.assertEqual([], self.dbapi.list_hosts(self.admin))

    def test_bmc_needs_a_driver(self):
        # Found by tests/functional/services/api/test_fuzz.py: a BMC
        # without a driver was stored and shown with "driver": null,
        # which the response schema does not allow.
        self.assertInvalid(self.post('/v1/hosts', {
            'name': 'h', 'bmc': {'port': 623}}), '$.bmc.driver')
        self.assertEqual([], self.dbapi.list_hosts(self.admin))
        body = self.assertOK(self.post('/v1/hosts', {'name': 'h'}), 201)
        self.assertIsNone(body['bmc'])
        self.assertInvalid(self.patch('/v1/hosts/h', {
            'bmc': {'address': '10.0.0.9'}}), '$.bmc.driver')
        self.assertIsNone(self.dbapi.get_host(self.admin, 'h').bmc_address)
        body = self.assertOK(self.patch('/v1/hosts/h', {
            'bmc': {'driver': 'redfish', 'address': '10.0.0.9'}}))
        self.assertValid(schema.RESPONSE, body)
        self.assertInvalid(self.patch('/v1/hosts/h', {
            'bmc': {'driver': None}}), '$.bmc.driver')
        self.assertEqual('redfish', self.assertOK(self.get(
            '/v1/hosts/h'))['bmc']['driver'])

    def test_duplicates_within_body(self):
        self.assertInvalid(self.post('/v1/hosts', {
            'name': 'h', 'interfaces': [
                {'name': 'eth0', 'mac': '52:54:00:00:00:01'},
                {'name': 'eth0', 'mac': '52:54:00:00:00:01'.upper()}]}),
            '$.interfaces[1].mac', '$.interfaces[1].name')

    def test_unknown_cluster(self):
        self.assertInvalid(self.post('/v1/hosts', host_body(
            cluster_uuid='nope')), '$.cluster_uuid')

    def test_patch_replaces_interfaces(self):
        self.post('/v1/hosts', host_body(macs=['52:54:00:00:00:01',
                                               '52:54:00:00:00:02']))
        body = self.assertOK(self.patch('/v1/hosts/node-1', {
            'interfaces': [{'name': 'bond0', 'type': 'bond',
                            'slaves': ['eth0', 'eth1'], 'mode': '802.3ad'},
                           {'name': 'eth0', 'mac': '52:54:00:00:00:02'}],
            'position': 'rack1/u2'}))
        self.assertEqual(['bond0', 'eth0'],
                         [i['name'] for i in body['interfaces']])
        self.assertEqual('rack1/u2', body['position'])
        self.assertEqual('******', body['bmc']['password'])
        body = self.assertOK(self.patch('/v1/hosts/node-1',
                                        {'arch': 'aarch64'}))
        self.assertEqual(2, len(body['interfaces']))

    def test_patch_conflict_changes_nothing(self):
        self.post('/v1/hosts', host_body('other', ['52:54:00:00:00:99']))
        self.post('/v1/hosts', host_body('node-1', ['52:54:00:00:00:01']))
        self.assertError(self.patch('/v1/hosts/node-1', {
            'position': 'moved', 'interfaces': [
                {'name': 'eth0', 'mac': '52:54:00:00:00:01'},
                {'name': 'eth1', 'mac': '52:54:00:00:00:99'}]}),
            409, 'Conflict')
        body = self.assertOK(self.get('/v1/hosts/node-1'))
        self.assertIsNone(body['position'])
        self.assertEqual(1, len(body['interfaces']))

    def test_patch_cluster_and_read_only(self):
        self.post('/v1/hosts', host_body())
        body = self.assertOK(self.patch('/v1/hosts/node-1',
                                        {'cluster_uuid': self.cluster.uuid}))
        self.assertEqual(('in-cluster', self.cluster.uuid),
                         (body['status'], body['cluster_uuid']))
        body = self.assertOK(self.patch('/v1/hosts/node-1',
                                        {'cluster_uuid': None}))
        self.assertEqual(('init', None),
                         (body['status'], body['cluster_uuid']))
        self.assertInvalid(self.patch('/v1/hosts/node-1',
                                      {'os_status': 'active'}),
                           '$.os_status')

    def test_discovered_host_without_name(self):
        ref = self.dbapi.create_host(self.admin, {
            'discover_state': 'discovered',
            'interfaces': [{'name': 'eth0', 'mac': '52:54:00:00:00:77'}]})
        body = self.assertOK(self.get('/v1/hosts/' + ref.uuid))
        self.assertIsNone(body['name'])
        self.assertValid(schema.RESPONSE, body)
        body = self.assertOK(self.patch('/v1/hosts/' + ref.uuid,
                                        {'name': 'node-9'}))
        self.assertEqual('node-9', body['name'])

    def test_delete(self):
        self.post('/v1/hosts', host_body())
        self.assertEqual(204, self.delete('/v1/hosts/node-1').status_code)
        self.assertEqual([], self.dbapi.list_interfaces(self.admin))
        self.assertError(self.delete('/v1/hosts/node-1'), 404, 'Not Found')


class TestHostList(base.InventoryTestCase):

    def setUp(self):
        super().setUp()
        self.dbapi.create_cluster(self.admin, {'name': 'c1'})
        self.dbapi.create_cluster(self.admin, {'name': 'c2'})
        self.post('/v1/clusters/c1/roles', {'name': 'COMPUTER'})
        for i in range(6):
            self.assertOK(self.post('/v1/hosts', {
                'name': 'h%d' % i, 'cluster_uuid': 'c1' if i < 4 else 'c2',
                'interfaces': [{'name': 'eth0',
                                'mac': '52:54:00:00:00:%02x' % i}]}), 201)
        self.put('/v1/hosts/h1/roles/COMPUTER')
        self.put('/v1/hosts/h2/roles/COMPUTER')

    def _names(self, query):
        body = self.assertOK(self.get('/v1/hosts' + query))
        self.assertValid(schema.RESOURCE.list_response, body)
        return [h['name'] for h in body['hosts']]

    def test_filters(self):
        self.assertEqual(['h4', 'h5'], self._names('?cluster=c2'))
        self.assertEqual(['h1', 'h2'], self._names('?role=COMPUTER'))
        self.assertEqual(['h1', 'h2'], self._names('?status=with-role'))
        self.assertEqual(['h3'], self._names('?mac=52-54-00-00-00-03'))
        self.assertEqual(['h2'], self._names('?cluster=c1&role=COMPUTER'
                                             '&mac=52:54:00:00:00:02'))
        self.assertEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'h5'],
                         self._names('?os_status=init'))

    def test_roles_in_view(self):
        body = self.assertOK(self.get('/v1/hosts/h1'))
        self.assertEqual([{'name': 'COMPUTER', 'role_status': 'init',
                           'role_progress': 0, 'role_messages': None}],
                         body['roles'])

    def test_pages(self):
        body = self.assertOK(self.get('/v1/hosts?limit=4&sort_key=name'
                                      '&sort_dir=desc'))
        self.assertEqual(['h5', 'h4', 'h3', 'h2'],
                         [h['name'] for h in body['hosts']])
        rest = self.assertOK(self.get(body['next']))
        self.assertEqual(['h1', 'h0'], [h['name'] for h in rest['hosts']])
        self.assertNotIn('next', rest)

    def test_bad_filters(self):
        self.assertInvalid(self.get('/v1/hosts?cluster=nope'), 'cluster')
        self.assertInvalid(self.get('/v1/hosts?mac=nope'), 'mac')
        self.assertInvalid(self.get('/v1/hosts?type=x&sort_key=bmc'),
                           'sort_key', 'type')
