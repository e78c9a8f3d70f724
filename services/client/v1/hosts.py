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

"""``trellis host create|list|show|set|delete`` and ``host role ...``.

Interfaces are given as ``--interface name=eth0,mac=52:54:00:..,pxe=true``
(repeatable; on ``set`` the list replaces the host's interfaces). The BMC
password comes from ``--bmc-password`` or ``--bmc-password-file``; the
API never returns it (``******``).
"""

import argparse
from typing import Any

from trellis.services.client import api
from trellis.services.client import exceptions
from trellis.services.client.v1 import base

BMC_DRIVERS = ('ipmi', 'redfish', 'libvirt', 'dpm', 'manual')
INTERFACE_KEYS = ('name', 'mac', 'pxe', 'ip', 'netmask', 'gateway', 'type',
                  'slaves', 'mode', 'vlan_id', 'speed', 'networks')
LIST_KEYS = ('slaves', 'networks')


def interface(value: str) -> dict[str, Any]:
    """``name=eth0,mac=..,pxe=true`` -> an interface object.

    ``slaves`` and ``networks`` take ``+``-separated names
    (``slaves=eth0+eth1``).
    """
    pairs = [p for p in value.split(',') if p.strip()]
    try:
        result = base.key_values(pairs, '--interface')
    except exceptions.ClientError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    unknown = sorted(set(result) - set(INTERFACE_KEYS))
    if unknown:
        raise argparse.ArgumentTypeError(
            'unknown interface key(s) %s; known: %s'
            % (', '.join(unknown), ', '.join(INTERFACE_KEYS)))
    for key in LIST_KEYS:
        if key in result:
            result[key] = [s for s in str(result[key]).split('+') if s]
    for key in ('name', 'mac', 'ip', 'netmask', 'gateway'):
        if key in result:
            result[key] = str(result[key])
    return result


