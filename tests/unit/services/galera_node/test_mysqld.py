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

import os
from unittest import mock

import fixtures

from tests import base
from trellis.services.galera_node import mysqld

GRASTATE = """# GALERA saved state
version: 2.1
uuid:    5ee99582-e625-11f1-9a7f-b742808b6673
seqno:   -1
safe_to_bootstrap: 0
"""


class TestMysqld(base.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.defaults = mysqld.Defaults('/etc/my.cnf', {
            'datadir': self.dir, 'port': '3307',
            'bind-address': '0.0.0.0'})

    def test_defaults(self):
        self.assertEqual('127.0.0.1:3307', self.defaults.address)
        self.assertEqual(os.path.join(self.dir, 'mysqld.pid'),
                         self.defaults.pid_file)

    def test_read_defaults(self):
        out = '--datadir=/d\n--port=3309\n--wsrep_on=ON\n--skip-name-resolve\n'
        with mock.patch.object(mysqld.subprocess, 'run') as run:
            run.return_value.stdout = out
            defaults = mysqld.read_defaults('/x/my.cnf')
        self.assertEqual('--defaults-file=/x/my.cnf', run.call_args[0][0][1])
        self.assertEqual(('/d', 3309, 'ON'), (
            defaults.datadir, defaults.port, defaults.values['wsrep-on']))

    def test_grastate_and_safe_to_bootstrap(self):
        with open(os.path.join(self.dir, 'grastate.dat'), 'w') as f:
            f.write(GRASTATE)
        state = mysqld.read_grastate(self.dir)
        self.assertEqual(('-1', '0'), (state['seqno'],
                                       state['safe_to_bootstrap']))
        mysqld.set_safe_to_bootstrap(self.dir)
        self.assertEqual('1',
                         mysqld.read_grastate(self.dir)['safe_to_bootstrap'])
        self.assertEqual({}, mysqld.read_grastate('/nonexistent'))

    def test_recovered_position(self):
        text = ('... [Note] WSREP: Recovered position: '
                '5ee99582-e625-11f1-9a7f-b742808b6673:23\n')
        self.assertEqual(('5ee99582-e625-11f1-9a7f-b742808b6673', 23),
                         mysqld.parse_recovered_position(text))
        self.assertIsNone(mysqld.parse_recovered_position('nothing'))

    def test_position_from_a_clean_grastate(self):
        with open(os.path.join(self.dir, 'grastate.dat'), 'w') as f:
            f.write(GRASTATE.replace('seqno:   -1', 'seqno:   41'))
        with mock.patch.object(mysqld, '_run') as run:
            self.assertEqual(('5ee99582-e625-11f1-9a7f-b742808b6673', 41),
                             mysqld.recover_position(self.defaults, 'm'))
        run.assert_not_called()

    def test_position_after_a_crash_runs_wsrep_recover(self):
        with open(os.path.join(self.dir, 'grastate.dat'), 'w') as f:
            f.write(GRASTATE)

        def _recover(argv, what):
            self.assertEqual('--wsrep-recover', argv[2])
            with open(argv[3].split('=', 1)[1], 'w') as f:
                f.write('WSREP: Recovered position: '
                        '5ee99582-e625-11f1-9a7f-b742808b6673:7\n')

        with mock.patch.object(mysqld, '_run', side_effect=_recover):
            self.assertEqual(('5ee99582-e625-11f1-9a7f-b742808b6673', 7),
                             mysqld.recover_position(self.defaults, 'm'))

    def test_initialise_refuses_data_without_init_ok(self):
        with open(os.path.join(self.dir, 'ibdata1'), 'w') as f:
            f.write('precious')
        with mock.patch.object(mysqld, '_run') as run:
            self.assertRaises(mysqld.MysqldError, mysqld.initialise,
                              self.defaults, 'install', 'm', 'u', 'p')
        run.assert_not_called()
        self.assertTrue(os.path.exists(os.path.join(self.dir, 'ibdata1')))

    def test_initialise_creates_users_and_init_ok(self):
        with mock.patch.object(mysqld, '_run') as run:
            mysqld.initialise(self.defaults, 'install', 'm', 'trellis',
                              "it's")
        self.assertTrue(mysqld.is_initialised(self.defaults))
        sql = run.call_args_list[1][1]['stdin']
        self.assertIn("CREATE USER IF NOT EXISTS 'trellis'@'%' IDENTIFIED "
                      "BY 'it\\'s'", sql)
        self.assertEqual('--defaults-file=/etc/my.cnf',
                         run.call_args_list[0][0][0][1])

    def test_set_aside_keeps_the_data(self):
        datadir = os.path.join(self.dir, 'data')
        os.makedirs(datadir)
        with open(os.path.join(datadir, 'ibdata1'), 'w') as f:
            f.write('precious')
        defaults = mysqld.Defaults('/etc/my.cnf', {'datadir': datadir})
        where = mysqld.set_aside(defaults)
        self.assertEqual([], os.listdir(datadir))
        with open(os.path.join(where, 'ibdata1')) as f:
            self.assertEqual('precious', f.read())
