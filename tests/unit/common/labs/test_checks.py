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


"""Every validation error of a lab: its file, line, path and message.

These need no database: ``importer.parse_files`` runs the parsers and
``checks.check_lab``.
"""

from tests.unit.common.labs import base
from trellis.common.labs import checks
from trellis.common.labs import importer
from trellis.common.labs import model


class TestDaisyValidation(base.LabTestCase):

    def invalid(self, deploy=base.DEPLOY, network=base.NETWORK, **kw):
        return self.assertRaises(model.LabInvalid, importer.parse_files,
                                 base.daisy_files(deploy, network), **kw)

    def test_valid_lab_parses(self):
        lab = importer.parse_files(base.daisy_files())
        self.assertEqual('daisy', lab.format)
        self.assertEqual('lab1', lab.cluster)
        self.assertEqual(['ctl1', 'ctl2', 'ctl3', 'cmp1'],
                         [h.name for h in lab.hosts])
        ctl1 = lab.hosts[0]
        self.assertEqual([('eno1', '52:54:00:00:01:01', True,
                           ['MANAGEMENT', 'PUBLICAPI']),
                          ('eno2', '52:54:00:00:01:02', False,
                           ['EXTERNAL'])],
                         [(i.name, i.mac, i.pxe, i.networks)
                          for i in ctl1.interfaces])
        self.assertEqual(model.Bmc('ipmi', '10.0.6.11', 'admin', 'pw-ctl1'),
                         ctl1.bmc)
        self.assertEqual('10.0.7.100', lab.internal_vip)
        self.assertEqual(100, lab.networks[2].vlan_id)

    def test_unknown_role(self):
        exc = self.invalid(base.DEPLOY.replace('  - COMPUTER',
                                               '  - COMPUTE'))
        self.assertLabError(exc, 'deploy.yml', 33,
                            "unknown role 'COMPUTE'; expected one of",
                            path='hosts[3].roles[0]')

    def test_malformed_mac(self):
        exc = self.invalid(base.DEPLOY.replace('52:54:00:00:02:01',
                                               '52:54:00:00:02'))
        self.assertLabError(exc, 'deploy.yml', 22,
                            "malformed MAC address '52:54:00:00:02'",
                            path='hosts[1].mac_addresses[0]')

    def test_mac_read_as_written_not_as_base60(self):
        # YAML 1.1 reads an unquoted 52:54:00:00:01:01 as an integer.
        lab = importer.parse_files(base.daisy_files())
        self.assertEqual('52:54:00:00:01:01', lab.hosts[0].macs[0])

    def test_duplicate_mac_across_hosts(self):
        exc = self.invalid(base.DEPLOY.replace('52:54:00:00:04:01',
                                               '52:54:00:00:01:02'))
        self.assertLabError(exc, 'deploy.yml', 38,
                            'duplicate MAC address 52:54:00:00:01:02: '
                            'already given to host ctl1 (deploy.yml line 14)')

    def test_duplicate_mac_in_one_host(self):
        exc = self.invalid(base.DEPLOY.replace('52:54:00:00:01:02',
                                               '52:54:00:00:01:01'))
        self.assertLabError(exc, 'deploy.yml', 14,
                            'duplicate MAC address 52:54:00:00:01:01')

    def test_overlapping_ranges(self):
        network = base.NETWORK.replace(
            '    end: 10.0.7.50\n',
            '    end: 10.0.7.50\n  - start: 10.0.7.40\n    end: 10.0.7.60\n')
        exc = self.invalid(network=network)
        self.assertLabError(exc, 'network.yml', 8,
                            'ip range 10.0.7.40-10.0.7.60 of network '
                            'MANAGEMENT overlaps the range '
                            '10.0.7.10-10.0.7.50 (line 6)',
                            path='networks[0].ip_ranges[1]')

    def test_range_outside_cidr(self):
        exc = self.invalid(network=base.NETWORK.replace('end: 10.0.8.50',
                                                        'end: 10.0.9.50'))
        self.assertLabError(exc, 'network.yml', 12,
                            'ip range 10.0.8.10-10.0.9.50 of network '
                            'PUBLICAPI is outside its cidr 10.0.8.0/24')

    def test_range_ending_before_start(self):
        exc = self.invalid(network=base.NETWORK.replace('end: 10.0.8.50',
                                                        'end: 10.0.8.5'))
        self.assertLabError(exc, 'network.yml', 12, 'ends before it starts')

    def test_internal_vip_inside_a_range(self):
        exc = self.invalid(network=base.NETWORK.replace(
            'internal_vip: 10.0.7.100', 'internal_vip: 10.0.7.20'))
        self.assertLabError(exc, 'network.yml', 28,
                            'internal_vip 10.0.7.20 is inside the ip range '
                            '10.0.7.10-10.0.7.50 of network MANAGEMENT',
                            path='internal_vip')

    def test_public_vip_inside_a_dhcp_range(self):
        # The PXE plane's range is the DHCP range of the PXE server.
        network = base.NETWORK.replace(
            'interfaces:\n',
            '- name: PXE\n  cidr: 10.0.8.0/24\n  ip_ranges:\n'
            '  - [10.0.8.90, 10.0.8.120]\ninterfaces:\n')
        exc = self.invalid(network=network)
        self.assertLabError(exc, 'network.yml', 33,
                            'public_vip 10.0.8.100 is inside the ip range '
                            '10.0.8.90-10.0.8.120 of network PXE')

    def test_vip_outside_its_plane(self):
        exc = self.invalid(network=base.NETWORK.replace(
            'public_vip: 10.0.8.100', 'public_vip: 10.0.7.200'))
        self.assertLabError(exc, 'network.yml', 29,
                            'public_vip 10.0.7.200 is outside the PUBLICAPI '
                            'cidr 10.0.8.0/24')

    def test_missing_required_plane(self):
        network = base.NETWORK.replace(
            '- name: EXTERNAL\n  cidr: 172.16.0.0/24\n  gateway: 172.16.0.1'
            '\n  vlan: 100\n  ip_ranges:\n  - start: 172.16.0.10\n'
            '    end: 172.16.0.20\n', '').replace(
            '- name: EXTERNAL\n  interface: eno2\n', '')
        exc = self.invalid(network=network)
        self.assertLabError(exc, 'network.yml', 1,
                            'missing required network plane EXTERNAL',
                            path='networks')

    def test_unknown_plane(self):
        exc = self.invalid(network=base.NETWORK.replace(
            '- name: EXTERNAL\n', '- name: OUTSIDE\n', 1))
        self.assertLabError(exc, 'network.yml', 14,
                            "unknown network plane 'OUTSIDE'")

    def test_two_controllers_refused(self):
        exc = self.invalid(base.DEPLOY.replace(
            '- name: ctl3\n  roles:\n  - CONTROLLER_LB',
            '- name: ctl3\n  roles:\n  - COMPUTER'))
        self.assertLabError(exc, 'deploy.yml', 5,
                            '2 controller host(s) (ctl1 (line 6), ctl2 '
                            '(line 15)); Daisy deploys exactly 1',
                            path='hosts')

    def test_no_controller_refused(self):
        deploy = base.DEPLOY.replace('CONTROLLER_LB', 'COMPUTER')
        exc = self.invalid(deploy)
        self.assertLabError(exc, 'deploy.yml', 5, '0 controller host(s)')

    def test_controller_ha_counts_as_controller(self):
        deploy = base.DEPLOY.replace(
            '- name: cmp1\n  roles:\n  - COMPUTER',
            '- name: cmp1\n  roles:\n  - COMPUTER\n  - CONTROLLER_HA')
        exc = self.invalid(deploy)
        self.assertLabError(exc, 'deploy.yml', 5, '4 controller host(s)')

    def test_one_or_three_controllers_accepted(self):
        self.assertEqual(checks.CONTROLLER_COUNTS, (1, 3))
        deploy = base.DEPLOY.replace(
            '- name: ctl2\n  roles:\n  - CONTROLLER_LB',
            '- name: ctl2\n  roles:\n  - COMPUTER').replace(
            '- name: ctl3\n  roles:\n  - CONTROLLER_LB',
            '- name: ctl3\n  roles:\n  - COMPUTER')
        lab = importer.parse_files(base.daisy_files(deploy))
        self.assertEqual(1, sum('CONTROLLER_LB' in h.roles
                                for h in lab.hosts))

    def test_no_compute_refused(self):
        deploy = base.DEPLOY.replace('  - COMPUTER', '  - CONTROLLER_LB')
        exc = self.invalid(deploy)
        self.assertLabError(exc, 'deploy.yml', 5, '0 COMPUTER host(s)')

    def test_unknown_key(self):
        exc = self.invalid(base.DEPLOY.replace('  ipmi_user: admin\n  ipmi_'
                                               'pass: pw-ctl2',
                                               '  ipmi_usr: admin\n  ipmi_'
                                               'pass: pw-ctl2'))
        self.assertLabError(exc, 'deploy.yml', 19,
                            "unknown key 'ipmi_usr'; expected one of")

    def test_duplicate_key(self):
        exc = self.invalid(base.DEPLOY.replace('daisy_ip: 10.0.7.3\n',
                                               'TYPE: virtual\n'))
        self.assertLabError(exc, 'deploy.yml', 39,
                            "duplicate key 'TYPE' (first on line 2)")

    def test_duplicate_host_name(self):
        exc = self.invalid(base.DEPLOY.replace('name: cmp1', 'name: ctl1'))
        self.assertLabError(exc, 'deploy.yml', 31,
                            'duplicate host name ctl1 (first on line 6)')

    def test_bare_metal_host_needs_ipmi_and_macs(self):
        deploy = base.DEPLOY.replace(
            '  ipmi_ip: 10.0.6.21\n', '').replace(
            '  mac_addresses:\n  - 52:54:00:00:04:01\n', '')
        exc = self.invalid(deploy)
        self.assertLabError(exc, 'deploy.yml', 31, 'has no ipmi_ip')
        self.assertLabError(exc, 'deploy.yml', 31, 'has no mac_addresses')

    def test_invalid_cidr_and_gateway(self):
        network = base.NETWORK.replace('cidr: 10.0.7.0/24',
                                       'cidr: 10.0.7.1/24').replace(
            'gateway: 10.0.8.1', 'gateway: 10.0.80.1')
        exc = self.invalid(network=network)
        self.assertLabError(exc, 'network.yml', 3, "invalid cidr "
                            "'10.0.7.1/24'")
        self.assertLabError(exc, 'network.yml', 9, 'gateway 10.0.80.1 of '
                            'network PUBLICAPI is outside its cidr')

    def test_yaml_syntax_error_has_its_line(self):
        exc = self.invalid(network=base.NETWORK.replace(
            'gateway: 10.0.8.1', 'gateway: [10.0.8.1'))
        self.assertEqual('network.yml', exc.errors[0].file)
        self.assertIn('not valid YAML', exc.errors[0].message)
        self.assertIsNotNone(exc.errors[0].line)

    def test_missing_network_file(self):
        exc = self.assertRaises(model.LabInvalid, importer.parse_files,
                                base.daisy_files()[:1])
        self.assertLabError(exc, 'network.yml', None, 'missing file')

    def test_no_cluster_name(self):
        deploy = base.DEPLOY.replace('cluster: lab1\n', '')
        exc = self.invalid(deploy)
        self.assertLabError(exc, 'deploy.yml', 1, 'no cluster name')
        lab = importer.parse_files(base.daisy_files(deploy), cluster='x')
        self.assertEqual('x', lab.cluster)

    def test_every_error_is_reported_at_once(self):
        deploy = base.DEPLOY.replace('  - COMPUTER', '  - COMPUTE').replace(
            '52:54:00:00:02:01', 'zz:54:00:00:02:01')
        network = base.NETWORK.replace('end: 10.0.8.50', 'end: 10.0.9.50')
        exc = self.invalid(deploy, network)
        self.assertLabError(exc, 'deploy.yml', 33, 'unknown role')
        self.assertLabError(exc, 'deploy.yml', 22, 'malformed MAC')
        self.assertLabError(exc, 'network.yml', 12, 'outside its cidr')
        self.assertIn('error(s); nothing was imported', exc.message)
        self.assertEqual(len(exc.errors), len(exc.details))
        self.assertEqual({'file', 'line', 'path', 'message'},
                         set(exc.details[0]))

    def test_password_not_in_errors(self):
        exc = self.invalid(base.DEPLOY.replace('  - COMPUTER',
                                               '  - COMPUTE'))
        self.assertNotIn('pw-', str(exc.details) + exc.message)


