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


"""Tests of the matchmaker's logic against an in-memory etcd."""

import json

from tests import base
from tests.unit.common.zmq import fake_etcd
from trellis.common.zmq import matchmaker


def _entry(endpoint, kind='rpc', pool=None):
    entry = {'endpoint': endpoint, 'kind': kind, 'host': 'h', 'pid': 1}
    if pool:
        entry['pool'] = pool
    return entry


class TestPaths(base.TestCase):

    def test_entry_path(self):
        self.assertEqual('matchmaker/trellis/trellis-conductor/host-1',
                         matchmaker.entry_path('trellis',
                                               'trellis-conductor',
                                               'host-1'))

    def test_entry_path_refuses_slashes_and_empty(self):
        self.assertRaises(ValueError, matchmaker.entry_path, 'e', 'a/b', 's')
        self.assertRaises(ValueError, matchmaker.entry_path, 'e', 't', '')

    def test_parse_path(self):
        self.assertEqual(('e', 'notifications.info', 's'),
                         matchmaker.parse_path(
                             'matchmaker/e/notifications.info/s'))
        self.assertIsNone(matchmaker.parse_path('matchmaker/e/t'))
        self.assertIsNone(matchmaker.parse_path('services/e/t/s'))

    def test_parse_value(self):
        self.assertEqual({'endpoint': 'tcp://a:1', 'kind': 'rpc'},
                         matchmaker.parse_value('{"endpoint": "tcp://a:1"}'))
        self.assertIsNone(matchmaker.parse_value('tcp://a:1'))
        self.assertIsNone(matchmaker.parse_value('{"port": 1}'))
        self.assertIsNone(matchmaker.parse_value(None))

    def test_make_entry(self):
        entry = matchmaker.make_entry('tcp://127.0.0.1:5000', 'notify', 'p')
        self.assertEqual('tcp://127.0.0.1:5000', entry['endpoint'])
        self.assertEqual('notify', entry['kind'])
        self.assertEqual('p', entry['pool'])
        self.assertIn('pid', entry)


