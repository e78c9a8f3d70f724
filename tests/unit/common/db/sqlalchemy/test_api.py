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


"""Tests of the SQLAlchemy Connection: clusters, hosts, shared helpers."""

import inspect
import logging
from unittest import mock

import fixtures
from oslo_db import exception as db_exc
from oslo_utils import uuidutils

from tests.unit.common.db import base
from trellis.common import exception
from trellis.common.db import api as db_api
from trellis.common.db.sqlalchemy import api as sqla_api

SECRET = 'bmc-s3cret-pw'


def _iface(name: str, mac: str, **kw) -> dict:
    return dict(name=name, mac=mac, **kw)


class TestBackend(base.DbTestCase):

    def test_get_instance_is_the_sqlalchemy_connection(self):
        # DBAPI loads its backend lazily, on the first call.
        self.dbapi.list_clusters(self.context)
        self.assertIsInstance(self.dbapi._backend, sqla_api.Connection)
        self.assertIsInstance(self.dbapi._backend, db_api.Connection)

    def test_every_abstract_method_is_implemented(self):
        abstract = db_api.Connection.__abstractmethods__
        self.assertGreater(len(abstract), 30)
        self.assertEqual(frozenset(), sqla_api.Connection.__abstractmethods__)

    def test_every_writer_retries_on_deadlock(self):
        # Every method that is not a read (get_/list_) must run again when
        # the database reports a deadlock (Galera certification failure).
        self.useFixture(fixtures.MockPatch('oslo_db.api.time.sleep'))
        real = sqla_api._session_for_write
        writers = [name for name, _ in inspect.getmembers(
            sqla_api.Connection, inspect.isfunction)
            if not name.startswith(('get_', 'list_', '_'))]
        self.assertIn('create_host', writers)
        self.assertIn('destroy_deployment', writers)
        self.assertEqual(
            sorted(n for n in db_api.Connection.__abstractmethods__
                   if not n.startswith(('get_', 'list_'))),
            sorted(writers))
        for name in writers:
            calls = []

            def deadlock_once(context, _calls=calls):
                _calls.append(1)
                if len(_calls) == 1:
                    raise db_exc.DBDeadlock()
                return real(context)

            with mock.patch.object(sqla_api, '_session_for_write',
                                   side_effect=deadlock_once):
                method = getattr(self.dbapi, name)
                try:
                    method(self.context, *self._writer_args(name))
                except (exception.TrellisException, db_exc.DBError):
                    pass  # Missing columns, not found: only the retry
                    # is tested here.
            self.assertEqual(2, len(calls), name)

    @staticmethod
    def _writer_args(name: str) -> tuple:
        if name.startswith('create_'):
            return ({},)
        if name.startswith('update_'):
            return (uuidutils.generate_uuid(), {})
        return (uuidutils.generate_uuid(),)

    def test_reads_join_the_callers_transaction(self):
        with sqla_api._session_for_write(self.context):
            cluster = self.dbapi.create_cluster(self.context, {'name': 'c'})
            self.assertEqual(
                cluster.uuid,
                self.dbapi.get_cluster_by_name(self.context, 'c').uuid)


