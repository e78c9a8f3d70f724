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


"""Tests of coordination (tooz) on a fake tooz coordinator."""

import base64
import concurrent.futures
import threading
from unittest import mock
import uuid

from etcd3gw import exceptions as etcd_exc
import tooz
from tooz import coordination as tooz_coordination

from tests import base
from trellis.common import coordination
from trellis.common import exception


class FakeBackend:
    """What an etcd would hold: lock keys and groups, shared by members."""

    def __init__(self):
        self.keys = {}
        self.groups = {}
        self.error = None


class FakeClient:
    """The ``client`` attribute of tooz's etcd driver (etcd3gw)."""

    def __init__(self, backend):
        self.backend = backend

    def get(self, key):
        if self.backend.error is not None:
            raise etcd_exc.ConnectionFailedError(str(self.backend.error))
        value = self.backend.keys.get(key)
        return [value] if value is not None else []


class FakeToozLock:
    """Like tooz's Etcd3Lock: a key holding a random token."""

    def __init__(self, coord, name):
        self.coord = coord
        self.name = name
        self._key = b'/tooz/locks' + name
        self._raw = uuid.uuid4().bytes
        self._uuid = base64.b64encode(self._raw).decode('ascii')
        self.attempts = 0
        self.acquired = False

    def acquire(self, blocking=True):
        assert blocking is False
        self.coord.check()
        self.attempts += 1
        key = self._key.decode()
        if key in self.coord.backend.keys:
            return False
        self.coord.backend.keys[key] = self._raw
        self.acquired = True
        return True

    def release(self):
        self.coord.check()
        key = self._key.decode()
        was_mine = self.coord.backend.keys.get(key) == self._raw
        if was_mine:
            del self.coord.backend.keys[key]
        self.acquired = False
        return was_mine


class FakeResult:
    def __init__(self, func):
        self.func = func

    def get(self, timeout=None):
        return self.func()


class FakeCoordinator:
    """The parts of tooz's CoordinationDriver that Trellis uses."""

    def __init__(self, backend, member_id):
        self.backend = backend
        self.member_id = member_id
        self.client = FakeClient(backend)
        self.started = False
        self.beats = 0
        self.beat_error = None
        self.stop_error = None
        self._membership_lease = mock.Mock(id=1)

    def check(self):
        if self.backend.error is not None:
            raise tooz_coordination.ToozConnectionError('backend down')

    def start(self, start_heart=False):
        assert start_heart is False
        self.started = True

    def stop(self):
        self.started = False
        if self.stop_error:
            raise self.stop_error

    def heartbeat(self):
        self.check()
        if self.beat_error is not None:
            raise self.beat_error
        self.beats += 1
        return 10

    def get_lock(self, name):
        return FakeToozLock(self, name)

    def create_group(self, group_id):
        def create():
            self.check()
            if group_id in self.backend.groups:
                raise tooz_coordination.GroupAlreadyExist(group_id)
            self.backend.groups[group_id] = {}
        return FakeResult(create)

    def join_group(self, group_id, capabilities=b''):
        def join():
            self.check()
            members = self.backend.groups[group_id]
            if self.member_id in members:
                raise tooz_coordination.MemberAlreadyExist(group_id,
                                                           self.member_id)
            members[self.member_id] = capabilities
        return FakeResult(join)

    def leave_group(self, group_id):
        def leave():
            self.check()
            members = self.backend.groups.get(group_id, {})
            if self.member_id not in members:
                raise tooz_coordination.MemberNotJoined(group_id,
                                                        self.member_id)
            del members[self.member_id]
        return FakeResult(leave)

    def get_members_with_capabilities(self, group_id):
        def members():
            self.check()
            if group_id not in self.backend.groups:
                raise tooz_coordination.GroupNotCreated(group_id)
            return dict(self.backend.groups[group_id])
        return FakeResult(members)

    def get_groups(self):
        def groups():
            self.check()
            names = []
            for group_id, members in self.backend.groups.items():
                names.append(group_id)
                # The etcd driver's bug: member keys come back too.
                names.extend(group_id + b'/' + m[:-1] for m in members)
            return names
        return FakeResult(groups)


class CoordinationTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(host='node1')
        self.config(lock_ttl=4, heartbeat_interval=0.1,
                    group='coordination')
        self.config(timeout=1.0, group='etcd')
        self.backend = FakeBackend()
        self.fakes = []

        def get_coordinator(url, member_id, **kwargs):
            fake = FakeCoordinator(self.backend, member_id)
            fake.url = url
            fake.kwargs = kwargs
            self.fakes.append(fake)
            return fake

        patcher = mock.patch.object(coordination.tooz_coordination,
                                    'get_coordinator',
                                    side_effect=get_coordinator)
        self.get_coordinator = patcher.start()
        self.addCleanup(patcher.stop)

    def _coordinator(self, start=True, **kwargs):
        coord = coordination.Coordinator(**kwargs)
        if start:
            coord.start()
        self.addCleanup(coord.stop)
        return coord


class TestURLs(base.TestCase):

    def test_from_etcd_url(self):
        self.config(url='http://10.1.2.3:2379', timeout=2.5, group='etcd')
        self.assertEqual('etcd3+http://10.1.2.3:2379/?timeout=3',
                         coordination.backend_url_from_conf())

    def test_https_passes_certificates(self):
        self.config(url='https://e.example:2379', ca_cert='/ca.pem',
                    cert_file='/c.pem', key_file='/k.pem', group='etcd')
        url = coordination.backend_url_from_conf()
        self.assertTrue(url.startswith('etcd3+https://e.example:2379/?'))
        for part in ('timeout=5', 'ca_cert=%2Fca.pem',
                     'cert_cert=%2Fc.pem', 'cert_key=%2Fk.pem'):
            self.assertIn(part, url)

    def test_backend_url_wins(self):
        self.config(backend_url='etcd3+http://other:2379',
                    group='coordination')
        self.assertEqual('etcd3+http://other:2379',
                         coordination.backend_url_from_conf())

    def test_bad_etcd_url(self):
        # [etcd] url is a URIOpt; an override can still carry a bad one.
        conf = mock.Mock()
        conf.coordination.backend_url = None
        conf.etcd.url = 'unix:///run/etcd.sock'
        self.assertRaises(exception.ConfigInvalid,
                          coordination.backend_url_from_conf, conf)

    def test_safe_url(self):
        self.assertEqual(
            'etcd3+https://e.example:2379/',
            coordination.safe_url(
                'etcd3+https://user:s3cret@e.example:2379/?cert_key=/k'))
        self.assertEqual('etcd3+http://h', coordination.safe_url(
            'etcd3+http://h'))


