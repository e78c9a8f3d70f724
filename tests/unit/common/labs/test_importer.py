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


"""Import and export against a real (in-memory SQLite) database:
idempotency, partial updates, round trips, conflicts with enrolled
hosts, secrets."""

import logging

import fixtures
from oslo_db import exception as db_exc

from tests.unit.common.db import base as db_base
from tests.unit.common.labs import base
from trellis.common.labs import exporter
from trellis.common.labs import importer
from trellis.common.labs import model

SHIPPED = ('virtual-all-in-one', 'virtual-five-node', 'baremetal', 'tripleo')


def changed(report) -> list[tuple[str, str, str]]:
    return sorted((c['resource'], c['name'], c['action'])
                  for c in report['changes'] if c['action'] != 'unchanged')


class ImportTestCase(db_base.DbTestCase, base.LabTestCase):

    def do_import(self, files, **kw):
        return importer.import_lab(self.context, files, **kw)


class TestImport(ImportTestCase):

    def test_shipped_labs_import_cleanly(self):
        for lab in SHIPPED:
            report = self.do_import(base.shipped(lab))
            self.assertEqual('changed', report['result'], lab)
            self.assertEqual(1, report['summary']['cluster']['created'])
            self.assertTrue(report['summary']['host']['created'])
            again = self.do_import(base.shipped(lab))
            self.assertEqual('unchanged', again['result'], changed(again))
        names = {c.name for c in self.dbapi.list_clusters(self.context)}
        self.assertEqual({'virtual-all-in-one', 'virtual-five-node',
                          'baremetal-pod2', 'tripleo-lab'}, names)
        five = self.dbapi.get_cluster_by_name(self.context,
                                              'virtual-five-node')
        hosts = self.dbapi.list_hosts(self.context,
                                      filters={'cluster_id': five.id})
        self.assertEqual(5, len(hosts))

    def test_import_creates_everything(self):
        report = self.do_import(base.daisy_files())
        summary = report['summary']
        self.assertEqual(1, summary['cluster']['created'])
        self.assertEqual(3, summary['network']['created'])
        self.assertEqual(2, summary['role']['created'])
        self.assertEqual(4, summary['host']['created'])
        self.assertEqual(8, summary['interface']['created'])
        self.assertEqual(4, summary['host_role']['created'])
        cluster = self.dbapi.get_cluster_by_name(self.context, 'lab1')
        self.assertEqual(report['cluster']['uuid'], cluster.uuid)
        self.assertEqual('10.0.7.100',
                         cluster.config['kolla_internal_vip_address'])
        self.assertEqual('10.0.8.100',
                         cluster.config['kolla_external_vip_address'])
        self.assertEqual({'TYPE': 'baremetal', 'FLAVOR': 'cluster',
                          'adapter': 'ipmi', 'daisy_ip': '10.0.7.3'},
                         cluster.config['lab'])
        roles = {r.name: r for r in self.dbapi.list_roles(
            self.context, filters={'cluster_id': cluster.id})}
        self.assertEqual('10.0.7.100', roles['CONTROLLER_LB'].vip)
        self.assertIsNone(roles['COMPUTER'].vip)
        ctl1 = self.dbapi.get_host_by_name(self.context, 'ctl1')
        self.assertEqual(('ipmi', '10.0.6.11', 'admin', 'pw-ctl1'),
                         (ctl1.bmc_driver, ctl1.bmc_address,
                          ctl1.bmc_username, ctl1.bmc_password))
        self.assertEqual(
            [('eno1', '52:54:00:00:01:01', True, ['MANAGEMENT',
                                                  'PUBLICAPI']),
             ('eno2', '52:54:00:00:01:02', False, ['EXTERNAL'])],
            [(i.name, i.mac, i.pxe, i.assigned_networks)
             for i in ctl1.interfaces])
        ext = self.dbapi.list_networks(
            self.context, filters={'cluster_id': cluster.id,
                                   'name': 'EXTERNAL'})[0]
        self.assertEqual((100, [{'start': '172.16.0.10',
                                 'end': '172.16.0.20'}]),
                         (ext.vlan_id, ext.ip_ranges))
        assigned = self.dbapi.list_host_roles(
            self.context, filters={'host_id': ctl1.id})
        self.assertEqual([roles['CONTROLLER_LB'].id],
                         [a.role_id for a in assigned])

    def test_same_files_twice_changes_nothing(self):
        self.do_import(base.daisy_files())
        before = self.dbapi.get_host_by_name(self.context, 'ctl1')
        report = self.do_import(base.daisy_files())
        self.assertEqual('unchanged', report['result'])
        self.assertEqual([], changed(report))
        self.assertEqual(4, report['summary']['host']['unchanged'])
        after = self.dbapi.get_host_by_name(self.context, 'ctl1')
        self.assertEqual(before.updated_at, after.updated_at)

    def test_changed_file_updates_only_what_changed(self):
        self.do_import(base.daisy_files())
        deploy = base.DEPLOY.replace('ipmi_ip: 10.0.6.21',
                                     'ipmi_ip: 10.0.6.99').replace(
            '  - 52:54:00:00:01:02\n', '')
        network = base.NETWORK.replace('end: 172.16.0.20',
                                       'end: 172.16.0.30')
        report = self.do_import(base.daisy_files(deploy, network))
        self.assertEqual([('host', 'cmp1', 'updated'),
                          ('interface', 'ctl1/eno2', 'updated'),
                          ('network', 'EXTERNAL', 'updated')],
                         changed(report))
        self.assertEqual(
            '10.0.6.99',
            self.dbapi.get_host_by_name(self.context, 'cmp1').bmc_address)
        eno2 = self.dbapi.get_host_by_name(self.context,
                                           'ctl1').interfaces[1]
        self.assertIsNone(eno2.mac)

    def test_hosts_added_and_removed(self):
        self.do_import(base.daisy_files())
        deploy = base.DEPLOY.replace('name: cmp1', 'name: cmp2').replace(
            'ipmi_ip: 10.0.6.21', 'ipmi_ip: 10.0.6.22')
        report = self.do_import(base.daisy_files(deploy))
        self.assertEqual([('host', 'cmp1', 'deleted'),
                          ('host', 'cmp2', 'created'),
                          ('host_role', 'cmp2:COMPUTER', 'created'),
                          ('interface', 'cmp2/eno1', 'created'),
                          ('interface', 'cmp2/eno2', 'created')],
                         changed(report))
        # cmp2 took over cmp1's MAC: cmp1 was deleted first.
        host = self.dbapi.get_host_by_mac(self.context, '52:54:00:00:04:01')
        self.assertEqual('cmp2', host.name)

    def test_macs_swapped_between_hosts(self):
        self.do_import(base.daisy_files())
        deploy = base.DEPLOY.replace('52:54:00:00:02:01', 'SWAP').replace(
            '52:54:00:00:03:01', '52:54:00:00:02:01').replace(
            'SWAP', '52:54:00:00:03:01')
        report = self.do_import(base.daisy_files(deploy))
        self.assertEqual([('interface', 'ctl2/eno1', 'updated'),
                          ('interface', 'ctl3/eno1', 'updated')],
                         changed(report))
        self.assertEqual('ctl3', self.dbapi.get_host_by_mac(
            self.context, '52:54:00:00:02:01').name)

    def test_bmc_addresses_swapped_between_hosts(self):
        self.do_import(base.daisy_files())
        deploy = base.DEPLOY.replace('10.0.6.11', 'SWAP').replace(
            '10.0.6.12', '10.0.6.11').replace('SWAP', '10.0.6.12')
        report = self.do_import(base.daisy_files(deploy))
        self.assertEqual([('host', 'ctl1', 'updated'),
                          ('host', 'ctl2', 'updated')], changed(report))
        self.assertEqual('10.0.6.12', self.dbapi.get_host_by_name(
            self.context, 'ctl1').bmc_address)

    def test_nic_renamed(self):
        self.do_import(base.daisy_files())
        network = base.NETWORK.replace('interface: eno2', 'interface: eth1')
        report = self.do_import(base.daisy_files(network=network))
        self.assertIn(('interface', 'ctl1/eth1', 'created'), changed(report))
        self.assertIn(('interface', 'ctl1/eno2', 'deleted'), changed(report))
        self.assertEqual(['eno1', 'eth1'], [
            i.name for i in self.dbapi.get_host_by_name(
                self.context, 'ctl1').interfaces])

    def test_role_and_network_removed(self):
        deploy = base.DEPLOY.replace('  - COMPUTER\n',
                                     '  - COMPUTER\n  - STORAGE\n')
        network = base.NETWORK.replace(
            'interfaces:\n', '- name: STORAGE\n  cidr: 10.0.10.0/24\n'
            'interfaces:\n')
        self.do_import(base.daisy_files(deploy, network))
        report = self.do_import(base.daisy_files())
        self.assertEqual([('host_role', 'cmp1:STORAGE', 'deleted'),
                          ('network', 'STORAGE', 'deleted'),
                          ('role', 'STORAGE', 'deleted')],
                         changed(report))
        cluster = self.dbapi.get_cluster_by_name(self.context, 'lab1')
        self.assertEqual(['CONTROLLER_LB', 'COMPUTER'], [
            r.name for r in self.dbapi.list_roles(
                self.context, filters={'cluster_id': cluster.id})])

    def test_deadlock_runs_the_import_again(self):
        # Galera: a transaction that loses certification fails at commit.
        self.useFixture(fixtures.MockPatch('oslo_db.api.time.sleep'))
        real = importer._Planner.apply
        calls = []

        def apply_once_deadlocked(planner):
            calls.append(1)
            real(planner)
            if len(calls) == 1:
                raise db_exc.DBDeadlock()

        self.useFixture(fixtures.MockPatchObject(
            importer._Planner, 'apply', apply_once_deadlocked))
        report = self.do_import(base.daisy_files())
        self.assertEqual(2, len(calls))
        self.assertEqual(4, report['summary']['host']['created'])
        self.assertEqual(4, len(self.dbapi.list_hosts(self.context)))

    def test_dry_run_writes_nothing(self):
        report = self.do_import(base.daisy_files(), dry_run=True)
        self.assertTrue(report['dry_run'])
        self.assertEqual(4, report['summary']['host']['created'])
        self.assertEqual([], self.dbapi.list_clusters(self.context))
        self.assertEqual([], self.dbapi.list_hosts(self.context))

    def test_cluster_name_override(self):
        report = self.do_import(base.daisy_files(), cluster='other')
        self.assertEqual('other', report['cluster']['name'])
        self.dbapi.get_cluster_by_name(self.context, 'other')

    def test_invalid_files_import_nothing(self):
        deploy = base.DEPLOY.replace('  - COMPUTER', '  - COMPUTE')
        self.assertRaises(model.LabInvalid, self.do_import,
                          base.daisy_files(deploy))
        self.assertEqual([], self.dbapi.list_clusters(self.context))
        self.assertEqual([], self.dbapi.list_hosts(self.context))

    def test_daisy_passwd_ignored_with_a_warning(self):
        deploy = base.DEPLOY + 'daisy_passwd: r00tme\n'
        report = self.do_import(base.daisy_files(deploy))
        self.assertIn('daisy_passwd ignored', report['warnings'][0])
        cluster = self.dbapi.get_cluster_by_name(self.context, 'lab1')
        self.assertNotIn('r00tme', str(cluster.config))