class TestTripleOValidation(base.LabTestCase):

    def invalid(self, nodes):
        return self.assertRaises(model.LabInvalid, importer.parse_files,
                                 base.nodes_files(nodes))

    def test_valid_nodes_parse(self):
        lab = importer.parse_files(base.nodes_files())
        self.assertEqual('tripleo', lab.format)
        self.assertIsNone(lab.networks)
        node0 = lab.hosts[0]
        self.assertEqual(['CONTROLLER_LB'], node0.roles)
        self.assertEqual(model.Bmc('ipmi', '10.0.9.10', 'admin',
                                   'pw-node0'), node0.bmc)
        self.assertEqual((4, 8192, 40, 'x86_64'),
                         (node0.cpus, node0.memory_mb, node0.disk_gb,
                          node0.arch))
        self.assertEqual(['COMPUTER'], lab.hosts[1].roles)

    def test_malformed_mac_names_its_line(self):
        exc = self.invalid(base.NODES.replace('52:54:00:00:09:02',
                                              '52-54-00-00-09-02'))
        self.assertLabError(exc, 'nodes.json', 23,
                            "malformed MAC address '52-54-00-00-09-02'",
                            path='nodes[1].mac[0]')

    def test_duplicate_mac(self):
        exc = self.invalid(base.NODES.replace('52:54:00:00:09:02',
                                              '52:54:00:00:09:01'))
        self.assertLabError(exc, 'nodes.json', 23, 'duplicate MAC address '
                            '52:54:00:00:09:01: already given to host node0 '
                            '(nodes.json line 10)')

    def test_unknown_pm_type(self):
        exc = self.invalid(base.NODES.replace('"pm_type": "ipmi"',
                                              '"pm_type": "smoke-signals"'))
        self.assertLabError(exc, 'nodes.json', 19,
                            "unknown pm_type 'smoke-signals'")

    def test_unknown_profile_is_an_unknown_role(self):
        exc = self.invalid(base.NODES.replace('profile:compute',
                                              'profile:gpu'))
        self.assertLabError(exc, 'nodes.json', 24,
                            "unknown role profile 'gpu'")

    def test_two_controllers_refused(self):
        exc = self.invalid(base.NODES.replace('profile:compute',
                                              'profile:control'))
        self.assertLabError(exc, 'nodes.json', 3, '2 controller host(s)')

    def test_json_syntax_error_has_its_line(self):
        exc = self.invalid(base.NODES.replace('"arch": "x86_64",',
                                              '"arch": "x86_64"'))
        self.assertLabError(exc, 'nodes.json', 15, 'not valid JSON')

    def test_format_detected_and_forced(self):
        self.assertEqual('tripleo',
                         importer.detect_format(base.nodes_files()))
        self.assertEqual('daisy', importer.detect_format(base.daisy_files()))
        exc = self.assertRaises(model.LabInvalid, importer.parse_files,
                                base.nodes_files(), fmt='ansible')
        self.assertLabError(exc, '', None, "unknown format 'ansible'")


