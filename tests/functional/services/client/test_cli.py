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

"""The ``trellis`` CLI run as a subprocess against trellis-api served for real.

One ``trellis-api`` daemon per class (real etcd, RabbitMQ, a SQLite
database made by ``trellis-manage db sync``; MariaDB for the inventory
commands too) with ``auth_strategy = http_basic``: an admin, a member and
a reader user in an htpasswd file.
Every command runs the installed ``trellis`` console script.
"""

import json
import os
import subprocess

import bcrypt
import fixtures
from testtools import content
import yaml

from tests.functional import base
from tests.functional import fixtures as func_fixtures

CLI_TIMEOUT = 60
LABS = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                    os.pardir, os.pardir, os.pardir, 'etc', 'trellis', 'labs')
PASSWORDS = {'admin': 'Adm1n-pw', 'member': 'Memb3r-pw',
             'reader': 'R3ader-pw'}


def _htpasswd_line(user: str, role: str) -> str:
    digest = bcrypt.hashpw(PASSWORDS[user].encode(),
                           bcrypt.gensalt(rounds=4)).decode()
    return '%s:%s:%s\n' % (user, digest, role)


class CLITestCase(base.ServiceTestCase):
    """A trellis-api daemon on SQLite with HTTP basic authentication."""

    @classmethod
    def service_config(cls, service):
        config = super().service_config(service)
        if service == 'api':
            cls.api_url = 'http://127.0.0.1:%s' % config['api']['port']
            config['api'].update(
                auth_strategy='http_basic',
                http_basic_auth_user_file=cls.htpasswd)
            config['database'] = {'connection': cls.db_url}
        return config

    @classmethod
    def database_url(cls):
        """The database of the class's API (a SQLite file)."""
        return 'sqlite:///%s' % os.path.join(cls.tempdir, 'trellis.sqlite')

    @classmethod
    def manage_config(cls):
        # Called once the class's tempdir exists, before any daemon.
        cls.db_url = cls.database_url()
        cls.htpasswd = os.path.join(cls.tempdir, 'htpasswd')
        with open(cls.htpasswd, 'w') as f:
            for user, role in (('admin', 'admin'), ('member', 'member'),
                               ('reader', 'reader')):
                f.write(_htpasswd_line(user, role))
        os.chmod(cls.htpasswd, 0o600)
        sections = super().manage_config()
        sections['database'] = {'connection': cls.db_url}
        return sections

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            argv = base.console_script('trellis-manage') + [
                '--config-file', cls.manage_config_file, 'db', 'sync']
            subprocess.run(argv, check=True, capture_output=True,
                           timeout=120, stdin=subprocess.DEVNULL)
            cls.services['api'] = cls._use_class_fixture(
                cls.make_service_fixture('api'))
        except BaseException:
            cls._cleanup_class_fixtures()
            raise

    def setUp(self):
        super().setUp()
        self.home = self.useFixture(fixtures.TempDir()).path

    def environ(self, user='admin', **extra):
        """A clean environment: only what the test gives the CLI."""
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
               'HOME': self.home, 'XDG_CONFIG_HOME': self.home,
               'LANG': 'C.UTF-8', 'TRELLIS_URL': self.api_url}
        if user:
            env.update(TRELLIS_USERNAME=user,
                       TRELLIS_PASSWORD=PASSWORDS[user])
        env.update(extra)
        return {k: v for k, v in env.items() if v is not None}

    def trellis(self, *args, user='admin', env=None, expect=0):
        """Run ``trellis ARGS``; check the exit code; returns the result."""
        argv = base.console_script('trellis') + list(args)
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=CLI_TIMEOUT,
            stdin=subprocess.DEVNULL,
            env=env if env is not None else self.environ(user))
        self.addDetail('trellis %s' % ' '.join(args), content.text_content(
            'exit %s\n--- stdout\n%s\n--- stderr\n%s' % (
                result.returncode, result.stdout, result.stderr)))
        if expect is not None:
            self.assertEqual(expect, result.returncode, result.stderr)
        self.assertNotIn('Traceback', result.stderr)
        for password in PASSWORDS.values():
            self.assertNotIn(password, result.stdout + result.stderr)
        return result

    def json(self, *args, **kwargs):
        return json.loads(self.trellis(*args, '-f', 'json',
                                       **kwargs).stdout)


