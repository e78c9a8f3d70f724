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


"""trellis role create|list|show|set|delete: options -> requests."""

import json

from tests.unit.services.client import base


class TestRole(base.ShellTestCase):

    def test_create_list_set(self):
        self.mock('POST', '/clusters/lab1/roles', status=201,
                  json={'uuid': 'r1', 'name': 'CONTROLLER_HA'})
        self.ok('role', 'create', 'CONTROLLER_HA', '--cluster', 'lab1',
                '--vip', '10.0.0.100')
        self.assertEqual({'name': 'CONTROLLER_HA', 'vip': '10.0.0.100'},
                         self.last().json())
        self.mock('GET', '/clusters/lab1/roles', json={'roles': [
            {'uuid': 'r1', 'name': 'CONTROLLER_HA', 'status': 'init',
             'progress': 0, 'vip': '10.0.0.100'}]})
        out = self.ok('role', 'list', '--cluster', 'lab1', '--status',
                      'init', '-f', 'json')
        self.assertEqual([{'UUID': 'r1', 'Name': 'CONTROLLER_HA',
                           'Status': 'init', 'Progress': 0,
                           'VIP': '10.0.0.100'}], json.loads(out))
        self.mock('PATCH', '/clusters/lab1/roles/CONTROLLER_HA', json={})
        self.ok('role', 'set', 'CONTROLLER_HA', '--cluster', 'lab1',
                '--unset', 'vip')
        self.assertEqual({'vip': None}, self.last().json())