class TestEnrolledElsewhere(ImportTestCase):
    """Checks against hosts already in the database."""

    def setUp(self):
        super().setUp()
        other = self.dbapi.create_cluster(self.context, {'name': 'other'})
        self.dbapi.create_host(self.context, {
            'name': 'elsewhere', 'cluster_id': other.id,
            'bmc_address': '10.0.6.12',
            'interfaces': [{'name': 'eth0', 'mac': '52:54:00:00:02:01'}]})

    def test_mac_enrolled_in_another_cluster(self):
        exc = self.assertRaises(model.LabInvalid, self.do_import,
                                base.daisy_files())
        self.assertLabError(exc, 'deploy.yml', 22,
                            'duplicate MAC address 52:54:00:00:02:01: '
                            'already enrolled on host elsewhere in cluster '
                            'other', path='hosts[1].mac_addresses[0]')
        self.assertLabError(exc, 'deploy.yml', 18,
                            'BMC address 10.0.6.12 is already enrolled: '
                            'host elsewhere in cluster other')
        self.assertEqual(['other'], [c.name for c in
                                     self.dbapi.list_clusters(self.context)])
        self.assertEqual(1, len(self.dbapi.list_hosts(self.context)))

    def test_host_name_taken_by_another_cluster(self):
        deploy = base.DEPLOY.replace('name: cmp1', 'name: elsewhere')
        exc = self.assertRaises(model.LabInvalid, self.do_import,
                                base.daisy_files(deploy))
        self.assertLabError(exc, 'deploy.yml', 31, 'host name elsewhere is '
                            'already enrolled in cluster other')

    def test_discovered_host_is_adopted_by_mac(self):
        found = self.dbapi.create_host(self.context, {
            'interfaces': [{'name': 'eth0', 'mac': '52:54:00:00:04:01'}],
            'cpu': {'count': 8}})
        deploy = base.DEPLOY.replace('52:54:00:00:02:01',
                                     '52:54:00:00:02:99').replace(
            'ipmi_ip: 10.0.6.12', 'ipmi_ip: 10.0.6.92')
        report = self.do_import(base.daisy_files(deploy))
        self.assertIn(('host', 'cmp1', 'updated'), changed(report))
        host = self.dbapi.get_host_by_name(self.context, 'cmp1')
        self.assertEqual(found.uuid, host.uuid)
        self.assertEqual({'count': 8}, host.cpu)
        self.assertEqual(['eno1', 'eno2'],
                         [i.name for i in host.interfaces])
        self.assertEqual('with-role', host.status)
        again = self.do_import(base.daisy_files(deploy))
        self.assertEqual('unchanged', again['result'], changed(again))


