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
from trellis.services.galera_watcher import health

UUID = '11111111-2222-3333-4444-555555555555'
OTHER = '99999999-2222-3333-4444-555555555555'


def status(**overrides):
    values = {'wsrep_local_state_comment': 'Synced',
              'wsrep_evs_state': 'OPERATIONAL',
              'wsrep_connected': 'ON', 'wsrep_ready': 'ON',
              'wsrep_cluster_state_uuid': UUID,
              'wsrep_cluster_size': '3', 'wsrep_last_committed': '42',
              'wsrep_cluster_status': 'Primary'}
    values.update(overrides)
    return values


class TestReadiness(base.TestCase):

    def test_all_five_conditions_hold(self):
        verdict = health.readiness(status(), UUID)
        self.assertEqual(health.OK, verdict.action)

    def test_each_condition_is_required(self):
        for name, bad in (('wsrep_local_state_comment', 'Joined'),
                          ('wsrep_evs_state', 'GATHER'),
                          ('wsrep_connected', 'OFF'),
                          ('wsrep_ready', 'OFF')):
            verdict = health.readiness(status(**{name: bad}), UUID)
            self.assertEqual(health.SKIP, verdict.action, name)
            self.assertIn(name, verdict.reason)

    def test_uuid_must_equal_etcd(self):
        self.assertEqual(health.SKIP,
                         health.readiness(status(), OTHER).action)
        self.assertEqual(health.SKIP,
                         health.readiness(status(), None).action)

    def test_no_status_is_not_ready(self):
        self.assertEqual(health.SKIP, health.readiness(None, UUID).action)


class TestMemberAlive(base.TestCase):

    def test_donor_counts_as_member(self):
        verdict = health.member_alive(
            status(wsrep_local_state_comment='Donor/Desynced'), UUID)
        self.assertEqual(health.OK, verdict.action)

    def test_joiner_and_other_uuid_do_not(self):
        self.assertEqual(health.SKIP, health.member_alive(
            status(wsrep_local_state_comment='Joiner'), UUID).action)
        self.assertEqual(health.SKIP,
                         health.member_alive(status(), OTHER).action)


class TestLiveness(base.TestCase):

    def check(self, cluster_state='STEADY', phase='running', st=None,
              error=None, uuid=UUID, previous=None):
        return health.liveness(cluster_state, phase,
                               status() if st is None else st, error, uuid,
                               previous)

    def test_alive(self):
        self.assertEqual(health.OK, self.check().action)

    def test_skipped_unless_steady(self):
        for state in ('BUILDING', 'RECOVERY', None):
            verdict = self.check(cluster_state=state,
                                 error=RuntimeError('down'))
            self.assertEqual(health.SKIP, verdict.action, state)

    def test_skipped_during_state_transfer(self):
        self.assertEqual(health.SKIP, self.check(phase='joining').action)
        self.assertEqual(health.SKIP, self.check(
            st=status(wsrep_local_state_comment='Joiner',
                      wsrep_cluster_state_uuid=OTHER)).action)

    def test_skipped_before_pid_file(self):
        for phase in ('starting', 'waiting'):
            verdict = self.check(phase=phase, error=RuntimeError('x'))
            self.assertEqual(health.SKIP, verdict.action)
            self.assertIn('pid file', verdict.reason)

    def test_other_uuid_is_split_brain(self):
        verdict = self.check(st=status(wsrep_cluster_state_uuid=OTHER))
        self.assertEqual(health.FENCE, verdict.action)
        self.assertIn('split brain', verdict.reason)

    def test_joined_twice_restarts(self):
        joined = status(wsrep_local_state_comment='Joined')
        self.assertEqual(health.OK, self.check(st=joined).action)
        self.assertEqual(health.RESTART,
                         self.check(st=joined, previous='Joined').action)

    def test_exception_restarts(self):
        verdict = self.check(st={}, error=OSError('refused'))
        self.assertEqual(health.RESTART, verdict.action)
        self.assertIn('refused', verdict.reason)

    def test_fenced_node_is_left_alone(self):
        self.assertEqual(health.SKIP, self.check(
            phase='fenced', error=OSError('down')).action)


class TestSummary(base.TestCase):

    def test_numbers_are_ints(self):
        summary = health.summary(status())
        self.assertEqual(42, summary['seqno'])
        self.assertEqual(3, summary['cluster_size'])
        self.assertIsNone(health.summary(None)['seqno'])


class TestSplitBrainNeedsAPrimaryComponent(base.TestCase):

    def test_non_primary_or_nil_uuid_is_not_split_brain(self):
        for st in (status(wsrep_cluster_state_uuid=health.NIL_UUID),
                   status(wsrep_cluster_state_uuid=OTHER,
                          wsrep_cluster_status='non-Primary')):
            verdict = health.liveness('STEADY', 'running', st, None, UUID,
                                      None)
            self.assertEqual(health.OK, verdict.action)