class TestMatchmaker(base.TestCase):

    def setUp(self):
        super().setUp()
        self.etcd = fake_etcd.FakeEtcd()
        self.mm = matchmaker.Matchmaker(self.etcd, ttl=7,
                                        resync_interval=300)
        self.mm.start()
        self.addCleanup(self.mm.stop)
        self.changes = []
        self.mm.add_observer(lambda *args: self.changes.append(args))

    def _publish(self, topic, server, endpoint, **kwargs):
        # Another process registers (the watch brings it here).
        self.etcd.put(matchmaker.entry_path('trellis', topic, server),
                      _entry(endpoint, **kwargs))

    def test_register_publishes_on_a_kept_alive_lease(self):
        entry = _entry('tcp://127.0.0.1:5000')
        path = self.mm.register('trellis', 'conductor', 'h1', entry)
        self.assertEqual('matchmaker/trellis/conductor/h1', path)
        value, lease_id = self.etcd.data[path]
        self.assertEqual(entry, json.loads(value))
        self.assertIsNotNone(lease_id)
        self.assertTrue(self.mm._lease.kept_alive)
        self.assertEqual(7, self.mm._lease.ttl)
        self.assertEqual(entry, self.mm.lookup('trellis', 'conductor', 'h1'))

    def test_entries_share_one_lease(self):
        self.mm.register('trellis', 'a', 'h1', _entry('tcp://x:1'))
        self.mm.register('trellis', 'b', 'h1', _entry('tcp://x:1'))
        leases = {lease for _, lease in self.etcd.data.values()}
        self.assertEqual(1, len(leases))

    def test_watch_brings_other_servers(self):
        self._publish('conductor', 'h2', 'tcp://10.0.0.2:5000')
        self.assertEqual({'h2'}, set(self.mm.servers('trellis',
                                                     'conductor')))
        self.assertEqual(('trellis', 'conductor', 'h2', None,
                          _entry('tcp://10.0.0.2:5000')), self.changes[-1])

    def test_initial_load(self):
        self._publish('conductor', 'h2', 'tcp://10.0.0.2:5000')
        other = matchmaker.Matchmaker(self.etcd, resync_interval=300)
        other.start()
        self.addCleanup(other.stop)
        self.assertTrue(other.loaded)
        self.assertEqual('tcp://10.0.0.2:5000',
                         other.lookup('trellis', 'conductor',
                                      'h2')['endpoint'])

    def test_topic_alone_is_round_robin(self):
        for n in (1, 2, 3):
            self._publish('conductor', 'h%d' % n, 'tcp://10.0.0.%d:1' % n)
        picked = [self.mm.select('trellis', 'conductor')[0]
                  for _ in range(6)]
        self.assertEqual(['h1', 'h2', 'h3', 'h1', 'h2', 'h3'], picked)

    def test_select_skips_excluded_unless_nothing_else(self):
        self._publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        self._publish('conductor', 'h2', 'tcp://10.0.0.2:1')

        def down(entry):
            return entry['endpoint'] == 'tcp://10.0.0.1:1'

        self.assertEqual({'h2'}, {self.mm.select('trellis', 'conductor',
                                                 exclude=down)[0]
                                  for _ in range(4)})
        # Everything excluded: still an answer rather than none.
        self.assertIn(self.mm.select('trellis', 'conductor',
                                     exclude=lambda e: True)[0],
                      ('h1', 'h2'))

    def test_select_none(self):
        self.assertIsNone(self.mm.select('trellis', 'nobody'))

    def test_topic_and_server(self):
        self._publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        self._publish('conductor', 'h2', 'tcp://10.0.0.2:1')
        self.assertEqual('tcp://10.0.0.2:1', self.mm.lookup(
            'trellis', 'conductor', 'h2')['endpoint'])
        self.assertIsNone(self.mm.lookup('trellis', 'conductor', 'h3'))
        self.assertIsNone(self.mm.lookup('other', 'conductor', 'h1'))

    def test_kinds_are_separate(self):
        self._publish('notifications.info', 'l1', 'tcp://a:1',
                      kind='notify', pool='p')
        self.assertEqual({}, self.mm.servers('trellis',
                                             'notifications.info'))
        self.assertEqual('p', self.mm.servers(
            'trellis', 'notifications.info', kind='notify')['l1']['pool'])

    def test_dead_server_disappears_with_its_lease(self):
        lease = self.etcd.lease(3)
        self.etcd.put(matchmaker.entry_path('trellis', 'conductor', 'h9'),
                      _entry('tcp://10.0.0.9:1'), lease=lease)
        self.assertIsNotNone(self.mm.lookup('trellis', 'conductor', 'h9'))
        self.etcd.expire(lease)
        self.assertIsNone(self.mm.lookup('trellis', 'conductor', 'h9'))
        self.assertEqual(('trellis', 'conductor', 'h9',
                          _entry('tcp://10.0.0.9:1'), None),
                         self.changes[-1])

    def test_restart_on_another_port_replaces_the_endpoint(self):
        self._publish('conductor', 'h1', 'tcp://10.0.0.1:1000')
        self._publish('conductor', 'h1', 'tcp://10.0.0.1:2000')
        self.assertEqual('tcp://10.0.0.1:2000', self.mm.lookup(
            'trellis', 'conductor', 'h1')['endpoint'])
        self.assertEqual('tcp://10.0.0.1:1000', self.changes[-1][3]
                         ['endpoint'])

    def test_cache_survives_etcd_outage(self):
        self._publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        self.etcd.down = True
        self.assertFalse(self.mm.resync())
        self.assertEqual('tcp://10.0.0.1:1', self.mm.select(
            'trellis', 'conductor')[1]['endpoint'])

    def test_watch_restarted_and_changes_caught_up_after_outage(self):
        self._publish('conductor', 'h1', 'tcp://10.0.0.1:1')
        old_watch = self.mm._watch
        self.etcd.down = True
        self.assertFalse(self.mm.resync())
        self.etcd.down = False
        # Changes made while this client could not watch.
        self.etcd.watches.clear()
        self.etcd.delete(matchmaker.entry_path('trellis', 'conductor', 'h1'))
        self._publish('conductor', 'h2', 'tcp://10.0.0.2:1')
        self.assertIsNotNone(self.mm.lookup('trellis', 'conductor', 'h1'))
        self.assertTrue(self.mm.resync())
        self.assertTrue(old_watch.cancelled)
        self.assertIsNot(old_watch, self.mm._watch)
        self.assertEqual({'h2'}, set(self.mm.servers('trellis',
                                                     'conductor')))
        # The new watch works.
        self._publish('conductor', 'h3', 'tcp://10.0.0.3:1')
        self.assertIn('h3', self.mm.servers('trellis', 'conductor'))

    def test_lookups_load_lazily_when_etcd_was_down_at_start(self):
        etcd = fake_etcd.FakeEtcd()
        etcd.put(matchmaker.entry_path('trellis', 't', 's'),
                 _entry('tcp://a:1'))
        etcd.down = True
        mm = matchmaker.Matchmaker(etcd, resync_interval=300)
        mm.start()
        self.addCleanup(mm.stop)
        self.assertFalse(mm.loaded)
        self.assertEqual({}, mm.servers('trellis', 't'))
        etcd.down = False
        self.assertEqual({'s'}, set(mm.servers('trellis', 't')))

    def test_lost_lease_is_replaced_and_entries_republished(self):
        path = self.mm.register('trellis', 'conductor', 'h1',
                                _entry('tcp://x:1'))
        first = self.mm._lease
        self.etcd.expire(first)
        self.assertNotIn(path, self.etcd.data)
        self.assertTrue(self.mm.resync())
        self.assertIn(path, self.etcd.data)
        self.assertIsNot(first, self.mm._lease)
        self.assertEqual(self.mm._lease.id, self.etcd.data[path][1])

    def test_name_taken_by_another_process_is_left_alone(self):
        path = self.mm.register('trellis', 'conductor', 'h1',
                                _entry('tcp://x:1'))
        self._publish('conductor', 'h1', 'tcp://y:2')
        self.assertTrue(self.mm.resync())
        self.assertEqual('tcp://y:2',
                         json.loads(self.etcd.data[path][0])['endpoint'])
        self.assertNotIn(path, self.mm._registrations)

    def test_unregister(self):
        path = self.mm.register('trellis', 'conductor', 'h1',
                                _entry('tcp://x:1'))
        self.mm.unregister(path)
        self.assertNotIn(path, self.etcd.data)
        self.assertIsNone(self.mm.lookup('trellis', 'conductor', 'h1'))

    def test_unregister_with_etcd_down_does_not_raise(self):
        path = self.mm.register('trellis', 'conductor', 'h1',
                                _entry('tcp://x:1'))
        self.etcd.down = True
        self.mm.unregister(path)
        self.assertIsNone(self.mm.lookup('trellis', 'conductor', 'h1'))

    def test_stop_revokes_the_lease(self):
        path = self.mm.register('trellis', 'conductor', 'h1',
                                _entry('tcp://x:1'))
        self.mm.stop()
        self.assertNotIn(path, self.etcd.data)
        self.assertEqual(set(), self.etcd.leases)

    def test_ignores_foreign_keys(self):
        self.etcd.put('matchmaker/trellis/conductor', 'junk')
        self.etcd.put('matchmaker/trellis/conductor/h1', 'not json')
        self.assertTrue(self.mm.resync())
        self.assertEqual({}, self.mm.servers('trellis', 'conductor'))