class TestClusters(base.DbTestCase):

    def test_create_and_get(self):
        cluster = self.dbapi.create_cluster(
            self.context, {'name': 'c1', 'config': {'kolla': {'a': 1}},
                           'target': '2025.1'})
        self.assertTrue(uuidutils.is_uuid_like(cluster.uuid))
        self.assertEqual('init', cluster.status)
        self.assertIsNotNone(cluster.created_at)
        for getter, key in ((self.dbapi.get_cluster_by_id, cluster.id),
                            (self.dbapi.get_cluster_by_uuid, cluster.uuid),
                            (self.dbapi.get_cluster_by_name, 'c1')):
            got = getter(self.context, key)
            self.assertEqual(cluster.uuid, got.uuid)
            self.assertEqual({'kolla': {'a': 1}}, got.config)
            self.assertEqual('2025.1', got.target)

    def test_name_conflict(self):
        self.dbapi.create_cluster(self.context, {'name': 'c1'})
        exc = self.assertRaises(exception.ClusterAlreadyExists,
                                self.dbapi.create_cluster, self.context,
                                {'name': 'c1'})
        self.assertEqual('A cluster named c1 already exists.', str(exc))
        self.assertEqual(409, exc.code)

    def test_uuid_conflict(self):
        uuid = uuidutils.generate_uuid()
        self.dbapi.create_cluster(self.context, {'name': 'a', 'uuid': uuid})
        exc = self.assertRaises(exception.UUIDAlreadyExists,
                                self.dbapi.create_cluster, self.context,
                                {'name': 'b', 'uuid': uuid})
        self.assertIn(uuid, str(exc))

    def test_not_found(self):
        uuid = uuidutils.generate_uuid()
        exc = self.assertRaises(exception.ClusterNotFound,
                                self.dbapi.get_cluster_by_uuid,
                                self.context, uuid)
        self.assertEqual('Cluster %s could not be found.' % uuid, str(exc))
        self.assertEqual(404, exc.code)
        self.assertRaises(exception.ClusterNotFound,
                          self.dbapi.get_cluster_by_id, self.context, 42)
        self.assertRaises(exception.ClusterNotFound,
                          self.dbapi.get_cluster_by_name, self.context, 'x')
        self.assertRaises(exception.ClusterNotFound,
                          self.dbapi.update_cluster, self.context, uuid,
                          {'status': 'x'})
        self.assertRaises(exception.ClusterNotFound,
                          self.dbapi.destroy_cluster, self.context, uuid)

    def test_update(self):
        cluster = self.dbapi.create_cluster(self.context, {'name': 'c1'})
        for n, ident in enumerate((cluster.id, cluster.uuid, 'c1')):
            updated = self.dbapi.update_cluster(
                self.context, ident, {'status': 'active-%d' % n})
            self.assertEqual('active-%d' % n, updated.status)
        self.assertIsNotNone(updated.updated_at)
        self.assertEqual('active-2', self.dbapi.get_cluster_by_id(
            self.context, cluster.id).status)

    def test_update_rename_conflict(self):
        self.dbapi.create_cluster(self.context, {'name': 'c1'})
        c2 = self.dbapi.create_cluster(self.context, {'name': 'c2'})
        self.assertRaises(exception.ClusterAlreadyExists,
                          self.dbapi.update_cluster, self.context, c2.uuid,
                          {'name': 'c1'})
        self.assertEqual('c2', self.dbapi.get_cluster_by_id(
            self.context, c2.id).name)

    def test_unknown_fields_are_refused(self):
        exc = self.assertRaises(exception.Invalid, self.dbapi.create_cluster,
                                self.context, {'name': 'c', 'nmae': 'x'})
        self.assertEqual('Unknown field(s) for a cluster: nmae.', str(exc))
        cluster = self.dbapi.create_cluster(self.context, {'name': 'c'})
        self.assertRaises(exception.Invalid, self.dbapi.update_cluster,
                          self.context, cluster.id, {'stauts': 'x'})

    def test_update_refuses_ids(self):
        cluster = self.dbapi.create_cluster(self.context, {'name': 'c1'})
        self.assertRaises(exception.Invalid, self.dbapi.update_cluster,
                          self.context, cluster.id, {'uuid': 'x'})
        self.assertRaises(exception.Invalid, self.dbapi.update_cluster,
                          self.context, cluster.id, {'id': 3})

    def test_destroy_cascades_but_keeps_hosts(self):
        cluster = self.dbapi.create_cluster(self.context, {'name': 'c1'})
        net = self.dbapi.create_network(
            self.context, {'cluster_id': cluster.id, 'name': 'mgmt',
                           'network_type': 'MANAGEMENT'})
        role = self.dbapi.create_role(
            self.context, {'cluster_id': cluster.id, 'name': 'COMPUTER'})
        self.dbapi.create_deployment(
            self.context, {'cluster_id': cluster.id, 'kind': 'install',
                           'state': 'succeeded'})
        host = self.dbapi.create_host(
            self.context, {'name': 'h1', 'cluster_id': cluster.id})
        self.dbapi.create_host_role(
            self.context, {'host_id': host.id, 'role_id': role.id})
        self.dbapi.destroy_cluster(self.context, cluster.uuid)
        self.assertEqual([], self.dbapi.list_networks(self.context))
        self.assertEqual([], self.dbapi.list_roles(self.context))
        self.assertEqual([], self.dbapi.list_host_roles(self.context))
        self.assertEqual([], self.dbapi.list_deployments(self.context))
        host = self.dbapi.get_host_by_id(self.context, host.id)
        self.assertIsNone(host.cluster_id)
        self.assertEqual('init', host.status)
        self.assertRaises(exception.NetworkNotFound,
                          self.dbapi.destroy_network, self.context, net.uuid)

    def test_list_filters(self):
        self.dbapi.create_cluster(self.context, {'name': 'a',
                                                 'status': 'active'})
        self.dbapi.create_cluster(self.context, {'name': 'b'})
        self.dbapi.create_cluster(self.context, {'name': 'c'})
        names = [c.name for c in self.dbapi.list_clusters(
            self.context, filters={'status': 'init'})]
        self.assertEqual(['b', 'c'], names)
        names = [c.name for c in self.dbapi.list_clusters(
            self.context, filters={'name': ['a', 'c']})]
        self.assertEqual(['a', 'c'], names)
        self.assertRaises(exception.InvalidFilter, self.dbapi.list_clusters,
                          self.context, filters={'config': 'x'})