class TestClusterCLI(CLITestCase):

    def test_cluster_life_cycle(self):
        name = func_fixtures.unique_name('lab-')
        created = self.json('cluster', 'create', name, '--description',
                            'Rack A', '--config', 'ntp_server=10.0.0.1',
                            '--config', 'debug=true')
        self.assertEqual(name, created['name'])
        self.assertEqual('Rack A', created['description'])
        self.assertEqual({'ntp_server': '10.0.0.1', 'debug': True},
                         created['config'])

        listed = self.json('cluster', 'list')
        self.assertIn({'UUID': created['uuid'], 'Name': name,
                       'Status': created['status'],
                       'Target': created['target']}, listed)
        shown = self.json('cluster', 'show', created['uuid'])
        self.assertEqual(created, shown)
        self.assertEqual(name + '\n', self.trellis(
            'cluster', 'show', name, '-f', 'value', '-c', 'name').stdout)

        changed = self.json('cluster', 'set', name, '--target', 'kolla-1',
                            '--unset', 'description')
        self.assertEqual('kolla-1', changed['target'])
        self.assertIsNone(changed['description'])
        renamed = self.json('cluster', 'set', name, '--name', name + '-b')
        self.assertEqual(created['uuid'], renamed['uuid'])

        result = self.trellis('cluster', 'delete', name + '-b')
        self.assertEqual('', result.stdout)
        result = self.trellis('cluster', 'show', created['uuid'], expect=1)
        self.assertIn('(HTTP 404)', result.stderr)
        self.assertIn('Request-ID: req-', result.stderr)

    def test_manual_paging(self):
        prefix = func_fixtures.unique_name('page-')
        uuids = [self.json('cluster', 'create', '%s-%d' % (prefix, i))['uuid']
                 for i in range(3)]
        everything = [row['UUID'] for row in self.json('cluster', 'list')]
        self.assertTrue(set(uuids) <= set(everything))
        first = self.json('cluster', 'list', '--limit', '1')
        self.assertEqual(1, len(first))
        second = self.json('cluster', 'list', '--limit', '1', '--marker',
                           first[0]['UUID'])
        self.assertEqual(1, len(second))
        self.assertNotEqual(first, second)
        self.assertEqual(everything[:2],
                         [first[0]['UUID'], second[0]['UUID']])

    def test_api_errors(self):
        name = func_fixtures.unique_name('dup-')
        self.trellis('cluster', 'create', name)
        result = self.trellis('cluster', 'create', name, expect=1)
        self.assertIn('(HTTP 409)', result.stderr)
        self.assertIn(name, result.stderr)

        result = self.trellis('cluster', 'create', 'bad name!', expect=1)
        self.assertIn('(HTTP 400)', result.stderr)
        self.assertIn('$.name', result.stderr)

        result = self.trellis('cluster', 'list', '--limit', '5000',
                              expect=1)
        self.assertIn('(HTTP 400)', result.stderr)

    def test_authentication_and_policy(self):
        # A reader reads and may not write.
        self.trellis('cluster', 'list', user='reader')
        result = self.trellis('cluster', 'create',
                              func_fixtures.unique_name('ro-'),
                              user='reader', expect=1)
        self.assertIn('(HTTP 403)', result.stderr)
        # A member writes.
        self.trellis('cluster', 'create', func_fixtures.unique_name('rw-'),
                     user='member')
        # A wrong password and no credentials are refused.
        env = self.environ(TRELLIS_PASSWORD='wrong')
        result = self.trellis('cluster', 'list', env=env, expect=1)
        self.assertIn('(HTTP 401)', result.stderr)
        result = self.trellis('cluster', 'list', env=self.environ(None),
                              expect=1)
        self.assertIn('(HTTP 401)', result.stderr)

    def test_client_config_file_and_debug(self):
        path = os.path.join(self.home, 'trellis', 'client.yaml')
        os.makedirs(os.path.dirname(path))
        with open(path, 'w') as f:
            f.write('default: local\nclouds:\n  local:\n    url: %s\n'
                    '    username: member\n    password: %s\n'
                    '  broken:\n    url: http://127.0.0.1:%d\n'
                    % (self.api_url, PASSWORDS['member'],
                       func_fixtures.servers.free_port()))
        os.chmod(path, 0o600)
        env = self.environ(None, TRELLIS_URL=None)
        result = self.trellis('--debug', 'cluster', 'list', env=env)
        self.assertIn('RESP: 200 GET %s/v1/clusters (Request-ID: req-'
                      % self.api_url, result.stderr)
        result = self.trellis('--os-cloud', 'broken', 'cluster', 'list',
                              env=env, expect=1)
        self.assertIn('Cannot reach the Trellis API', result.stderr)
        # The environment wins over the file, the command line over both.
        env['TRELLIS_PASSWORD'] = 'wrong'
        self.trellis('cluster', 'list', env=env, expect=1)
        self.trellis('--password', PASSWORDS['member'], 'cluster', 'list',
                     env=env)


