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


"""trellis network create|list|show|set|delete: options -> requests."""

from tests.unit.services.client import base


class TestNetwork(base.ShellTestCase):

    def test_create(self):
        self.mock('POST', '/clusters/lab1/networks', status=201,
                  json={'uuid': 'n1'})
        self.ok('network', 'create', 'mgmt', '--cluster', 'lab1', '--type',
                'management', '--cidr', '10.0.0.0/24', '--gateway',
                '10.0.0.1', '--vlan-id', '100', '--ip-range',
                '10.0.0.10,10.0.0.50', '--ip-range', '10.0.0.60-10.0.0.70',
                '--mtu', '1500')
        self.assertEqual({'name': 'mgmt', 'type': 'MANAGEMENT',
                          'cidr': '10.0.0.0/24', 'gateway': '10.0.0.1',
                          'vlan_id': 100, 'mtu': 1500,
                          'ip_ranges': [
                              {'start': '10.0.0.10', 'end': '10.0.0.50'},
                              {'start': '10.0.0.60', 'end': '10.0.0.70'}]},
                         self.last().json())

    def test_create_needs_cluster_type_cidr(self):
        for argv in (('network', 'create', 'n', '--type', 'PXE',
                      '--cidr', '10.0.0.0/24'),
                     ('network', 'create', 'n', '--cluster', 'c', '--cidr',
                      '10.0.0.0/24'),
                     ('network', 'create', 'n', '--cluster', 'c', '--type',
                      'BOGUS', '--cidr', '10.0.0.0/24'),
                     ('network', 'create', 'n', '--cluster', 'c', '--type',
                      'PXE', '--ip-range', '10.0.0.1')):
            self.assertEqual(2, self.cli(*argv)[0], argv)
        code, out, err = self.cli('network', 'create', 'n', '--cluster',
                                  'c', '--type', 'PXE')
        self.assertEqual(1, code)
        self.assertIn('--cidr is required', err)
        self.assertFalse(self.requests.called)

    def test_list_filter_show_set_delete(self):
        self.mock('GET', '/clusters/lab1/networks', json={'networks': [
            {'uuid': 'n1', 'name': 'pxe', 'type': 'PXE',
             'cidr': '10.1.0.0/24', 'vlan_id': None, 'gateway': None,
             'ip_ranges': [{'start': '10.1.0.5', 'end': '10.1.0.9'}]}]})
        out = self.ok('network', 'list', '--cluster', 'lab1', '--type',
                      'pxe', '--long')
        self.assertEqual('type=PXE', self.last().url.split('?')[1])
        self.assertIn('end=10.1.0.9, start=10.1.0.5', out)
        self.mock('GET', '/clusters/lab1/networks/pxe', json={'uuid': 'n1'})
        self.ok('network', 'show', 'pxe', '--cluster', 'lab1')
        self.mock('PATCH', '/clusters/lab1/networks/pxe', json={})
        self.ok('network', 'set', 'pxe', '--cluster', 'lab1', '--unset',
                'vlan_id', '--mtu', '9000')
        self.assertEqual({'vlan_id': None, 'mtu': 9000}, self.last().json())
        self.mock('DELETE', '/clusters/lab1/networks/pxe', status=204)
        self.assertEqual('', self.ok('network', 'delete', 'pxe',
                                     '--cluster', 'lab1'))