class TestCoordinator(CoordinationTestCase):

    def test_member_id(self):
        coord = self._coordinator(start=False)
        host, _, suffix = coord.member_id.partition(':')
        self.assertEqual('node1', host)
        self.assertEqual(32, len(suffix))
        int(suffix, 16)
        self.assertNotEqual(coord.member_id,
                            self._coordinator(start=False).member_id)
        self.assertEqual('me', self._coordinator(start=False,
                                                 member_id='me').member_id)

    def test_init_does_not_connect(self):
        self._coordinator(start=False)
        self.get_coordinator.assert_not_called()

    def test_start(self):
        coord = self._coordinator()
        self.get_coordinator.assert_called_once_with(
            'etcd3+http://127.0.0.1:1/?timeout=1',
            coord.member_id.encode(), lock_timeout=4, membership_timeout=4)
        self.assertTrue(self.fakes[0].started)
        self.assertTrue(coord.is_started)
        self.assertTrue(coord._heart.daemon)
        coord.start()
        self.assertEqual(1, self.get_coordinator.call_count)

    def test_start_failure_names_backend_not_secret(self):
        self.get_coordinator.side_effect = tooz_coordination.ToozError(
            'cannot connect')
        coord = coordination.Coordinator(
            backend_url='etcd3+http://u:s3cret@10.9.9.9:2379')
        exc = self.assertRaises(exception.CoordinationUnavailable,
                                coord.start)
        self.assertIn('etcd3+http://10.9.9.9:2379', str(exc))
        self.assertIn('cannot connect', str(exc))
        self.assertNotIn('s3cret', str(exc))
        self.assertEqual(503, exc.code)
        self.assertFalse(coord.is_started)

    def test_error_text_from_cause(self):
        # tooz copies str() of etcd3gw's errors, which is empty; the text
        # is in the cause's detail_text.
        coord = self._coordinator()
        error = tooz.ToozError('')
        error.__cause__ = etcd_exc.ConnectionFailedError('refused')
        with self.assertRaisesRegex(exception.CoordinationUnavailable,
                                    'refused'):
            with coord.translate_errors():
                raise error

    def test_heartbeat_thread_beats(self):
        self._coordinator()
        beaten = threading.Event()
        fake = self.fakes[0]
        original = fake.heartbeat

        def heartbeat():
            original()
            if fake.beats >= 2:
                beaten.set()

        fake.heartbeat = heartbeat
        self.assertTrue(beaten.wait(10))

    def test_heartbeat_failure_is_logged_once_then_rejoins(self):
        coord = self._coordinator(start=False)
        coord.start()
        coord._stop.set()       # drive the heartbeat by hand
        coord._heart.join(5)
        coord.join_group('g')
        fake = self.fakes[0]
        fake.beat_error = tooz_coordination.ToozConnectionError('down')
        loop_stop = mock.Mock()
        loop_stop.wait.side_effect = [False, False, False, True]
        coord._stop = loop_stop
        calls = []

        def heartbeat():
            calls.append(1)
            if len(calls) == 3:
                fake.beat_error = None
                # The membership expired meanwhile.
                del self.backend.groups[b'trellis.g'][fake.member_id]
            return FakeCoordinator.heartbeat(fake)

        fake.heartbeat = heartbeat
        with mock.patch.object(coordination.LOG, 'warning') as warn, \
                mock.patch.object(coordination.LOG, 'info') as info:
            coord._heartbeat_loop()
        self.assertEqual(1, warn.call_count)
        self.assertIn('down', str(warn.call_args))
        self.assertTrue(info.called)
        self.assertIn(fake.member_id, self.backend.groups[b'trellis.g'])

    def test_new_membership_lease_rejoins(self):
        coord = self._coordinator()
        coord.join_group('g')
        fake = self.fakes[0]
        del self.backend.groups[b'trellis.g'][fake.member_id]
        original = fake.heartbeat

        def heartbeat():
            fake._membership_lease = mock.Mock(id=2)
            return original()

        fake.heartbeat = heartbeat
        coord.heartbeat()
        self.assertIn(fake.member_id, self.backend.groups[b'trellis.g'])

    def test_heartbeat_error(self):
        coord = self._coordinator()
        self.backend.error = RuntimeError('etcd down')
        self.assertRaises(exception.CoordinationUnavailable, coord.heartbeat)

    def test_not_started(self):
        coord = self._coordinator(start=False)
        self.assertRaises(RuntimeError, coord.get_lock, 'x')
        self.assertRaises(RuntimeError, coord.join_group, 'g')
        self.assertRaises(RuntimeError, coord.get_members, 'g')
        self.assertRaises(RuntimeError, coord.heartbeat)

    def test_stop(self):
        coord = self._coordinator()
        lock = coord.get_lock('x')
        self.assertTrue(lock.acquire(blocking=False))
        coord.join_group('g')
        heart = coord._heart
        coord.stop()
        self.assertEqual({}, self.backend.keys)
        self.assertEqual({}, self.backend.groups[b'trellis.g'])
        self.assertFalse(self.fakes[0].started)
        self.assertFalse(heart.is_alive())
        self.assertFalse(coord.is_started)
        coord.stop()

    def test_stop_never_raises(self):
        coord = self._coordinator()
        coord.get_lock('x').acquire(blocking=False)
        coord.join_group('g')
        self.backend.error = RuntimeError('down')
        self.fakes[0].stop_error = tooz.ToozError('down')
        with mock.patch.object(coordination.LOG, 'warning') as warn:
            coord.stop()
        self.assertIn('Could not release lock', str(warn.call_args_list))
        self.assertFalse(coord.is_started)