class TestLabCLI(CLITestCase):

    def lab_files(self, lab):
        folder = os.path.join(LABS, lab)
        return [os.path.join(folder, name) for name in ('deploy.yml',
                                                        'network.yml')]

    def test_import_export_round_trip(self):
        files = self.lab_files('baremetal')
        with open(files[0]) as f:
            deploy = yaml.safe_load(f)
        cluster = deploy['cluster']

        dry = self.json('lab', 'import', '--dry-run', *files)
        self.assertEqual({'created'}, {row['Action'] for row in dry})
        self.assertIn({'Action': 'created', 'Resource': 'cluster',
                       'Name': cluster}, dry)
        result = self.trellis('cluster', 'show', cluster, expect=1)
        self.assertIn('(HTTP 404)', result.stderr)

        imported = self.json('lab', 'import', *files, user='member')
        self.assertEqual(dry, imported)
        hosts = {row['Name'] for row in imported
                 if row['Resource'] == 'host'}
        self.assertEqual({h['name'] for h in deploy['hosts']}, hosts)
        self.assertEqual(cluster, self.json('cluster', 'show',
                                            cluster)['name'])
        again = self.json('lab', 'import', *files)
        self.assertEqual({'unchanged'}, {row['Action'] for row in again})

        out_dir = os.path.join(self.home, 'export')
        result = self.trellis('lab', 'export', '--cluster', cluster,
                              '--output-dir', out_dir)
        exported = result.stdout.split()
        self.assertEqual([os.path.join(out_dir, 'deploy.yml'),
                          os.path.join(out_dir, 'network.yml')], exported)
        for path in exported:
            self.assertEqual(0o600, os.stat(path).st_mode & 0o777)
        with open(exported[0]) as f:
            self.assertNotIn('CHANGE-ME', f.read())
        # The exported files describe the same lab: nothing to change.
        back = self.json('lab', 'import', *exported)
        self.assertEqual({'unchanged'}, {row['Action'] for row in back})

        nodes = json.loads(self.trellis(
            'lab', 'export', '--cluster', cluster, '--format',
            'tripleo').stdout)
        self.assertEqual(hosts, {n['name'] for n in nodes['nodes']})

    def test_list_reads_every_page(self):
        # 1,001 hosts: one more than the API's largest page.
        cluster = func_fixtures.unique_name('big-')
        hosts = [{'name': cluster + '-ctl', 'roles': ['CONTROLLER_LB']}] + [
            {'name': '%s-%04d' % (cluster, i), 'roles': ['COMPUTER']}
            for i in range(1000)]
        deploy = os.path.join(self.home, 'deploy.yml')
        with open(deploy, 'w') as f:
            yaml.safe_dump({'cluster': cluster, 'TYPE': 'virtual',
                            'FLAVOR': 'cluster', 'adapter': 'libvirt',
                            'hosts': hosts}, f)
        network = self.lab_files('virtual-five-node')[1]
        self.trellis('lab', 'import', deploy, network, '-f', 'value')

        result = self.trellis('--debug', 'host', 'list', '--cluster',
                              cluster, '-f', 'value', '-c', 'Name')
        self.assertEqual(sorted(h['name'] for h in hosts),
                         sorted(result.stdout.split()))
        self.assertEqual(2, result.stderr.count('REQ: GET '),
                         result.stderr)
        self.assertIn('marker=', result.stderr)
        page = self.trellis('host', 'list', '--cluster', cluster, '--limit',
                            '1000', '-f', 'value', '-c', 'Name')
        self.assertEqual(1000, len(page.stdout.split()))

    def test_invalid_lab_and_unknown_cluster(self):
        deploy, network = self.lab_files('virtual-all-in-one')
        with open(deploy) as f:
            text = f.read()
        broken = os.path.join(self.home, 'deploy.yml')
        with open(broken, 'w') as f:
            f.write(text.replace('- COMPUTER', '- COMPUTR'))
        result = self.trellis('lab', 'import', broken, network, expect=1)
        self.assertIn('(HTTP 400)', result.stderr)
        self.assertRegex(result.stderr,
                         r"\n  deploy\.yml:\d+ hosts\[0\]\.roles\[1\]: "
                         r"unknown role 'COMPUTR'")
        self.assertEqual('', result.stdout)

        result = self.trellis('lab', 'export', '--cluster',
                              func_fixtures.unique_name('nope-'), expect=1)
        self.assertIn('(HTTP 404)', result.stderr)
        result = self.trellis('lab', 'import', broken + '.missing',
                              expect=1)
        self.assertIn('Cannot read', result.stderr)