class TestPagination(base.DbTestCase):

    def setUp(self):
        super().setUp()
        # Names in an order different from creation order.
        for name in ('d', 'b', 'e', 'a', 'c'):
            self.dbapi.create_cluster(self.context, {'name': name})

    def _names(self, **kwargs):
        return [c.name for c in self.dbapi.list_clusters(self.context,
                                                          **kwargs)]

    def test_default_order_is_creation(self):
        self.assertEqual(['d', 'b', 'e', 'a', 'c'], self._names())

    def test_sort_key_and_dir(self):
        self.assertEqual(['a', 'b', 'c', 'd', 'e'],
                         self._names(sort_key='name'))
        self.assertEqual(['e', 'd', 'c', 'b', 'a'],
                         self._names(sort_key='name', sort_dir='desc'))

    def test_pages_with_marker(self):
        seen = []
        marker = None
        while True:
            page = self.dbapi.list_clusters(self.context, limit=2,
                                            marker=marker, sort_key='name')
            if not page:
                break
            self.assertLessEqual(len(page), 2)
            seen.extend(c.name for c in page)
            marker = page[-1].uuid
        self.assertEqual(['a', 'b', 'c', 'd', 'e'], seen)

    def test_sort_on_non_unique_key_is_stable(self):
        # All have status 'init': id breaks the tie, pages do not overlap.
        first = self.dbapi.list_clusters(self.context, limit=3,
                                         sort_key='status')
        rest = self.dbapi.list_clusters(self.context, marker=first[-1].uuid,
                                        sort_key='status')
        self.assertEqual(['d', 'b', 'e', 'a', 'c'],
                         [c.name for c in first + rest])

    def test_bad_marker(self):
        marker = uuidutils.generate_uuid()
        exc = self.assertRaises(exception.MarkerNotFound,
                                self.dbapi.list_clusters, self.context,
                                marker=marker)
        self.assertIn(marker, str(exc))
        self.assertEqual(400, exc.code)

    def test_bad_sort(self):
        self.assertRaises(exception.InvalidSortKey,
                          self.dbapi.list_clusters, self.context,
                          sort_key='nope')
        self.assertRaises(exception.Invalid, self.dbapi.list_clusters,
                          self.context, sort_dir='up')


