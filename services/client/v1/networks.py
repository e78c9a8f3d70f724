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

"""``trellis network create|list|show|set|delete --cluster CLUSTER``."""

import argparse
import re
from typing import Any

from trellis.services.client import api
from trellis.services.client import exceptions
from trellis.services.client.v1 import base

NETWORK_TYPES = ('PXE', 'IPMI', 'MANAGEMENT', 'PUBLICAPI', 'PRIVATEAPI',
                 'EXTERNAL', 'TENANT', 'STORAGE', 'HEARTBEAT')


def ip_range(value: str) -> dict[str, str]:
    """``START,END`` or ``START-END`` -> ``{"start", "end"}``."""
    parts = [p.strip() for p in re.split(r'[,-]', value)]
    if len(parts) != 2 or not all(parts):
        raise argparse.ArgumentTypeError(
            'expected START,END (or START-END), got %r' % value)
    return {'start': parts[0], 'end': parts[1]}


class NetworkResource(base.Resource):
    name = 'network'
    plural = 'networks'
    nested = True
    list_columns = ('uuid', 'name', 'type', 'cidr', 'vlan_id', 'gateway')
    long_columns = ('ip_ranges', 'mtu', 'cluster_uuid')
    filters = {'type': 'type'}
    unsettable = ('gateway', 'vlan_id', 'ip_ranges', 'mtu')

    def add_arguments(self, parser: argparse.ArgumentParser,
                      update: bool) -> None:
        parser.add_argument('--type', metavar='TYPE', type=str.upper,
                            choices=NETWORK_TYPES, required=not update,
                            help='The network plane: %s.'
                                 % ', '.join(NETWORK_TYPES))
        parser.add_argument('--cidr', metavar='CIDR',
                            help='The subnet, e.g. 192.168.1.0/24.')
        parser.add_argument('--gateway', metavar='IP',
                            help='The gateway address.')
        parser.add_argument('--vlan-id', metavar='ID', type=int,
                            help='The VLAN tag.')
        parser.add_argument(
            '--ip-range', metavar='START,END', type=ip_range,
            action='append', dest='ip_ranges',
            help='An address range (repeatable).%s'
                 % (' Replaces all ranges.' if update else ''))
        parser.add_argument('--mtu', metavar='BYTES', type=int,
                            help='The MTU.')

    def add_filters(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument('--type', metavar='TYPE', type=str.upper,
                            choices=NETWORK_TYPES,
                            help='Only networks of this plane.')

    def body(self, client: api.Client, args: argparse.Namespace,
             update: bool) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for field in ('type', 'cidr', 'gateway', 'vlan_id', 'ip_ranges',
                      'mtu'):
            base.set_if(body, field, getattr(args, field))
        if not update and 'cidr' not in body:
            raise exceptions.ClientError('--cidr is required.')
        return body


NETWORK = NetworkResource()


class CreateNetwork(base.Create):
    """Create a network of a cluster."""
    resource = NETWORK


class ListNetwork(base.List):
    """List the networks of a cluster."""
    resource = NETWORK


class ShowNetwork(base.Show):
    """Show a network of a cluster."""
    resource = NETWORK


class SetNetwork(base.Set):
    """Change a network of a cluster."""
    resource = NETWORK


class DeleteNetwork(base.Delete):
    """Delete networks of a cluster."""
    resource = NETWORK
