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

"""Tests of ``/v1/clusters/{cluster}/networks``."""

from tests.unit.services.api.controllers import base
from trellis.services.api.schemas import network as schema

MGMT = {'name': 'mgmt', 'type': 'MANAGEMENT', 'cidr': '192.0.2.0/24',
        'gateway': '192.0.2.1', 'vlan_id': 100, 'mtu': 1500,
        'ip_ranges': [{'start': '192.0.2.10', 'end': '192.0.2.50'}]}


class TestNetworks(base.InventoryTestCase):

    def setUp(self):
        super().setUp()
        self.cluster = self.dbapi.create_cluster(self.admin, {'name': 'c1'})
        self.url = '/v1/clusters/c1/networks'

    def test_crud(self):
        response = self.post(self.url, MGMT)
        body = self.assertOK(response, 201)
        self.assertValid(schema.RESPONSE, body)
        self.assertEqual(self.cluster.uuid, body['cluster_uuid'])
        self.assertEqual('MANAGEMENT', body['type'])
        self.assertTrue(response.headers['Location'].endswith(
            '/v1/clusters/%s/networks/%s' % (self.cluster.uuid,
                                             body['uuid'])))
        self.assertEqual(body, self.assertOK(self.get(self.url + '/mgmt')))
        patched = self.assertOK(self.patch(self.url + '/' + body['uuid'],
                                           {'vlan_id': None, 'mtu': 9000}))
        self.assertIsNone(patched['vlan_id'])
        self.assertEqual(9000, patched['mtu'])
        self.assertEqual('192.0.2.1', patched['gateway'])
        self.assertEqual(204, self.delete(self.url + '/mgmt').status_code)
        self.assertError(self.get(self.url + '/mgmt'), 404, 'Not Found')

    def test_unknown_cluster(self):
        self.assertError(self.post('/v1/clusters/nope/networks', MGMT), 404,
                         'Not Found')

    def test_list_filter_by_type(self):
        self.post(self.url, MGMT)
        self.post(self.url, {'name': 'pxe', 'type': 'PXE'})
        other = self.dbapi.create_cluster(self.admin, {'name': 'c2'})
        self.dbapi.create_network(self.admin, {
            'cluster_id': other.id, 'name': 'pxe', 'network_type': 'PXE'})
        body = self.assertOK(self.get(self.url + '?type=PXE'))
        self.assertValid(schema.RESOURCE.list_response, body)
        self.assertEqual(['pxe'], [n['name'] for n in body['networks']])
        names = [n['name'] for n in self.assertOK(self.get(
            self.url + '?sort_key=type&sort_dir=desc'))['networks']]
        self.assertEqual(['pxe', 'mgmt'], names)

    def test_name_taken_in_cluster(self):
        self.assertOK(self.post(self.url, MGMT), 201)
        self.assertError(self.post(self.url, MGMT), 409, 'Conflict')

    def test_formats_and_enums(self):
        details = self.assertInvalid(self.post(self.url, {
            'name': 'x', 'type': 'LAN', 'cidr': '192.0.2.1/24',
            'gateway': '300.1.1.1', 'vlan_id': 5000,
            'ip_ranges': [{'start': 'a'}]}),
            '$.cidr', '$.gateway', '$.ip_ranges[0].end',
            '$.ip_ranges[0].start', '$.type', '$.vlan_id')
        self.assertIn('cidr', {d['field']: d['message']
                               for d in details}['$.cidr'])

    def test_addresses_inside_cidr(self):
        body = dict(MGMT, gateway='198.51.100.1', ip_ranges=[
            {'start': '192.0.2.50', 'end': '192.0.2.10'},
            {'start': '192.0.2.100', 'end': '192.0.3.5'},
            {'start': '192.0.2.60', 'end': '192.0.2.120'}])
        self.assertInvalid(self.post(self.url, body), '$.gateway',
                           '$.ip_ranges[0]', '$.ip_ranges[1]',
                           '$.ip_ranges[2]')

    def test_patch_checks_merged_network(self):
        self.post(self.url, MGMT)
        self.assertInvalid(self.patch(self.url + '/mgmt',
                                      {'cidr': '10.0.0.0/8'}),
                           '$.gateway', '$.ip_ranges[0]')
        self.assertInvalid(self.patch(self.url + '/mgmt', {'type': None}),
                           '$.type')
