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


"""Tests of the SQLAlchemy Connection: interfaces, networks, roles, host
roles, versions and deployments.
"""

import datetime

from oslo_utils import uuidutils

from tests.unit.common.db import base
from trellis.common import exception


class ClusterTestCase(base.DbTestCase):

    def setUp(self):
        super().setUp()
        self.cluster = self.dbapi.create_cluster(self.context,
                                                 {'name': 'c1'})
        self.host = self.dbapi.create_host(self.context, {'name': 'h1'})


class TestInterfaces(ClusterTestCase):

    def test_create_list_destroy(self):
        iface = self.dbapi.create_interface(
            self.context, {'host_id': self.host.id, 'name': 'eth0',
                           'mac': '52:54:00:AA:00:01', 'ip': '192.0.2.5',
                           'speed': 10000,
                           'assigned_networks': ['MANAGEMENT']})
        self.assertEqual('52:54:00:aa:00:01', iface.mac)
        self.assertEqual('ether', iface.type)
        self.dbapi.create_interface(
            self.context, {'host_id': self.host.id, 'name': 'eth0.100',
                           'type': 'vlan', 'vlan_id': 100})
        listed = self.dbapi.list_interfaces(
            self.context, filters={'mac': '52:54:00:AA:00:01'})
        self.assertEqual([iface.uuid], [i.uuid for i in listed])
        self.assertEqual(['MANAGEMENT'], listed[0].assigned_networks)
        self.assertEqual(2, len(self.dbapi.list_interfaces(
            self.context, filters={'host_id': self.host.id})))
        self.assertEqual(2, len(self.dbapi.get_host_by_id(
            self.context, self.host.id).interfaces))
        self.dbapi.destroy_interface(self.context, iface.uuid)
        self.assertEqual(['eth0.100'], [i.name for i in
                                        self.dbapi.list_interfaces(
                                            self.context)])
        self.assertRaises(exception.InterfaceNotFound,
                          self.dbapi.destroy_interface, self.context,
                          iface.uuid)

    def test_conflicts(self):
        self.dbapi.create_interface(
            self.context, {'host_id': self.host.id, 'name': 'eth0',
                           'mac': '52:54:00:aa:00:01'})
        other = self.dbapi.create_host(self.context, {'name': 'h2'})
        exc = self.assertRaises(
            exception.MacAddressAlreadyExists, self.dbapi.create_interface,
            self.context, {'host_id': other.id, 'name': 'eth0',
                           'mac': '52:54:00:AA:00:01'})
        self.assertEqual('A host with MAC 52:54:00:aa:00:01 is already '
                         'enrolled (host h1).', str(exc))
        exc = self.assertRaises(
            exception.InterfaceAlreadyExists, self.dbapi.create_interface,
            self.context, {'host_id': self.host.id, 'name': 'eth0'})
        self.assertEqual('Host h1 already has an interface named eth0.',
                         str(exc))

    def test_unknown_host(self):
        exc = self.assertRaises(exception.HostNotFound,
                                self.dbapi.create_interface, self.context,
                                {'host_id': 77, 'name': 'eth0'})
        self.assertEqual('Host 77 could not be found.', str(exc))


class TestNetworks(ClusterTestCase):

    def _net(self, name='mgmt', cluster_id=None, **kw):
        values = {'cluster_id': cluster_id or self.cluster.id, 'name': name,
                  'network_type': 'MANAGEMENT'}
        values.update(kw)
        return self.dbapi.create_network(self.context, values)

    def test_create_list_destroy(self):
        net = self._net(cidr='192.0.2.0/24', vlan_id=10, mtu=9000,
                        ip_ranges=[{'start': '192.0.2.10',
                                    'end': '192.0.2.99'}])
        self._net('pxe', network_type='PXE')
        got = self.dbapi.list_networks(
            self.context, filters={'network_type': 'MANAGEMENT'})
        self.assertEqual([net.uuid], [n.uuid for n in got])
        self.assertEqual([{'start': '192.0.2.10', 'end': '192.0.2.99'}],
                         got[0].ip_ranges)
        self.assertEqual((10, 9000), (got[0].vlan_id, got[0].mtu))
        self.dbapi.destroy_network(self.context, net.id)
        self.assertEqual(['pxe'], [n.name for n in self.dbapi.list_networks(
            self.context, filters={'cluster_id': self.cluster.id})])
        self.assertRaises(exception.NetworkNotFound,
                          self.dbapi.destroy_network, self.context, net.id)

    def test_name_unique_per_cluster(self):
        self._net('mgmt')
        exc = self.assertRaises(exception.NetworkAlreadyExists, self._net,
                                'mgmt')
        self.assertEqual('Cluster c1 already has a network named mgmt.',
                         str(exc))
        other = self.dbapi.create_cluster(self.context, {'name': 'c2'})
        self._net('mgmt', cluster_id=other.id)

    def test_unknown_cluster(self):
        self.assertRaises(exception.ClusterNotFound, self._net,
                          cluster_id=999)


