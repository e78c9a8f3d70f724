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

"""``trellis cluster create|list|show|set|delete``."""

import argparse
from typing import Any

from trellis.services.client import api
from trellis.services.client.v1 import base


class ClusterResource(base.Resource):
    name = 'cluster'
    plural = 'clusters'
    list_columns = ('uuid', 'name', 'status', 'target')
    long_columns = ('description', 'created_at', 'updated_at')
    unsettable = ('description', 'target')

    def add_arguments(self, parser: argparse.ArgumentParser,
                      update: bool) -> None:
        parser.add_argument('--description', metavar='TEXT',
                            help='Free text about the cluster.')
        parser.add_argument('--target', metavar='TARGET',
                            help='What the cluster is deployed with '
                                 '(e.g. a version name).')
        parser.add_argument(
            '--config', metavar='KEY=VALUE', action='append',
            help='A configuration entry (repeatable); the value is read '
                 'as a YAML scalar (623 is a number, true a boolean).%s'
                 % (' Entries merge into the existing config.'
                    if update else ''))

    def body(self, client: api.Client, args: argparse.Namespace,
             update: bool) -> dict[str, Any]:
        body: dict[str, Any] = {}
        base.set_if(body, 'description', args.description)
        base.set_if(body, 'target', args.target)
        if args.config:
            body['config'] = base.key_values(args.config, '--config')
        return body


CLUSTER = ClusterResource()


class CreateCluster(base.Create):
    """Create a cluster."""
    resource = CLUSTER


class ListCluster(base.List):
    """List clusters."""
    resource = CLUSTER


class ShowCluster(base.Show):
    """Show a cluster."""
    resource = CLUSTER


class SetCluster(base.Set):
    """Change a cluster."""
    resource = CLUSTER


class DeleteCluster(base.Delete):
    """Delete clusters."""
    resource = CLUSTER
