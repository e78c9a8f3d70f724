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

"""trellis host ... and host role ...: options -> requests, secrets."""

import json

from tests.unit.services.client import base

C_UUID = '6f1c1c9e-0d5e-4a52-9f2b-0c3a1f6d2e11'
HOST = {'uuid': 'h1', 'name': 'node-1', 'cluster_uuid': C_UUID,
        'status': 'with-role', 'os_status': 'init', 'os_progress': 0,
        'power_state': 'off',
        'bmc': {'driver': 'ipmi', 'address': '10.9.0.5', 'port': 623,
                'username': 'root', 'password': '******'},
        'interfaces': [{'name': 'eth0', 'mac': '52:54:00:aa:bb:01',
                        'pxe': True}],
        'roles': [{'name': 'CONTROLLER_HA', 'role_status': 'init',
                   'role_progress': 0, 'role_messages': None},
                  {'name': 'COMPUTER', 'role_status': 'init',
                   'role_progress': 0, 'role_messages': None}]}


class TestHost(base.ShellTestCase):

    def setUp(self):
        super().setUp()
        self.mock('GET', '/clusters/lab1', json={'uuid': C_UUID,
                                                 'name': 'lab1'})

    def test_create_full(self):
        self.mock('POST', '/hosts', status=201, json=HOST)
        out = self.ok(
            'host', 'create', 'node-1', '--cluster', 'lab1', '--arch',
            'x86_64', '--dmi-uuid', 'd-1', '--position', 'rack1/u3',
            '--bmc-driver', 'ipmi', '--bmc-address', '10.9.0.5',
            '--bmc-port', '623', '--bmc-username', 'root',
            '--bmc-password', 'hunter2',
            '--interface', 'name=eth0,mac=52:54:00:aa:bb:01,pxe=true,'
                           'ip=10.0.0.5,netmask=255.255.255.0',
            '--interface', 'name=bond0,type=bond,slaves=eth1+eth2,'
                           'mode=active-backup,vlan_id=100,'
                           'networks=MANAGEMENT+STORAGE',
            '--maintenance', '--maintenance-reason', 'new disk')
        self.assertEqual({
            'name': 'node-1', 'cluster_uuid': C_UUID, 'arch': 'x86_64',
            'dmi_uuid': 'd-1', 'position': 'rack1/u3', 'maintenance': True,
            'maintenance_reason': 'new disk',
            'bmc': {'driver': 'ipmi', 'address': '10.9.0.5', 'port': 623,
                    'username': 'root', 'password': 'hunter2'},
            'interfaces': [
                {'name': 'eth0', 'mac': '52:54:00:aa:bb:01', 'pxe': True,
                 'ip': '10.0.0.5', 'netmask': '255.255.255.0'},
                {'name': 'bond0', 'type': 'bond', 'slaves': ['eth1', 'eth2'],
                 'mode': 'active-backup', 'vlan_id': 100,
                 'networks': ['MANAGEMENT', 'STORAGE']}]},
            self.last().json())
        # The secret is sent, never printed.
        self.assertNotIn('hunter2', out)
        self.assertIn('******', out)

    def test_password_file(self):
        path = self.write('bmc.pw', 'from-file\nignored\n')
        self.mock('POST', '/hosts', status=201, json=HOST)
        self.ok('host', 'create', 'node-1', '--bmc-password-file', path)
        self.assertEqual({'name': 'node-1',
                          'bmc': {'password': 'from-file'}},
                         self.last().json())
        code, out, err = self.cli('host', 'create', 'n', '--bmc-password',
                                  'x', '--bmc-password-file', path)
        self.assertEqual(1, code)
        self.assertIn('not both', err)
        code, out, err = self.cli('host', 'create', 'n',
                                  '--bmc-password-file', path + '.missing')
        self.assertEqual(1, code)
        self.assertIn('Cannot read --bmc-password-file', err)

    def test_bad_interface(self):
        for value in ('name=eth0,colour=red', 'eth0'):
            code, out, err = self.cli('host', 'create', 'n', '--interface',
                                      value)
            self.assertEqual(2, code)
        self.assertFalse(self.requests.called)

    def test_unknown_cluster(self):
        self.mock('GET', '/clusters/nope', status=404,
                  json=base.error(404, 'Cluster nope could not be found.'))
        code, out, err = self.cli('host', 'create', 'n', '--cluster', 'nope')
        self.assertEqual(1, code)
        self.assertIn('Cluster nope could not be found.', err)

    def test_list_filters_and_roles_column(self):
        self.mock('GET', '/hosts', json={'hosts': [HOST]})
        out = self.ok('host', 'list', '--cluster', 'lab1', '--role',
                      'COMPUTER', '--status', 'with-role', '--os-status',
                      'init', '--mac', '52:54:00:aa:bb:01')
        self.assertEqual(
            {'cluster': ['lab1'], 'role': ['computer'],
             'status': ['with-role'], 'os_status': ['init'],
             'mac': ['52:54:00:aa:bb:01']}, self.last().qs)
        self.assertIn('CONTROLLER_HA, COMPUTER', out)
        rows = json.loads(self.ok('host', 'list', '-f', 'json'))
        self.assertEqual(HOST['roles'], rows[0]['Roles'])

    def test_show_json(self):
        self.mock('GET', '/hosts/node-1', json=HOST)
        self.assertEqual(HOST, json.loads(self.ok('host', 'show', 'node-1',
                                                  '-f', 'json')))

    def test_set(self):
        self.mock('PATCH', '/hosts/node-1', json=HOST)
        self.ok('host', 'set', 'node-1', '--no-maintenance', '--unset',
                'cluster', '--unset', 'maintenance_reason')
        self.assertEqual({'maintenance': False, 'cluster_uuid': None,
                          'maintenance_reason': None}, self.last().json())
        self.ok('host', 'set', 'node-1', '--cluster', 'lab1',
                '--bmc-address', '10.9.0.6')
        self.assertEqual({'cluster_uuid': C_UUID,
                          'bmc': {'address': '10.9.0.6'}},
                         self.last().json())


class TestHostRole(base.ShellTestCase):

    def test_add_remove_list(self):
        self.mock('PUT', '/hosts/node-1/roles/CONTROLLER_HA', status=201,
                  json={'name': 'CONTROLLER_HA'})
        self.mock('PUT', '/hosts/node-1/roles/COMPUTER', status=200,
                  json={'name': 'COMPUTER'})
        self.assertEqual('', self.ok('host', 'role', 'add', 'node-1',
                                     'CONTROLLER_HA', 'COMPUTER'))
        self.assertEqual(2, self.requests.call_count)
        self.mock('DELETE', '/hosts/node-1/roles/COMPUTER', status=204)
        self.ok('host', 'role', 'remove', 'node-1', 'COMPUTER')
        self.assertEqual('DELETE', self.last().method)
        self.mock('GET', '/hosts/node-1/roles', json={'roles': HOST['roles']})
        out = self.ok('host', 'role', 'list', 'node-1', '-f', 'value',
                      '-c', 'Name', '-c', 'Role Status')
        self.assertEqual('CONTROLLER_HA init\nCOMPUTER init\n', out)

    def test_add_refused(self):
        self.mock('PUT', '/hosts/node-1/roles/STORAGE', status=404,
                  json=base.error(404, 'Role STORAGE could not be found in '
                                       'cluster lab1.'))
        code, out, err = self.cli('host', 'role', 'add', 'node-1',
                                  'STORAGE')
        self.assertEqual(1, code)
        self.assertIn('Role STORAGE could not be found', err)