class TestRoundTrip(ImportTestCase):

    def test_daisy_round_trip(self):
        self.do_import(base.daisy_files())
        out = exporter.export_lab(self.context, 'lab1', 'daisy')
        self.assertEqual(['deploy.yml', 'network.yml'],
                         [f['name'] for f in out['files']])
        report = self.do_import(out['files'])
        self.assertEqual('unchanged', report['result'], changed(report))

    def test_tripleo_round_trip(self):
        self.do_import(base.nodes_files())
        node0 = self.dbapi.get_host_by_name(self.context, 'node0')
        self.assertEqual(({'count': 4}, {'total_mb': 8192},
                          [{'size_gb': 40}], 'x86_64', 'ipmi'),
                         (node0.cpu, node0.memory, node0.disks, node0.arch,
                          node0.bmc_driver))
        out = exporter.export_lab(self.context, 'tri1', 'tripleo')
        self.assertEqual(['nodes.json'], [f['name'] for f in out['files']])
        report = self.do_import(out['files'])
        self.assertEqual('unchanged', report['result'], changed(report))

    def test_shipped_labs_round_trip(self):
        for lab in SHIPPED:
            report = self.do_import(base.shipped(lab))
            fmt = 'tripleo' if lab == 'tripleo' else 'daisy'
            out = exporter.export_lab(self.context,
                                      report['cluster']['name'], fmt)
            again = self.do_import(out['files'])
            self.assertEqual('unchanged', again['result'], changed(again))

    def test_tripleo_pm_port(self):
        nodes = base.NODES.replace('"pm_user": "admin",\n      "pm_password"'
                                   ': "pw-node1"', '"pm_user": "admin",\n'
                                   '      "pm_port": 6230,\n'
                                   '      "pm_password": "pw-node1"')
        self.do_import(base.nodes_files(nodes))
        self.assertEqual(6230, self.dbapi.get_host_by_name(
            self.context, 'node1').bmc_port)
        out = exporter.export_lab(self.context, 'tri1', 'tripleo')
        self.assertIn('"pm_port": 6230', out['files'][0]['content'])
        again = self.do_import(out['files'])
        self.assertEqual('unchanged', again['result'], changed(again))

    def test_export_of_a_cluster_made_through_the_api(self):
        cluster = self.dbapi.create_cluster(self.context, {'name': 'api'})
        self.dbapi.create_role(self.context, {
            'name': 'CONTROLLER_HA', 'cluster_id': cluster.id,
            'vip': '10.0.0.5'})
        self.dbapi.create_host(self.context, {
            'name': 'h1', 'cluster_id': cluster.id,
            'interfaces': [{'name': 'eth0', 'mac': '52:54:00:aa:00:01'}]})
        out = exporter.export_lab(self.context, 'api', 'daisy')
        self.assertIn('internal_vip: 10.0.0.5', out['files'][1]['content'])
        self.assertIn('- 52:54:00:aa:00:01', out['files'][0]['content'])

    def test_export_by_uuid(self):
        report = self.do_import(base.daisy_files())
        out = exporter.export_lab(self.context, report['cluster']['uuid'])
        self.assertEqual('lab1', out['cluster'])


