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

from tests import base
from trellis.services.galera_watcher import haproxy

# HAProxy 2.6 "show servers state galera": n1 ready (0x04 left by
# "disabled" in the configuration), n2 forced maint, n3 configured
# disabled and never enabled.
STATE = """1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state \
srv_uweight srv_iweight srv_time_since_last_change srv_check_status \
srv_check_result srv_check_health srv_check_state srv_agent_state \
bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl \
srv_check_port srv_check_addr srv_agent_addr srv_agent_port
2 galera 1 n1 127.0.0.1 2 4 1 1 0 1 0 0 8 0 0 0 - 3307 - 0 0 - - 0
2 galera 2 n2 127.0.0.1 0 1 1 1 1 1 0 0 8 0 0 0 - 3308 - 0 0 - - 0
2 galera 3 n3 127.0.0.1 0 5 1 1 1 1 0 0 8 0 0 0 - 3309 - 0 0 - - 0

"""


class FakeAdmin(haproxy.HAProxyAdmin):
    def __init__(self, text=STATE):
        super().__init__('/nonexistent.sock')
        self.text = text
        self.sent = []

    def command(self, line):
        self.sent.append(line)
        return self.text if line.startswith('show') else ''


class TestParse(base.TestCase):

    def test_servers_and_maint_flags(self):
        servers = haproxy.parse_servers_state(STATE)
        self.assertEqual(
            [('n1', '127.0.0.1:3307', False), ('n2', '127.0.0.1:3308', True),
             ('n3', '127.0.0.1:3309', True)],
            [(s.name, s.addr, s.in_maint) for s in servers])

    def test_garbage_is_ignored(self):
        self.assertEqual([], haproxy.parse_servers_state('Unknown command\n'))


class TestRouteToLeader(base.TestCase):

    def test_others_out_first_then_leader_in(self):
        admin = FakeAdmin()
        changes = haproxy.route_to_leader(admin, 'galera', '127.0.0.1:3309')
        self.assertEqual([
            'show servers state galera',
            'set server galera/n1 state maint',
            'shutdown sessions server galera/n1',
            'set server galera/n3 state ready'], admin.sent)
        self.assertEqual(2, len(changes))

    def test_nothing_to_do_sends_nothing(self):
        admin = FakeAdmin()
        self.assertEqual([], haproxy.route_to_leader(admin, 'galera',
                                                     '127.0.0.1:3307'))
        self.assertEqual(['show servers state galera'], admin.sent)

    def test_no_leader_takes_everyone_out(self):
        admin = FakeAdmin()
        haproxy.route_to_leader(admin, 'galera', None)
        self.assertIn('set server galera/n1 state maint', admin.sent)
        self.assertFalse([c for c in admin.sent if c.endswith('ready')])

    def test_refused_command_raises(self):
        admin = FakeAdmin()
        admin.command = lambda line: (STATE if line.startswith('show')
                                      else 'No such server.\n')
        self.assertRaises(haproxy.HAProxyError, haproxy.route_to_leader,
                          admin, 'galera', '127.0.0.1:3309')

    def test_unreachable_socket(self):
        admin = haproxy.HAProxyAdmin('/nonexistent/haproxy.sock')
        self.assertRaises(haproxy.HAProxyError, admin.servers, 'galera')