class TestRolesAndHostRoles(ClusterTestCase):

    def _role(self, name='CONTROLLER_HA', cluster_id=None, **kw):
        values = {'cluster_id': cluster_id or self.cluster.id, 'name': name}
        values.update(kw)
        return self.dbapi.create_role(self.context, values)

    def test_roles(self):
        role = self._role(vip='192.0.2.2')
        self._role('COMPUTER')
        self.assertEqual('init', role.status)
        self.assertEqual(0, role.progress)
        self.assertEqual(['COMPUTER'], [r.name for r in self.dbapi.list_roles(
            self.context, filters={'name': 'COMPUTER'})])
        exc = self.assertRaises(exception.RoleAlreadyExists, self._role)
        self.assertEqual('Cluster c1 already has a role named '
                         'CONTROLLER_HA.', str(exc))
        other = self.dbapi.create_cluster(self.context, {'name': 'c2'})
        self._role(cluster_id=other.id)
        self.assertRaises(exception.ClusterNotFound, self._role,
                          cluster_id=999)
        self.dbapi.destroy_role(self.context, role.uuid)
        self.assertRaises(exception.RoleNotFound, self.dbapi.destroy_role,
                          self.context, role.uuid)

    def test_host_roles(self):
        role = self._role()
        assignment = self.dbapi.create_host_role(
            self.context, {'host_id': self.host.id, 'role_id': role.id})
        self.assertEqual(('init', 0), (assignment.role_status,
                                       assignment.role_progress))
        exc = self.assertRaises(
            exception.HostRoleAlreadyExists, self.dbapi.create_host_role,
            self.context, {'host_id': self.host.id, 'role_id': role.id})
        self.assertEqual('Host h1 already has role CONTROLLER_HA.', str(exc))
        updated = self.dbapi.update_host_role(
            self.context, assignment.uuid,
            {'role_status': 'installing', 'role_progress': 30,
             'role_messages': 'kolla: deploy'})
        self.assertEqual(30, updated.role_progress)
        got = self.dbapi.list_host_roles(
            self.context, filters={'role_status': 'installing'})
        self.assertEqual(['kolla: deploy'], [a.role_messages for a in got])
        self.assertRaises(exception.Invalid, self.dbapi.update_host_role,
                          self.context, assignment.id, {'uuid': 'x'})
        self.dbapi.destroy_host_role(self.context, assignment.id)
        self.assertEqual([], self.dbapi.list_host_roles(self.context))
        self.assertRaises(exception.HostRoleNotFound,
                          self.dbapi.update_host_role, self.context,
                          assignment.id, {'role_progress': 1})
        self.assertRaises(exception.HostRoleNotFound,
                          self.dbapi.destroy_host_role, self.context,
                          assignment.id)

    def test_host_role_references(self):
        role = self._role()
        self.assertRaises(exception.HostNotFound,
                          self.dbapi.create_host_role, self.context,
                          {'host_id': 999, 'role_id': role.id})
        self.assertRaises(exception.RoleNotFound,
                          self.dbapi.create_host_role, self.context,
                          {'host_id': self.host.id, 'role_id': 999})

    def test_destroy_role_still_assigned_is_refused(self):
        role = self._role()
        assignment = self.dbapi.create_host_role(
            self.context, {'host_id': self.host.id, 'role_id': role.id})
        exc = self.assertRaises(exception.RoleInUse, self.dbapi.destroy_role,
                                self.context, role.id)
        self.assertEqual(409, exc.code)
        self.assertIn(self.host.name or self.host.uuid, str(exc))
        self.assertEqual(1, len(self.dbapi.list_host_roles(self.context)))
        self.dbapi.destroy_host_role(self.context, assignment.uuid)
        self.dbapi.destroy_role(self.context, role.id)
        self.assertEqual([], self.dbapi.list_roles(self.context))


