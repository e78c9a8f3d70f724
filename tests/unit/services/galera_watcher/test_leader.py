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

from tests import base
from trellis.services.galera_watcher import leader


class TestChooseLeader(base.TestCase):

    def test_keeps_a_ready_leader(self):
        self.assertEqual('b:1', leader.choose_leader(
            'b:1', {'a:1': 10, 'b:1': 5}))

    def test_highest_seqno_replaces_a_lost_leader(self):
        self.assertEqual('c:1', leader.choose_leader(
            'a:1', {'b:1': 5, 'c:1': 9}))

    def test_ties_go_to_the_lowest_address(self):
        self.assertEqual('b:1', leader.choose_leader(
            None, {'c:1': 5, 'b:1': 5}))

    def test_unknown_seqno_ranks_last(self):
        self.assertEqual('b:1', leader.choose_leader(
            None, {'a:1': None, 'b:1': 0}))

    def test_alive_leader_kept_when_nobody_is_ready(self):
        self.assertEqual('a:1', leader.choose_leader('a:1', {}, {'a:1'}))
        self.assertEqual('b:1', leader.choose_leader('a:1', {'b:1': 1},
                                                     {'a:1'}))

    def test_no_ready_node_no_leader(self):
        self.assertIsNone(leader.choose_leader('a:1', {}))