class TestHosts(base.DbTestCase):

    def setUp(self):
        super().setUp()
        self.cluster = self.dbapi.create_cluster(self.context, {'name': 'c'})

    def _host(self, name='h1', **kw):
        values = {'name': name, 'bmc_driver': 'ipmi',
                  'bmc_address': '10.0.0.%d' % (len(name) + ord(name[-1])),
                  'bmc_username': 'admin', 'bmc_password': SECRET}
        values.update(kw)
        return self.dbapi.create_host(self.context, values)

    def test_create_with_interfaces(self):
        host = self._host(
            cluster_id=self.cluster.id, dmi_uuid=uuidutils.generate_uuid(),
            cpu={'count': 8}, memory={'total_mb': 16384},
            disks=[{'name': 'sda', 'size_gb': 100}], pci=[], arch='x86_64',
            interfaces=[_iface('eth0', '52:54:00:AB:CD:01', pxe=True),
                        _iface('eth1', '52:54:00:ab:cd:02'),
                        {'name': 'bond0', 'type': 'bond',
                         'slaves': ['eth0', 'eth1'], 'mode': '802.3ad'}])
        self.assertEqual(['eth0', 'eth1', 'bond0'],
                         [i.name for i in host.interfaces])
        self.assertEqual('52:54:00:ab:cd:01', host.interfaces[0].mac)
        self.assertIsNone(host.interfaces[2].mac)
        got = self.dbapi.get_host_by_uuid(self.context, host.uuid)
        self.assertEqual(3, len(got.interfaces))
        self.assertTrue(got.interfaces[0].pxe)
        self.assertEqual(['eth0', 'eth1'], got.interfaces[2].slaves)
        self.assertEqual({'count': 8}, got.cpu)
        self.assertEqual([{'name': 'sda', 'size_gb': 100}], got.disks)
        self.assertEqual('init', got.os_status)
        self.assertEqual(0, got.os_progress)
        self.assertFalse(got.maintenance)

    def test_getters(self):
        host = self._host(interfaces=[_iface('eth0', '52:54:00:00:00:01')])
        for getter, key in ((self.dbapi.get_host_by_id, host.id),
                            (self.dbapi.get_host_by_uuid, host.uuid),
                            (self.dbapi.get_host_by_name, 'h1'),
                            (self.dbapi.get_host_by_mac,
                             '52:54:00:00:00:01'),
                            (self.dbapi.get_host_by_mac,
                             '52:54:00:00:00:01'.upper())):
            got = getter(self.context, key)
            self.assertEqual(host.uuid, got.uuid)
            self.assertEqual(['eth0'], [i.name for i in got.interfaces])
        exc = self.assertRaises(exception.HostNotFound,
                                self.dbapi.get_host_by_mac, self.context,
                                '52:54:00:00:00:99')
        self.assertEqual('Host 52:54:00:00:00:99 could not be found.',
                         str(exc))
        for getter, key in ((self.dbapi.get_host_by_id, 99),
                            (self.dbapi.get_host_by_uuid,
                             uuidutils.generate_uuid()),
                            (self.dbapi.get_host_by_name, 'nope')):
            self.assertRaises(exception.HostNotFound, getter, self.context,
                              key)

    def test_mac_conflict_names_the_owner(self):
        self._host('h1', interfaces=[_iface('eth0', '52:54:00:12:34:56')])
        exc = self.assertRaises(
            exception.MacAddressAlreadyExists, self._host, 'h2',
            interfaces=[_iface('eth0', '52:54:00:12:34:56'.upper())])
        self.assertEqual('A host with MAC 52:54:00:12:34:56 is already '
                         'enrolled (host h1).', str(exc))
        # Nothing of the failed host was written.
        self.assertRaises(exception.HostNotFound,
                          self.dbapi.get_host_by_name, self.context, 'h2')
        self.assertEqual(1, len(self.dbapi.list_interfaces(self.context)))

    def test_mac_twice_in_one_request(self):
        exc = self.assertRaises(
            exception.Conflict, self._host, 'h1',
            interfaces=[_iface('eth0', '52:54:00:00:00:07'),
                        _iface('eth1', '52:54:00:00:00:07'),
                        _iface('eth2', '52:54:00:00:00:08')])
        self.assertEqual('The same MAC is given to two interfaces: '
                         '52:54:00:00:00:07.', str(exc))

    def test_interface_name_twice_in_one_request(self):
        exc = self.assertRaises(
            exception.InterfaceAlreadyExists, self._host, 'h1',
            interfaces=[_iface('eth0', '52:54:00:00:00:01'),
                        _iface('eth0', '52:54:00:00:00:02'),
                        _iface('eth1', '52:54:00:00:00:03')])
        self.assertEqual('Host h1 already has an interface named eth0.',
                         str(exc))

    def test_name_conflict(self):
        self._host('h1')
        exc = self.assertRaises(exception.HostNameAlreadyExists,
                                self._host, 'h1', bmc_address='10.9.9.9')
        self.assertEqual('A host named h1 already exists.', str(exc))

    def test_unnamed_hosts_do_not_conflict(self):
        self.dbapi.create_host(self.context, {})
        self.dbapi.create_host(self.context, {})
        self.assertEqual(2, len(self.dbapi.list_hosts(self.context)))

    def test_bmc_address_conflict(self):
        self._host('h1', bmc_address='192.0.2.10')
        exc = self.assertRaises(exception.BmcAddressAlreadyExists,
                                self._host, 'h2', bmc_address='192.0.2.10')
        self.assertEqual('A host with BMC address 192.0.2.10 is already '
                         'enrolled (host h1).', str(exc))

    def test_dmi_uuid_conflict(self):
        dmi = uuidutils.generate_uuid()
        self._host('h1', dmi_uuid=dmi)
        exc = self.assertRaises(exception.DmiUuidAlreadyExists,
                                self._host, 'h2', dmi_uuid=dmi)
        self.assertIn('(host h1)', str(exc))

    def test_bad_cluster(self):
        exc = self.assertRaises(exception.ClusterNotFound, self._host,
                                cluster_id=4242)
        self.assertEqual('Cluster 4242 could not be found.', str(exc))

    def test_bmc_password_never_in_errors_or_logs(self):
        logs = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))
        self._host('h1', bmc_address='192.0.2.1')
        exc = self.assertRaises(exception.HostNameAlreadyExists,
                                self._host, 'h1', bmc_address='192.0.2.2')
        chain = []
        cause = exc
        while cause is not None:
            chain.append(str(cause))
            cause = cause.__cause__ or cause.__context__
        self.assertGreater(len(chain), 1)
        for text in chain:
            self.assertNotIn(SECRET, text)
        self.assertNotIn(SECRET, logs.output)
        host = self.dbapi.get_host_by_name(self.context, 'h1')
        self.assertNotIn(SECRET, repr(host))
        self.assertNotIn('bmc_password', host.as_dict())
        self.assertEqual('admin', host.as_dict()['bmc_username'])
        self.assertEqual(SECRET, host.as_dict(secrets=True)['bmc_password'])
        self.assertEqual(SECRET, host.bmc_password)

    def test_update(self):
        host = self._host()
        updated = self.dbapi.update_host(
            self.context, host.uuid,
            {'os_status': 'installing', 'os_progress': 40,
             'maintenance': True, 'maintenance_reason': 'disk',
             'cluster_id': self.cluster.id})
        self.assertEqual('installing', updated.os_status)
        got = self.dbapi.get_host_by_name(self.context, 'h1')
        self.assertEqual(40, got.os_progress)
        self.assertTrue(got.maintenance)
        self.assertEqual(self.cluster.id, got.cluster_id)
        self.dbapi.update_host(self.context, 'h1', {'power_state': 'on'})
        self.dbapi.update_host(self.context, host.id, {'arch': 'aarch64'})
        got = self.dbapi.get_host_by_id(self.context, host.id)
        self.assertEqual(('on', 'aarch64'), (got.power_state, got.arch))

    def test_update_errors(self):
        host = self._host('h1')
        self._host('h2')
        for forbidden in ('id', 'uuid', 'interfaces'):
            self.assertRaises(exception.Invalid, self.dbapi.update_host,
                              self.context, host.id, {forbidden: []})
        self.assertRaises(exception.HostNameAlreadyExists,
                          self.dbapi.update_host, self.context, host.id,
                          {'name': 'h2'})
        self.assertRaises(exception.HostNotFound, self.dbapi.update_host,
                          self.context, uuidutils.generate_uuid(),
                          {'name': 'x'})
        self.assertRaises(exception.ClusterNotFound, self.dbapi.update_host,
                          self.context, host.id, {'cluster_id': 999})

    def test_destroy_removes_interfaces_and_roles(self):
        role = self.dbapi.create_role(
            self.context, {'cluster_id': self.cluster.id,
                           'name': 'COMPUTER'})
        host = self._host(interfaces=[_iface('eth0', '52:54:00:00:00:01')])
        other = self._host('h2',
                           interfaces=[_iface('eth0', '52:54:00:00:00:02')])
        self.dbapi.create_host_role(self.context, {'host_id': host.id,
                                                   'role_id': role.id})
        self.dbapi.destroy_host(self.context, host.uuid)
        self.assertRaises(exception.HostNotFound,
                          self.dbapi.get_host_by_id, self.context, host.id)
        self.assertEqual([other.interfaces[0].uuid],
                         [i.uuid for i in self.dbapi.list_interfaces(
                             self.context)])
        self.assertEqual([], self.dbapi.list_host_roles(self.context))
        self.assertRaises(exception.HostNotFound, self.dbapi.destroy_host,
                          self.context, host.uuid)
        # The MAC is free again.
        self._host('h3', interfaces=[_iface('eth0', '52:54:00:00:00:01')])

    def test_identity_must_be_id_uuid_or_name(self):
        self.assertRaises(exception.Invalid, self.dbapi.destroy_network,
                          self.context, 'not-a-uuid')

    def test_list_filters(self):
        other = self.dbapi.create_cluster(self.context, {'name': 'other'})
        self._host('a', cluster_id=self.cluster.id, os_status='active')
        self._host('b', cluster_id=self.cluster.id, status='in-cluster')
        self._host('c', cluster_id=other.id, maintenance=True)
        self._host('d')

        def names(**filters):
            return [h.name for h in self.dbapi.list_hosts(
                self.context, filters=filters)]

        self.assertEqual(['a', 'b'], names(cluster_id=self.cluster.id))
        self.assertEqual(['d'], names(cluster_id=None))
        self.assertEqual(['b'], names(status='in-cluster'))
        self.assertEqual(['a'], names(os_status='active'))
        self.assertEqual(['b', 'c', 'd'], names(os_status='init'))
        self.assertEqual(['c'], names(maintenance=True))
        self.assertEqual(['a', 'c'], names(name=['a', 'c']))
        self.assertEqual(['a'], names(cluster_id=self.cluster.id,
                                      os_status='active'))
        self.assertRaises(exception.InvalidFilter, names,
                          bmc_password=SECRET)

    def test_list_paginates_with_interfaces(self):
        for n in range(5):
            self._host('h%d' % n, interfaces=[
                _iface('eth0', '52:54:00:00:00:%02d' % n),
                _iface('eth1', '52:54:00:00:01:%02d' % n)])
        page = self.dbapi.list_hosts(self.context, limit=2, sort_key='name',
                                     sort_dir='desc')
        self.assertEqual(['h4', 'h3'], [h.name for h in page])
        page = self.dbapi.list_hosts(self.context, limit=2,
                                     marker=page[-1].uuid, sort_key='name',
                                     sort_dir='desc')
        self.assertEqual(['h2', 'h1'], [h.name for h in page])
        self.assertEqual(['52:54:00:00:00:02', '52:54:00:00:01:02'],
                         [i.mac for i in page[0].interfaces])