class HostResource(base.Resource):
    name = 'host'
    plural = 'hosts'
    list_columns = ('uuid', 'name', 'status', 'os_status', 'os_progress',
                    'roles', 'power_state')
    long_columns = ('cluster_uuid', 'dmi_uuid', 'arch', 'maintenance',
                    'discover_state', 'position')
    list_cells = {'roles': base.NamesColumn}
    filters = {'cluster': 'cluster', 'role': 'role', 'status': 'status',
               'os_status': 'os_status', 'mac': 'mac'}
    unsettable = ('cluster', 'dmi_uuid', 'arch', 'position',
                  'maintenance_reason', 'bmc')

    def add_arguments(self, parser: argparse.ArgumentParser,
                      update: bool) -> None:
        parser.add_argument('--cluster', metavar='CLUSTER',
                            help='Put the host in this cluster (name or '
                                 'UUID).')
        parser.add_argument('--dmi-uuid', metavar='UUID',
                            help='The system UUID from the DMI tables.')
        parser.add_argument('--arch', metavar='ARCH',
                            help='CPU architecture (x86_64, aarch64...).')
        parser.add_argument('--position', metavar='TEXT',
                            help='Where the host is (rack, slot).')
        bmc = parser.add_argument_group('BMC')
        bmc.add_argument('--bmc-driver', choices=BMC_DRIVERS,
                         help='How the host is powered and booted.')
        bmc.add_argument('--bmc-address', metavar='ADDRESS',
                         help='The BMC address.')
        bmc.add_argument('--bmc-port', metavar='PORT', type=int,
                         help='The BMC port.')
        bmc.add_argument('--bmc-username', metavar='USER',
                         help='The BMC user.')
        bmc.add_argument('--bmc-password', metavar='PASSWORD',
                         help='The BMC password (visible to other local '
                              'users in the process list: prefer '
                              '--bmc-password-file).')
        bmc.add_argument('--bmc-password-file', metavar='PATH',
                         help='A file whose first line is the BMC '
                              'password.')
        parser.add_argument(
            '--interface', metavar='KEY=VALUE[,KEY=VALUE...]',
            type=interface, action='append', dest='interfaces',
            help='A network interface (repeatable); keys: %s.%s'
                 % (', '.join(INTERFACE_KEYS),
                    ' Replaces all interfaces.' if update else ''))
        maintenance = parser.add_mutually_exclusive_group()
        maintenance.add_argument('--maintenance', action='store_true',
                                 default=None,
                                 help='Put the host in maintenance.')
        maintenance.add_argument('--no-maintenance', action='store_false',
                                 dest='maintenance',
                                 help='Take the host out of maintenance.')
        parser.add_argument('--maintenance-reason', metavar='TEXT',
                            help='Why the host is in maintenance.')

    def add_filters(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument('--cluster', metavar='CLUSTER',
                            help='Only hosts of this cluster.')
        parser.add_argument('--role', metavar='ROLE',
                            help='Only hosts with this role.')
        parser.add_argument('--status', metavar='STATUS',
                            help='Only hosts in this status '
                                 '(init, with-role, in-cluster).')
        parser.add_argument('--os-status', metavar='STATUS',
                            help='Only hosts with this OS status.')
        parser.add_argument('--mac', metavar='MAC',
                            help='Only the host with this MAC address.')

    def body(self, client: api.Client, args: argparse.Namespace,
             update: bool) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if args.cluster is not None:
            body['cluster_uuid'] = client.cluster_uuid(args.cluster)
        for field in ('dmi_uuid', 'arch', 'position', 'maintenance',
                      'maintenance_reason', 'interfaces'):
            base.set_if(body, field, getattr(args, field))
        bmc: dict[str, Any] = {}
        for field in ('driver', 'address', 'port', 'username'):
            base.set_if(bmc, field, getattr(args, 'bmc_' + field))
        base.set_if(bmc, 'password', base.read_secret(
            args.bmc_password, args.bmc_password_file, '--bmc-password'))
        if bmc:
            body['bmc'] = bmc
        return body


HOST = HostResource()


class CreateHost(base.Create):
    """Enrol a host."""
    resource = HOST


class ListHost(base.List):
    """List hosts."""
    resource = HOST


class ShowHost(base.Show):
    """Show a host with its interfaces and roles."""
    resource = HOST


class SetHost(base.Set):
    """Change a host."""
    resource = HOST

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        if 'cluster' in parsed_args.unset:
            # The API field is cluster_uuid.
            parsed_args.unset = [f if f != 'cluster' else 'cluster_uuid'
                                 for f in parsed_args.unset]
        return super().take_action(parsed_args)


class DeleteHost(base.Delete):
    """Delete hosts."""
    resource = HOST


def _roles_path(host: str) -> str:
    return '/hosts/%s/roles' % api.quote(host)


class ListHostRole(base.ClientLister):
    """List the roles assigned to a host."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='HOST',
                            help='Name or UUID of the host.')
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        body = self.client.get(_roles_path(parsed_args.host))
        roles = body.get('roles', []) if isinstance(body, dict) else body
        return self.rows(roles, ('name', 'role_status', 'role_progress',
                                 'role_messages'))


class _HostRoleChange(base.ClientCommand):
    verb = ''

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='HOST',
                            help='Name or UUID of the host.')
        parser.add_argument('roles', metavar='ROLE', nargs='+',
                            help='Role name(s) of the host\'s cluster '
                                 '(CONTROLLER_HA, COMPUTER...).')
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        for role in parsed_args.roles:
            self.client.request(self.verb, '%s/%s' % (
                _roles_path(parsed_args.host), api.quote(role)))
        return 0


class AddHostRole(_HostRoleChange):
    """Assign roles of the host's cluster to a host."""
    verb = 'PUT'


class RemoveHostRole(_HostRoleChange):
    """Unassign roles from a host."""
    verb = 'DELETE'
