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
from trellis.services.galera_node import decide


class TestStartMode(base.TestCase):

    def test_scenarios(self):
        cases = [
            (None, 0, decide.BOOTSTRAP),
            (None, 2, decide.BOOTSTRAP),
            ('BUILDING', 1, decide.JOIN),
            ('BUILDING', 0, decide.BOOTSTRAP),
            ('STEADY', 2, decide.JOIN),
            # STEADY with zero live nodes: the cluster is gone.
            ('STEADY', 0, decide.RECOVER),
            ('RECOVERY', 0, decide.RECOVER),
            ('RECOVERY', 1, decide.JOIN),
        ]
        for state, live, expected in cases:
            self.assertEqual(expected, decide.start_mode(state, live),
                             (state, live))

    def test_unknown_state(self):
        self.assertRaises(ValueError, decide.start_mode, 'BROKEN', 0)


class TestChooseBootstrapper(base.TestCase):

    def test_waits_for_every_member(self):
        addr, why = decide.choose_bootstrapper(
            ['a', 'b'], {'a': 5, 'b': 9}, 3, None)
        self.assertIsNone(addr)
        self.assertIn('waiting for 1 of 3', why)

    def test_queued_without_seqno_is_not_reported(self):
        addr, _why = decide.choose_bootstrapper(
            ['a', 'b', 'c'], {'a': 5, 'b': 9}, 3, None)
        self.assertIsNone(addr)

    def test_highest_seqno_wins(self):
        addr, why = decide.choose_bootstrapper(
            ['a', 'b', 'c'], {'a': 5, 'b': 9, 'c': -1}, 3, None)
        self.assertEqual('b', addr)
        self.assertIn('highest seqno 9', why)

    def test_ties_are_broken_the_same_way_everywhere(self):
        addr, _why = decide.choose_bootstrapper(
            ['c', 'b', 'a'], {'a': 5, 'b': 9, 'c': 9}, 3, None)
        self.assertEqual('b', addr)

    def test_forced_node_wins_once_queued(self):
        addr, why = decide.choose_bootstrapper(
            ['a'], {'a': 1}, 3, 'a')
        self.assertEqual('a', addr)
        self.assertIn('forced', why)

    def test_forced_node_not_queued_yet(self):
        addr, why = decide.choose_bootstrapper(
            ['a', 'b', 'c'], {'a': 1, 'b': 2, 'c': 3}, 3, 'd')
        self.assertIsNone(addr)
        self.assertIn('forced node d', why)


class TestSteadyAfterJoin(base.TestCase):

    def test_last_member_makes_it_steady(self):
        self.assertTrue(decide.steady_after_join('BUILDING', 3, 3, 0, False))
        self.assertTrue(decide.steady_after_join('RECOVERY', 3, 3, 0, False))
        self.assertFalse(decide.steady_after_join('BUILDING', 2, 3, 0,
                                                  False))

    def test_forced_recovery_ends_when_the_queue_is_empty(self):
        self.assertTrue(decide.steady_after_join('RECOVERY', 2, 3, 0, True))
        self.assertFalse(decide.steady_after_join('RECOVERY', 2, 3, 1,
                                                  True))
        self.assertFalse(decide.steady_after_join('RECOVERY', 2, 3, 0,
                                                  False))

    def test_already_steady(self):
        self.assertFalse(decide.steady_after_join('STEADY', 3, 3, 0, False))