class TestInventoryCLI(CLITestCase):

    def test_networks_roles_hosts_and_assignments(self):
        cluster = func_fixtures.unique_name('inv-')
        self.trellis('cluster', 'create', cluster)

        net = self.json('network', 'create', 'mgmt', '--cluster', cluster,
                        '--type', 'management', '--cidr', '10.20.0.0/24',
                        '--gateway', '10.20.0.1', '--vlan-id', '100',
                        '--ip-range', '10.20.0.10,10.20.0.50')
        self.assertEqual(('MANAGEMENT', 100,
                          [{'start': '10.20.0.10', 'end': '10.20.0.50'}]),
                         (net['type'], net['vlan_id'], net['ip_ranges']))
        self.assertEqual(['mgmt'], [row['Name'] for row in self.json(
            'network', 'list', '--cluster', cluster, '--type',
            'MANAGEMENT')])
        changed = self.json('network', 'set', 'mgmt', '--cluster', cluster,
                            '--unset', 'vlan_id', '--mtu', '9000')
        self.assertEqual((None, 9000), (changed['vlan_id'], changed['mtu']))

        role = self.json('role', 'create', 'COMPUTER', '--cluster', cluster)
        self.assertEqual('COMPUTER', role['name'])
        self.assertEqual(['COMPUTER'], [row['Name'] for row in self.json(
            'role', 'list', '--cluster', cluster)])

        secret = os.path.join(self.home, 'bmc.pw')
        with open(secret, 'w') as f:
            f.write('Bmc-Secret-9\n')
        mac = '52:54:00:%02x:%02x:01' % tuple(os.urandom(2))
        name = func_fixtures.unique_name('node-')
        result = self.trellis(
            'host', 'create', name, '--cluster', cluster, '--bmc-driver',
            'ipmi', '--bmc-address', '10.99.%d.%d' % tuple(os.urandom(2)),
            '--bmc-username', 'root', '--bmc-password-file', secret,
            '--interface', 'name=eth0,mac=%s,pxe=true' % mac, '-f', 'json')
        self.assertNotIn('Bmc-Secret-9', result.stdout + result.stderr)
        host = json.loads(result.stdout)
        self.assertEqual('******', host['bmc']['password'])
        self.assertEqual([mac], [i['mac'] for i in host['interfaces']])
        self.assertEqual(self.json('cluster', 'show', cluster)['uuid'],
                         host['cluster_uuid'])
        self.assertEqual([name], [row['Name'] for row in self.json(
            'host', 'list', '--mac', mac)])

        result = self.trellis('host', 'create', name + '-twin', '--interface',
                              'name=eth0,mac=%s' % mac, expect=1)
        self.assertIn('(HTTP 409)', result.stderr)

        self.trellis('host', 'role', 'add', name, 'COMPUTER')
        self.assertEqual('COMPUTER\n', self.trellis(
            'host', 'role', 'list', name, '-f', 'value', '-c',
            'Name').stdout)
        self.assertEqual([name], [row['Name'] for row in self.json(
            'host', 'list', '--cluster', cluster, '--role', 'COMPUTER')])
        result = self.trellis('role', 'delete', 'COMPUTER', '--cluster',
                              cluster, expect=1)
        self.assertIn('(HTTP 409)', result.stderr)
        self.trellis('host', 'role', 'remove', name, 'COMPUTER')
        self.assertEqual('', self.trellis('host', 'role', 'list', name,
                                          '-f', 'value').stdout)

        changed = self.json('host', 'set', name, '--maintenance',
                            '--maintenance-reason', 'disk swap')
        self.assertEqual((True, 'disk swap'), (
            changed['maintenance'], changed['maintenance_reason']))
        self.trellis('host', 'delete', name)
        self.trellis('host', 'show', name, expect=1)
        self.trellis('role', 'delete', 'COMPUTER', '--cluster', cluster)
        self.trellis('network', 'delete', 'mgmt', '--cluster', cluster)
        self.assertEqual([], self.json('network', 'list', '--cluster',
                                       cluster))

    def test_versions(self):
        name = func_fixtures.unique_name('kolla-')
        created = self.json('version', 'create', name, '--type', 'kolla',
                            '--file', '/srv/kolla.tgz', '--size', '1024')
        self.assertEqual(('kolla', 1024), (created['type'],
                                           created['size']))
        self.assertIn(name, [row['Name'] for row in self.json(
            'version', 'list')])
        changed = self.json('version', 'set', name, '--checksum',
                            'sha256:' + '0' * 64)
        self.assertEqual('sha256:' + '0' * 64, changed['checksum'])
        self.trellis('version', 'delete', name)
        result = self.trellis('version', 'show', name, expect=1)
        self.assertIn('(HTTP 404)', result.stderr)


class TestInventoryCLIMariaDB(TestInventoryCLI):
    """The same commands with the API on MariaDB."""

    @classmethod
    def database_url(cls):
        return cls._use_class_fixture(func_fixtures.MariaDBFixture()).url