class TestHostileInput(base.LabTestCase):
    """What a fuzzer or a careless file may send: errors, never crashes."""

    def test_yaml_alias_bomb_refused(self):
        deploy = base.DEPLOY + (
            'disks: &a [x, x]\nmodules: &b [*a, *a, *a]\n'
            'ceph_disk_name: [*b, *b]\n')
        exc = self.assertRaises(model.LabInvalid, importer.parse_files,
                                base.daisy_files(deploy))
        self.assertLabError(exc, 'deploy.yml', 41,
                            'YAML aliases (*name) of lists or mappings are '
                            'not supported')

    def test_mixed_ip_versions(self):
        network = base.NETWORK.replace('end: 10.0.8.50', 'end: fd00::50')
        exc = self.assertRaises(model.LabInvalid, importer.parse_files,
                                base.daisy_files(network=network))
        self.assertLabError(exc, 'network.yml', 12, 'mixes IPv4 and IPv6')

    def test_ipv6_range_and_ipv4_vip(self):
        network = base.NETWORK.replace(
            'interfaces:\n', '- name: TENANT\n  cidr: fd00::/64\n'
            '  ip_ranges:\n  - [fd00::10, fd00::20]\ninterfaces:\n')
        lab = importer.parse_files(base.daisy_files(network=network))
        self.assertEqual([('fd00::10', 'fd00::20')],
                         lab.networks[-1].ip_ranges)

    def test_wrong_types_are_errors(self):
        deploy = base.DEPLOY.replace('name: ctl2', 'name: [ctl2]').replace(
            'cluster: lab1', 'cluster: {a: 1}')
        exc = self.assertRaises(model.LabInvalid, importer.parse_files,
                                base.daisy_files(deploy))
        self.assertLabError(exc, 'deploy.yml', 15, 'expected a host name')
        self.assertLabError(exc, 'deploy.yml', 1, 'expected a cluster name')
        nodes = base.NODES.replace('"pm_type": "ipmi"', '"pm_type": [1]')
        exc = self.assertRaises(model.LabInvalid, importer.parse_files,
                                base.nodes_files(nodes))
        self.assertLabError(exc, 'nodes.json', 19, 'unknown pm_type [1]')

    def test_yaml_dates_kept_as_text(self):
        lab = importer.parse_files(base.daisy_files(
            base.DEPLOY + 'ceph_disk_name: 2017-06-06\n'))
        self.assertEqual('2017-06-06', lab.settings['ceph_disk_name'])

    def test_empty_and_non_mapping_files(self):
        exc = self.assertRaises(model.LabInvalid, importer.parse_files,
                                base.daisy_files('', '- 1\n'))
        self.assertLabError(exc, 'deploy.yml', None,
                            'expected a mapping of keys at the top of the '
                            'file, got NoneType')
        self.assertLabError(exc, 'network.yml', 1,
                            'expected a non-empty list of networks')
        self.assertFalse([e for e in exc.errors
                          if 'missing required' in e.message])
        exc = self.assertRaises(model.LabInvalid, importer.parse_files,
                                base.nodes_files('[1]'))
        self.assertLabError(exc, 'nodes.json', 1, 'expected an object')
