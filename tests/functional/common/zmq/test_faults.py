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


"""Faults over zmq://: servers that die or move, etcd that goes away."""

import os
import threading

import oslo_messaging as messaging

from tests.functional.base import wait_for
from tests.functional.common.zmq import zmq_fixtures
from trellis.common.zmq import driver as zmq_driver


def _call_in_thread(client, method, **kwargs):
    """Run a call in a thread; the result dict gets 'value' or 'error'."""
    result: dict = {}

    def run():
        try:
            result['value'] = client.call({}, method, **kwargs)
        except Exception as exc:
            result['error'] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


class TestServerFaults(zmq_fixtures.ZmqTestCase):

    MATCHMAKER_TTL = 10

    def setUp(self):
        super().setUp()
        self.transport = self.make_transport()

    def test_server_killed_mid_call(self):
        server = self.start_server('s1')
        client = self.client(self.transport, timeout=60, server='s1')
        marker = os.path.join(self.tempdir, 'call-started')
        thread, result = _call_in_thread(client, 'sleep', seconds=120,
                                         marker=marker)
        wait_for(lambda: os.path.exists(marker), 30,
                 what='the call to run on the server')
        server.kill()
        thread.join(90)
        self.assertFalse(thread.is_alive())
        # Not the plain timeout: the disconnect failed the call at once.
        self.assertIsInstance(result.get('error'),
                              zmq_driver.ServerUnavailable)
        self.assertIn('may or may not have run', str(result['error']))

    def test_call_to_a_dead_server_fails_fast(self):
        server = self.start_server('s1')
        client = self.client(self.transport, timeout=60, server='s1')
        self.assertEqual('s1', client.call({}, 'whoami')['server'])
        server.kill()
        # Its entry outlives it until the lease expires; meanwhile the
        # refused connection fails the call without waiting 60 s.
        exc = self.assertRaises(zmq_driver.ServerUnavailable, client.call,
                                {}, 'whoami')
        self.assertIn(server.endpoint, str(exc))
        wait_for(lambda: 'matchmaker/trellis/zmq-test/s1' not in
                 self.etcd_client.get_prefix('matchmaker/'),
                 self.MATCHMAKER_TTL + 20, what='the entry to expire')
        exc = self.assertRaises(messaging.MessagingTimeout,
                                self.client(self.transport, timeout=1,
                                            server='s1').call,
                                {}, 'whoami')
        self.assertIn('No zmq server for topic zmq-test, server s1',
                      str(exc))

    def test_topic_call_avoids_a_dead_server(self):
        dead = self.start_server('s1')
        self.start_server('s2')
        client = self.client(self.transport, timeout=30)
        self.assertEqual({'s1', 's2'}, {client.call({}, 'whoami')['server']
                                        for _ in range(4)})
        dead.kill()
        # s1 is still in the matchmaker, but no call is lost to it.
        self.assertEqual({'s2'}, {client.call({}, 'whoami')['server']
                                  for _ in range(6)})

    def test_server_restarted_on_another_port(self):
        server = self.start_server('s1')
        server.kill()
        server.start(port_min=49153, port_max=57000)
        client = self.client(self.transport, timeout=10, server='s1')
        first = client.call({}, 'whoami')
        old_endpoint = server.endpoint
        server.kill()
        server.start(port_min=57001, port_max=65535)
        self.assertNotEqual(old_endpoint, server.endpoint)

        def answered():
            try:
                return client.call({}, 'whoami')
            except messaging.MessagingTimeout:
                return None

        second = wait_for(answered, 60, interval=0.2,
                          what='a call to the restarted server')
        self.assertEqual('s1', second['server'])
        self.assertNotEqual(first['pid'], second['pid'])
        self.assertEqual(server.endpoint, self.etcd_client.get_json(
            'matchmaker/trellis/zmq-test/s1')['endpoint'])


class TestEtcdOutage(zmq_fixtures.ZmqTestCase):
    """etcd stops and comes back (with its data, as after a restart)."""

    MATCHMAKER_TTL = 30

    def setup_etcd(self):
        self.private_etcd = self.useFixture(zmq_fixtures.PrivateEtcd())
        self.use_etcd(self.private_etcd.url, '/trellis-zmq-outage')

    def test_cached_endpoints_keep_working(self):
        self.start_server('s1')
        transport = self.make_transport()
        client = self.client(transport, timeout=10)
        self.assertEqual('s1', client.call({}, 'whoami')['server'])

        self.private_etcd.stop()
        for n in range(5):
            self.assertEqual(n, client.call({}, 'echo', value=n))
            client.prepare(server='s1').cast({}, 'record', value=n)
        self.assertEqual([0, 1, 2, 3, 4], wait_for(
            lambda: client.call({}, 'recorded'), 10, what='casts'))

        self.private_etcd.start()
        self.assertEqual('s1', client.call({}, 'whoami')['server'])
        # The client follows the matchmaker again: a new server is found.
        self.start_server('s2')
        client2 = self.client(transport, timeout=2, server='s2')

        def found():
            try:
                return client2.call({}, 'whoami')
            except messaging.MessagingTimeout:
                return None

        self.assertEqual('s2', wait_for(found, 30, interval=0.2,
                                        what='s2 to be found')['server'])
