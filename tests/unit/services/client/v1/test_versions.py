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


"""trellis version create|list|show|set|delete: options -> requests."""

from tests.unit.services.client import base


class TestVersion(base.ShellTestCase):

    def test_create_and_set(self):
        self.mock('POST', '/versions', status=201, json={'uuid': 'v1'})
        self.ok('version', 'create', 'kolla-2024.1', '--type', 'kolla',
                '--file', '/var/lib/trellis/kolla.tgz', '--size', '1024',
                '--checksum', 'sha256:ab')
        self.assertEqual({'name': 'kolla-2024.1', 'type': 'kolla',
                          'file': '/var/lib/trellis/kolla.tgz', 'size': 1024,
                          'checksum': 'sha256:ab'}, self.last().json())
        self.assertEqual(2, self.cli('version', 'create', 'x')[0])
        self.mock('PATCH', '/versions/kolla-2024.1', json={})
        self.ok('version', 'set', 'kolla-2024.1', '--checksum', 'sha256:cd')
        self.assertEqual({'checksum': 'sha256:cd'}, self.last().json())
