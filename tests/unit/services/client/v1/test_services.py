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

"""trellis service list."""

import json

from tests.unit.services.client import base


class TestServiceList(base.ShellTestCase):

    def test_list(self):
        self.mock('GET', '/services', json={'services': [
            {'topic': 'trellis-conductor', 'host': 'ctl-1', 'state': 'up',
             'pid': 42, 'version': '0.1.0', 'last_seen': 'now',
             'stopped_at': None}]})
        rows = json.loads(self.ok('service', 'list', '--topic',
                                  'trellis-conductor', '-f', 'json'))
        self.assertEqual({'topic': ['trellis-conductor']}, self.last().qs)
        self.assertEqual([{'Topic': 'trellis-conductor', 'Host': 'ctl-1',
                           'State': 'up', 'Pid': 42, 'Version': '0.1.0',
                           'Last Seen': 'now'}], rows)
