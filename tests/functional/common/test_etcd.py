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


"""The etcd module against a real etcd (private server, own prefix)."""

import queue
import time

from tests import base
from tests.functional import base as func_base
from tests.functional import fixtures
from trellis.common import etcd
from trellis.common import exception


class TestEtcd(base.TestCase):

    timeout = 120

    def setUp(self):
        super().setUp()
        self.etcd = self.useFixture(fixtures.EtcdFixture())
        self.client = etcd.EtcdClient(self.etcd.url,
                                      prefix=self.etcd.prefix)

    def test_status(self):
        self.assertIn('version', self.client.status())

    def test_put_get(self):
        self.assertIsNone(self.client.get('a/b'))
        self.client.put('a/b', 'text')
        self.assertEqual('text', self.client.get('a/b'))
        self.client.put('a/json', {'x': [1, 2], 'ok': True})
        self.assertEqual({'x': [1, 2], 'ok': True},
                         self.client.get_json('a/json'))
        value, meta = self.client.get_with_meta('a/b')
        self.assertEqual('text', value)
        self.assertIn('mod_revision', meta)
        # The key lives under the prefix, nowhere else.
        raw = self.client.raw.get(self.etcd.prefix + '/a/b')
        self.assertEqual([b'text'], raw)

    def test_prefixes_are_isolated(self):
        other = etcd.EtcdClient(self.etcd.url,
                                prefix=self.etcd.prefix + '-other')
        self.addCleanup(other.delete_prefix, '')
        self.client.put('k', 'mine')
        other.put('k', 'theirs')
        self.assertEqual('mine', self.client.get('k'))
        self.assertEqual({'k': 'mine'}, self.client.get_prefix(''))

    def test_get_prefix(self):
        for host in ('h2', 'h1', 'h3'):
            self.client.put('services/t/' + host, {'host': host})
        self.client.put('services/u/h1', {'host': 'h1'})
        self.client.put('services/t-other', 'x')
        got = self.client.get_prefix_json('services/t/')
        self.assertEqual(['services/t/h1', 'services/t/h2', 'services/t/h3'],
                         list(got))
        self.assertEqual({'host': 'h2'}, got['services/t/h2'])

    def test_create(self):
        self.assertTrue(self.client.create('leader', 'n1'))
        self.assertFalse(self.client.create('leader', 'n2'))
        self.assertEqual('n1', self.client.get('leader'))

    def test_replace(self):
        self.client.put('state', {'s': 'STEADY'})
        self.assertFalse(self.client.replace('state', {'s': 'BUILDING'},
                                             {'s': 'RECOVERY'}))
        self.assertTrue(self.client.replace('state', {'s': 'STEADY'},
                                            {'s': 'RECOVERY'}))
        self.assertEqual({'s': 'RECOVERY'}, self.client.get_json('state'))

    def test_delete(self):
        self.client.put('q/a', '1')
        self.client.put('q/b', '2')
        self.client.put('r', '3')
        self.assertTrue(self.client.delete('q/a'))
        self.assertFalse(self.client.delete('q/a'))
        self.assertIsNone(self.client.get('q/a'))
        self.assertTrue(self.client.delete_prefix('q/'))
        self.assertEqual({'r': '3'}, self.client.get_prefix(''))

    def test_transaction(self):
        compare = [self.client.txn_missing('leader')]
        success = [self.client.txn_put('leader', 'n1'),
                   self.client.txn_put('state', 'STEADY')]
        failure = [self.client.txn_put('lost', 'n1')]
        self.assertTrue(self.client.transaction(compare, success, failure))
        self.assertEqual('n1', self.client.get('leader'))
        self.assertEqual('STEADY', self.client.get('state'))
        # Second time the compare fails and the failure branch runs.
        self.assertFalse(self.client.transaction(compare, success, failure))
        self.assertEqual('n1', self.client.get('lost'))
        # Value compare and delete.
        self.assertTrue(self.client.transaction(
            [self.client.txn_value_equals('leader', 'n1')],
            [self.client.txn_delete('leader')]))
        self.assertIsNone(self.client.get('leader'))
        self.assertFalse(self.client.transaction(
            [self.client.txn_value_equals('state', 'RECOVERY')],
            [self.client.txn_delete('state')]))
        self.assertEqual('STEADY', self.client.get('state'))

    def test_transaction_with_lease(self):
        lease = self.client.lease(30)
        self.addCleanup(lease.revoke)
        self.assertTrue(self.client.transaction(
            [self.client.txn_missing('owner')],
            [self.client.txn_put('owner', 'c1', lease)]))
        self.assertEqual(str(lease.id),
                         self.client.get_with_meta('owner')[1]['lease'])
        lease.revoke()
        self.assertIsNone(self.client.get('owner'))

    def test_lease_expiry_removes_keys(self):
        lease = self.client.lease(2)
        self.client.put('agent', 'alive', lease=lease)
        self.assertTrue(self.client.create('owner', 'me', lease=lease))
        self.assertEqual('alive', self.client.get('agent'))
        self.assertTrue(func_base.wait_for(
            lambda: self.client.get_prefix('') == {}, timeout=15))
        self.assertLessEqual(lease.refresh(), 0)
        self.assertTrue(lease.lost.is_set())

    def test_revoke_removes_at_once(self):
        lease = self.client.lease(60)
        self.client.put('services/t/h1', 'up', lease=lease)
        self.client.put('services/t/h2', 'up', lease=lease)
        self.client.put('kept', 'yes')
        lease.revoke()
        self.assertEqual({'kept': 'yes'}, self.client.get_prefix(''))
        self.assertTrue(lease.lost.is_set())

    def test_keep_alive_outlives_ttl(self):
        lease = self.client.lease(2)
        self.addCleanup(lease.revoke)
        self.client.put('services/t/h1', 'up', lease=lease)
        refreshes = []
        lease.keep_alive(interval=0.5,
                         on_refresh=lambda: refreshes.append(1))
        # Three TTLs later the key is still there.
        time.sleep(6)
        self.assertEqual('up', self.client.get('services/t/h1'))
        self.assertGreater(len(refreshes), 3)
        self.assertFalse(lease.lost.is_set())
        # Once refreshing stops, it expires.
        lease.stop_keep_alive()
        self.assertTrue(func_base.wait_for(
            lambda: self.client.get('services/t/h1') is None, timeout=15))

    def test_keep_alive_notices_a_revoked_lease(self):
        lease = self.client.lease(30)
        lease.keep_alive(interval=0.2)
        self.addCleanup(lease.stop_keep_alive)
        # Revoked behind its back (e.g. by an operator).
        lease.raw.revoke()
        self.assertTrue(lease.lost.wait(10))

    def _watch(self, path, prefix, probe):
        """Start a watch; return a function giving the next real event.

        The watch is set up asynchronously, so ``probe`` is written until
        the watch reports it; probe events are then skipped.
        """
        events = queue.Queue()
        watch = self.client.watch(path, events.put, prefix=prefix)
        self.addCleanup(watch.cancel)
        self.assertTrue(func_base.wait_for(
            lambda: (self.client.put(probe, 'probe')
                     or not events.empty()), timeout=10, interval=0.2))

        def next_event():
            while True:
                event = events.get(timeout=10)
                if event['value'] != 'probe':
                    return event

        return next_event, events

    def test_watch_sees_put_and_delete(self):
        next_event, _ = self._watch('galera/c1/', True,
                                         'galera/c1/probe')
        self.client.put('galera/c1/nodes/n1', {'seqno': 5})
        self.client.put('galera/c2/nodes/n1', 'other cluster')
        self.client.delete('galera/c1/nodes/n1')
        self.assertEqual({'type': 'PUT', 'key': 'galera/c1/nodes/n1',
                          'value': '{"seqno":5}'}, next_event())
        deleted = next_event()
        self.assertEqual(('DELETE', 'galera/c1/nodes/n1'),
                         (deleted['type'], deleted['key']))
        # The other cluster's key was not reported.
        self.client.put('galera/c1/end', 'end')
        self.assertEqual('galera/c1/end', next_event()['key'])

    def test_watch_one_key(self):
        next_event, _ = self._watch('leader', False, 'leader')
        self.client.put('leader-other', 'x')
        self.client.put('leader', 'n1')
        self.assertEqual({'type': 'PUT', 'key': 'leader', 'value': 'n1'},
                         next_event())


class TestEtcdUnreachable(base.TestCase):

    def test_names_the_url(self):
        url = 'http://127.0.0.1:%d' % fixtures.servers.free_port()
        client = etcd.EtcdClient(url, timeout=2)
        exc = self.assertRaises(exception.EtcdUnavailable, client.get, 'k')
        self.assertIn(url, str(exc))
        exc = self.assertRaises(exception.EtcdUnavailable, client.put, 'k',
                                'v')
        self.assertIn(url, str(exc))
