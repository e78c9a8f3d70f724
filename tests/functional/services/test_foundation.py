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

"""Issue 2: the six daemons on a real bus, sharing liveness in etcd."""

import json
import signal
import time

from testtools import content

from tests.functional import base
from trellis.common import context
from trellis.common import service_registry
from trellis.services.api import rpcapi as api_rpcapi
from trellis.services.conductor import rpcapi as conductor_rpcapi
from trellis.services.discovery import rpcapi as discovery_rpcapi
from trellis.services.galera_watcher import rpcapi as galera_rpcapi
from trellis.services.installer import rpcapi as installer_rpcapi
from trellis.services.scheduler import rpcapi as scheduler_rpcapi

RPCAPIS = {
    'api': api_rpcapi.APIAPI,
    'conductor': conductor_rpcapi.ConductorAPI,
    'scheduler': scheduler_rpcapi.SchedulerAPI,
    'discovery': discovery_rpcapi.DiscoveryAPI,
    'installer': installer_rpcapi.InstallerAPI,
    'galera_watcher': galera_rpcapi.GaleraWatcherAPI,
}




class TestFoundation(base.ServiceTestCase):
    """All six daemons run as separate processes for the whole class."""

    SERVICES_TO_START = tuple(base.SERVICES)

    def _status(self, svc: base.ServiceProcessFixture
                ) -> service_registry.ServiceStatus:
        for status in service_registry.list_services(self.etcd_client,
                                                     topic=svc.topic):
            if status.host == svc.host:
                return status
        self.fail('%s on %s is not registered' % (svc.topic, svc.host))

    def _service_list(self, *args: str) -> list[dict]:
        result = self.manage('service', 'list', '-f', 'json', *args)
        self.assertEqual(0, result.returncode, result.stderr)
        return json.loads(result.stdout)

    def test_every_service_answers_ping_over_rpc(self):
        self.use_rpc()
        ctxt = context.get_admin_context()
        for name, svc in self.services.items():
            answer = RPCAPIS[name]().ping(ctxt, host=svc.host, timeout=10)
            self.assertEqual(svc.host, answer['host'])
            self.assertEqual(svc.topic, answer['topic'])
            self.assertTrue(answer['version'])
            self.assertGreaterEqual(answer['uptime'], 0)

    def test_manage_service_list_shows_all_six_up(self):
        rows = self._service_list()
        mine = {(r['Topic'], r['Host']): r for r in rows}
        for svc in self.services.values():
            row = mine.get((svc.topic, svc.host))
            self.assertIsNotNone(row, '%s missing from %s' % (svc.topic,
                                                              rows))
            self.assertEqual('up', row['State'])
            self.assertTrue(row['Version'])
            self.assertIn('UTC', row['Last Seen'])
        self.assertEqual(len(self.services),
                         len({r['Topic'] for r in rows}))

    def test_manage_service_list_topic_filter(self):
        rows = self._service_list('--topic', 'galera-watcher')
        self.assertEqual(
            [('trellis-galera-watcher',
              self.services['galera_watcher'].host)],
            [(r['Topic'], r['Host']) for r in rows])

    def test_manage_service_ping(self):
        svc = self.services['scheduler']
        result = self.manage('service', 'ping', 'trellis-scheduler',
                             '--host', svc.host, '--timeout', '10',
                             '-f', 'json')
        self.assertEqual(0, result.returncode, result.stderr)
        answer = json.loads(result.stdout)
        self.assertEqual(svc.host, answer['Host'])
        self.assertEqual('trellis-scheduler', answer['Topic'])
        self.assertTrue(answer['Version'])
        self.assertGreater(answer['Round Trip (ms)'], 0)

    def test_manage_service_ping_nobody_answers(self):
        result = self.manage('service', 'ping', 'conductor',
                             '--host', 'no-such-host', '--timeout', '2')
        self.assertEqual(1, result.returncode)
        self.assertIn('No trellis-conductor on host no-such-host answered '
                      'within 2 s', result.stderr)
        self.assertNotIn('Traceback', result.stderr)

    def test_sigkill_shows_down_within_ttl_then_up_after_restart(self):
        svc = self.start_service('scheduler')
        # cotyledon: a master and one forked worker, one process group.
        self.assertEqual(2, len(svc.pids()), svc.pids())
        self.assertTrue(self._status(svc).up)

        killed = time.monotonic()
        svc.kill(signal.SIGKILL)
        self.assertTrue(svc.wait_exit(5), 'left behind: %s' % svc.pids())
        base.wait_for(lambda: not self._status(svc).up,
                      timeout=svc.lease_ttl + 1 - (time.monotonic() - killed),
                      what='%s shown down' % svc.host)
        self.addDetail('seconds-from-sigkill-to-down', content.text_content(
            '%.2f' % (time.monotonic() - killed)))
        status = self._status(svc)
        # Killed: it could not say when it stopped, only when last seen.
        self.assertIsNone(status.stopped_at)
        self.assertIsNotNone(status.last_seen)
        rows = self._service_list('--topic', 'scheduler')
        self.assertIn(('down', svc.host),
                      [(r['State'], r['Host']) for r in rows])

        svc.restart()
        self.assertTrue(self._status(svc).up)
        rows = self._service_list('--topic', 'scheduler')
        self.assertIn(('up', svc.host),
                      [(r['State'], r['Host']) for r in rows])

    def test_sigterm_deregisters_at_once(self):
        # A long lease: only the revocation on stop can make it go fast.
        svc = self.start_service('installer', lease_ttl=60)
        self.assertTrue(self._status(svc).up)
        stopped = time.monotonic()
        svc.send_signal(signal.SIGTERM)
        base.wait_for(lambda: not self._status(svc).up, timeout=3,
                      what='%s shown down after SIGTERM' % svc.host)
        self.addDetail('seconds-from-sigterm-to-down', content.text_content(
            '%.2f' % (time.monotonic() - stopped)))
        self.assertTrue(svc.wait_exit(base.STOP_TIMEOUT),
                        'left behind: %s' % svc.pids())
        status = self._status(svc)
        self.assertIsNotNone(status.stopped_at)
        rows = self._service_list('--topic', 'installer', '--long')
        row = [r for r in rows if r['Host'] == svc.host][0]
        self.assertEqual('down', row['State'])
        self.assertIn('UTC', row['Stopped'])
        with open(svc.log_file) as f:
            self.assertIn('Deregistered trellis-installer on %s' % svc.host,
                          f.read())

    def test_service_notifications_reach_a_listener(self):
        collector = self.listen_notifications()

        svc = self.start_service('discovery')
        publisher = 'trellis-discovery.%s' % svc.host
        started = base.wait_for(
            lambda: collector.find('trellis.service.started', publisher),
            timeout=30, what='trellis.service.started from %s' % publisher)
        self.assertEqual(svc.host, started['payload']['host'])
        self.assertEqual('trellis-discovery', started['payload']['topic'])
        self.assertEqual('1.0', started['payload']['version'])

        svc.stop()
        stopped = base.wait_for(
            lambda: collector.find('trellis.service.stopped', publisher),
            timeout=30, what='trellis.service.stopped from %s' % publisher)
        self.assertEqual('1.0', stopped['payload']['version'])
        self.assertEqual(svc.host, stopped['payload']['host'])