class TestSecrets(ImportTestCase):

    def test_export_masks_passwords_and_says_so(self):
        self.do_import(base.daisy_files())
        out = exporter.export_lab(self.context, 'lab1', 'daisy')
        deploy = out['files'][0]['content']
        self.assertNotIn('pw-ctl1', deploy)
        self.assertIn("ipmi_pass: '%s'" % model.SECRET_PLACEHOLDER, deploy)
        self.assertFalse(out['secrets_included'])
        self.assertIn('BMC passwords are not exported', out['warnings'][0])
        self.assertIn('BMC passwords are not exported', deploy)
        # Importing the masked export keeps the stored passwords.
        report = self.do_import(out['files'])
        self.assertEqual('unchanged', report['result'])
        self.assertEqual('pw-ctl1', self.dbapi.get_host_by_name(
            self.context, 'ctl1').bmc_password)

    def test_export_with_secrets(self):
        self.do_import(base.nodes_files())
        out = exporter.export_lab(self.context, 'tri1', 'tripleo',
                                  include_secrets=True)
        self.assertIn('"pm_password": "pw-node0"', out['files'][0]['content'])
        self.assertTrue(out['secrets_included'])

    def test_placeholder_on_a_new_host_sets_no_password(self):
        deploy = base.DEPLOY.replace('pw-ctl1',
                                     "'%s'" % model.SECRET_PLACEHOLDER)
        report = self.do_import(base.daisy_files(deploy))
        self.assertIn('ctl1: the BMC password is the export placeholder',
                      ' '.join(report['warnings']))
        self.assertIsNone(self.dbapi.get_host_by_name(
            self.context, 'ctl1').bmc_password)

    def test_changed_password_is_updated(self):
        self.do_import(base.daisy_files())
        report = self.do_import(base.daisy_files(
            base.DEPLOY.replace('pw-ctl2', 'new-pw')))
        self.assertEqual([('host', 'ctl2', 'updated')], changed(report))
        self.assertEqual('new-pw', self.dbapi.get_host_by_name(
            self.context, 'ctl2').bmc_password)

    def test_passwords_never_logged_or_reported(self):
        logs = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))
        report = self.do_import(base.daisy_files())
        report2 = self.do_import(base.nodes_files())
        exporter.export_lab(self.context, 'lab1')
        text = logs.output + str(report) + str(report2)
        self.assertIn('Lab import into cluster lab1', logs.output)
        for secret in ('pw-ctl1', 'pw-cmp1', 'pw-node0'):
            self.assertNotIn(secret, text)