class TestVersions(base.DbTestCase):

    def test_create_list_destroy(self):
        version = self.dbapi.create_version(
            self.context, {'name': '2025.1', 'type': 'kolla',
                           'file': '/var/lib/trellis/kolla-2025.1.tgz',
                           'checksum': 'sha256:abc', 'size': 5 * 2 ** 32})
        self.dbapi.create_version(self.context, {'name': '2025.1',
                                                 'type': 'os'})
        self.assertEqual('unused', version.status)
        got = self.dbapi.list_versions(self.context,
                                       filters={'type': 'kolla'})
        self.assertEqual([5 * 2 ** 32], [v.size for v in got])
        exc = self.assertRaises(
            exception.VersionAlreadyExists, self.dbapi.create_version,
            self.context, {'name': '2025.1', 'type': 'kolla'})
        self.assertEqual('A kolla version named 2025.1 already exists.',
                         str(exc))
        self.dbapi.destroy_version(self.context, version.uuid)
        self.assertEqual(['os'], [v.type for v in self.dbapi.list_versions(
            self.context)])
        self.assertRaises(exception.VersionNotFound,
                          self.dbapi.destroy_version, self.context,
                          version.uuid)


class TestDeployments(ClusterTestCase):

    def test_lifecycle(self):
        deployment = self.dbapi.create_deployment(
            self.context, {'cluster_id': self.cluster.id, 'kind': 'install',
                           'options': {'skip_os': False, 'pxe_only': True}})
        self.assertEqual('pending', deployment.state)
        started = datetime.datetime(2026, 11, 22, 3, 0, 0)
        self.dbapi.update_deployment(
            self.context, deployment.uuid,
            {'state': 'running', 'current_step': 'prechecks',
             'owner': 'conductor-1', 'started_at': started})
        got = self.dbapi.get_deployment_by_uuid(self.context,
                                                deployment.uuid)
        self.assertEqual(('running', 'prechecks', 'conductor-1', started),
                         (got.state, got.current_step, got.owner,
                          got.started_at))
        self.assertEqual({'skip_os': False, 'pxe_only': True}, got.options)
        self.assertEqual([deployment.uuid], [d.uuid for d in
                                             self.dbapi.list_deployments(
                                                 self.context,
                                                 filters={'state': [
                                                     'running',
                                                     'pending']})])
        self.dbapi.destroy_deployment(self.context, deployment.id)
        self.assertRaises(exception.DeploymentNotFound,
                          self.dbapi.get_deployment_by_uuid, self.context,
                          deployment.uuid)
        self.assertRaises(exception.DeploymentNotFound,
                          self.dbapi.update_deployment, self.context,
                          deployment.uuid, {'state': 'failed'})
        self.assertRaises(exception.DeploymentNotFound,
                          self.dbapi.destroy_deployment, self.context,
                          deployment.uuid)

    def test_unknown_cluster_and_uuid_conflict(self):
        self.assertRaises(exception.ClusterNotFound,
                          self.dbapi.create_deployment, self.context,
                          {'cluster_id': 999, 'kind': 'install'})
        uuid = uuidutils.generate_uuid()
        self.dbapi.create_deployment(
            self.context, {'cluster_id': self.cluster.id, 'kind': 'install',
                           'uuid': uuid})
        exc = self.assertRaises(
            exception.UUIDAlreadyExists, self.dbapi.create_deployment,
            self.context, {'cluster_id': self.cluster.id, 'kind': 'update',
                           'uuid': uuid})
        self.assertEqual('A deployment with UUID %s already exists.' % uuid,
                         str(exc))
