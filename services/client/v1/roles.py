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

"""``trellis role create|list|show|set|delete --cluster CLUSTER``."""

import argparse
from typing import Any

from trellis.services.client import api
from trellis.services.client.v1 import base

ROLE_NAMES = ('CONTROLLER_LB', 'CONTROLLER_HA', 'COMPUTER', 'STORAGE',
              'DPM_COMPUTE')


class RoleResource(base.Resource):
    name = 'role'
    plural = 'roles'
    nested = True
    list_columns = ('uuid', 'name', 'status', 'progress', 'vip')
    long_columns = ('messages', 'cluster_uuid')
    filters = {'status': 'status'}
    unsettable = ('vip',)

    def add_arguments(self, parser: argparse.ArgumentParser,
                      update: bool) -> None:
        parser.add_argument('--vip', metavar='IP',
                            help='The virtual IP of the role.')

    def add_filters(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument('--status', metavar='STATUS',
                            help='Only roles in this status.')

    def body(self, client: api.Client, args: argparse.Namespace,
             update: bool) -> dict[str, Any]:
        body: dict[str, Any] = {}
        base.set_if(body, 'vip', args.vip)
        return body


ROLE = RoleResource()


class CreateRole(base.Create):
    """Create a role of a cluster (CONTROLLER_LB, CONTROLLER_HA...)."""
    resource = ROLE


class ListRole(base.List):
    """List the roles of a cluster."""
    resource = ROLE


class ShowRole(base.Show):
    """Show a role of a cluster."""
    resource = ROLE


class SetRole(base.Set):
    """Change a role of a cluster."""
    resource = ROLE


class DeleteRole(base.Delete):
    """Delete roles of a cluster."""
    resource = ROLE