class TestLocks(CoordinationTestCase):

    def test_scoped_name(self):
        coord = self._coordinator()
        lock = coord.get_lock('cluster-1')
        self.assertEqual(b'/trellis/cluster-1', lock.tooz_lock.name)
        self.config(prefix='/other/site', group='etcd')
        other = self._coordinator()
        self.assertEqual(b'/other/site/cluster-1',
                         other.get_lock('cluster-1').tooz_lock.name)
        self.assertEqual('other.site.g', other.group_id('g'))

    def test_acquire_release(self):
        a, b = self._coordinator(), self._coordinator()
        lock_a, lock_b = a.get_lock('x'), b.get_lock('x')
        self.assertTrue(lock_a.acquire(blocking=False))
        self.assertTrue(lock_a.acquired)
        self.assertFalse(lock_b.acquire(blocking=False))
        self.assertFalse(lock_b.acquire(timeout=0.05))
        self.assertTrue(lock_a.release())
        self.assertTrue(lock_b.acquire(timeout=1))
        self.assertFalse(lock_a.release())

    def test_held_lock_is_peeked_not_attempted(self):
        a, b = self._coordinator(), self._coordinator()
        a.get_lock('x').acquire(blocking=False)
        lock_b = b.get_lock('x')
        self.assertFalse(lock_b.acquire(timeout=0.3))
        self.assertEqual(0, lock_b.tooz_lock.attempts)

    def test_blocking_acquire_waits_for_release(self):
        a, b = self._coordinator(), self._coordinator()
        lock_a = a.get_lock('x')
        lock_a.acquire(blocking=False)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            future = pool.submit(b.get_lock('x').acquire, True, 10)
            lock_a.release()
            self.assertTrue(future.result(10))

    def test_blocking_acquire_ends_when_coordinator_stops(self):
        a, b = self._coordinator(), self._coordinator()
        a.get_lock('x').acquire(blocking=False)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            future = pool.submit(b.get_lock('x').acquire, True, None)
            b.stop()
            self.assertFalse(future.result(10))

    def test_context_manager(self):
        a, b = self._coordinator(), self._coordinator()
        with a.get_lock('x') as lock:
            self.assertTrue(lock.acquired)
            exc = self.assertRaises(exception.LockNotAcquired,
                                    b.get_lock('x', timeout=0.05).__enter__)
            self.assertIn('x', str(exc))
            self.assertEqual(409, exc.code)
        self.assertEqual({}, self.backend.keys)
        with b.get_lock('x', timeout=0.05):
            pass

    def test_release_failure_in_exit_is_logged(self):
        coord = self._coordinator()
        with mock.patch.object(coordination.LOG, 'warning') as warn:
            with coord.get_lock('x'):
                self.backend.error = RuntimeError('down')
        self.assertIn('Could not release lock', str(warn.call_args))
        self.backend.error = None

    def test_backend_error(self):
        coord = self._coordinator()
        lock = coord.get_lock('x')
        self.backend.error = RuntimeError('down')
        self.assertRaises(exception.CoordinationUnavailable, lock.acquire,
                          False)
        # The peek passes, the attempt itself fails.
        self.fakes[0].client.get = mock.Mock(return_value=[])
        self.assertRaises(exception.CoordinationUnavailable, lock.acquire,
                          False)

    def test_is_still_held(self):
        coord = self._coordinator()
        lock = coord.get_lock('x')
        self.assertFalse(lock.is_still_held())
        lock.acquire(blocking=False)
        self.assertTrue(lock.is_still_held())
        # The lease expired and another member took the lock.
        self.backend.keys['/tooz/locks/trellis/x'] = b'someone else'
        self.assertFalse(lock.is_still_held())
        del self.backend.keys['/tooz/locks/trellis/x']
        self.assertFalse(lock.is_still_held())

    def test_is_still_held_other_driver(self):
        coord = self._coordinator()
        lock = coord.get_lock('x')
        lock.acquire(blocking=False)
        del lock.tooz_lock._key
        self.assertTrue(lock.is_still_held())

    def test_is_still_held_backend_error(self):
        coord = self._coordinator()
        lock = coord.get_lock('x')
        lock.acquire(blocking=False)
        self.backend.error = RuntimeError('refused')
        exc = self.assertRaises(exception.CoordinationUnavailable,
                                lock.is_still_held)
        self.assertIn('refused', str(exc))


class TestGroups(CoordinationTestCase):

    def test_join_members_leave(self):
        a, b = self._coordinator(), self._coordinator()
        a.join_group('conductors', {'zone': 'z1'})
        b.join_group('conductors')
        a.join_group('conductors', {'zone': 'z1'})     # already a member
        self.assertEqual({a.member_id: {'zone': 'z1'}, b.member_id: {}},
                         b.get_members('conductors'))
        b.leave_group('conductors')
        b.leave_group('conductors')                     # not a member
        self.assertEqual([a.member_id], list(a.get_members('conductors')))

    def test_unknown_group(self):
        coord = self._coordinator()
        self.assertEqual({}, coord.get_members('nobody'))
        coord.leave_group('nobody')

    def test_get_groups_filters(self):
        a = self._coordinator()
        a.join_group('g1')
        a.join_group('g2')
        self.backend.groups[b'otherinstall.g3'] = {}
        self.assertEqual(['g1', 'g2'], a.get_groups())

    def test_errors(self):
        coord = self._coordinator()
        self.backend.error = RuntimeError('down')
        self.assertRaises(exception.CoordinationUnavailable,
                          coord.join_group, 'g')
        self.assertRaises(exception.CoordinationUnavailable,
                          coord.get_members, 'g')
        self.assertRaises(exception.CoordinationUnavailable,
                          coord.get_groups)


class TestLeaderElection(CoordinationTestCase):

    def _election(self, coord, events, name):
        election = coordination.LeaderElection(
            coord, 'galera', on_elected=lambda: events.append(name + '+'),
            on_lost=lambda: events.append(name + '-'), interval=0.02)
        self.addCleanup(election.stop)
        return election

    def test_one_leader_then_takeover_on_stop(self):
        a, b = self._coordinator(), self._coordinator()
        events = []
        ea = self._election(a, events, 'a')
        ea.start()
        self.assertTrue(ea.elected.wait(10))
        eb = self._election(b, events, 'b')
        eb.start()
        self.assertEqual('leader-galera', eb.lock_name)
        self.assertTrue(ea.is_leader)
        self.assertFalse(eb.is_leader)
        self.assertIn('/tooz/locks/trellis/leader-galera', self.backend.keys)
        ea.stop()
        self.assertFalse(ea.is_leader)
        self.assertTrue(eb.elected.wait(10))
        self.assertEqual(['a+', 'a-', 'b+'], events)
        self.assertFalse(ea._thread)

    def test_lost_when_lock_taken(self):
        coord = self._coordinator()
        events = []
        election = self._election(coord, events, 'a')
        lost = threading.Event()
        election.on_lost = lambda: (events.append('a-'), lost.set())
        election.start()
        self.assertTrue(election.elected.wait(10))
        with election._mutex:
            self.backend.keys['/tooz/locks/trellis/leader-galera'] = b'x'
        self.assertTrue(lost.wait(10))
        self.assertFalse(election.is_leader)
        self.assertEqual(['a+', 'a-'], events)
        self.assertNotIn(election._lock, coord._locks)

    def test_unconfirmed_for_ttl_is_lost(self):
        coord = self._coordinator()
        events = []
        election = self._election(coord, events, 'a')
        election._lock = coord.get_lock(election.lock_name)
        election._step()
        self.assertEqual(['a+'], events)
        error = exception.CoordinationUnavailable(url='u', error='down')
        with mock.patch.object(coordination.LOG, 'warning'):
            election._backend_failed(error)
            self.assertTrue(election.is_leader)
            election._confirmed_at -= 5
            election._backend_failed(error)
        self.assertFalse(election.is_leader)
        self.assertEqual(['a+', 'a-'], events)

    def test_backend_errors_do_not_kill_the_thread(self):
        coord = self._coordinator()
        self.backend.error = RuntimeError('down')
        elected = threading.Event()
        election = coordination.LeaderElection(
            coord, 'g', on_elected=elected.set, interval=0.02)
        self.addCleanup(election.stop)
        with mock.patch.object(coordination.LOG, 'warning') as warn, \
                mock.patch.object(coordination.LOG, 'exception') as log_exc:
            election.start()
            self.assertFalse(elected.wait(0.1))
            self.backend.error = None
            self.assertTrue(elected.wait(10))
        self.assertIn('down', str(warn.call_args_list))
        log_exc.assert_not_called()

    def test_callback_errors_are_logged(self):
        coord = self._coordinator()
        election = coordination.LeaderElection(
            coord, 'g', on_elected=mock.Mock(side_effect=ValueError('bug')),
            interval=0.02)
        with mock.patch.object(coordination.LOG, 'exception') as log_exc:
            election.start()
            self.assertTrue(election.elected.wait(10))
            election.stop()
        self.assertTrue(log_exc.called)

    def test_stop_from_callback(self):
        coord = self._coordinator()
        stopped = threading.Event()
        election = coordination.LeaderElection(coord, 'g', interval=0.02,
                                               on_lost=stopped.set)
        election.on_elected = election.stop
        election.start()
        self.assertTrue(stopped.wait(10))
        self.assertFalse(election.is_leader)
        self.assertEqual({}, self.backend.keys)

    def test_coordinator_stop_stops_elections(self):
        coord = self._coordinator()
        lost = threading.Event()
        election = coord.leader_election('g', on_lost=lost.set,
                                         interval=0.02)
        self.assertTrue(election.elected.wait(10))
        self.assertTrue(election._thread.daemon)
        coord.stop()
        self.assertTrue(lost.is_set())
        self.assertFalse(election.is_leader)
        self.assertEqual({}, self.backend.keys)

    def test_default_interval(self):
        coord = self._coordinator()
        election = coordination.LeaderElection(coord, 'g')
        self.assertEqual(0.1, election.interval)
