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

"""``trellis version create|list|show|set|delete`` (installable versions)."""

import argparse
from typing import Any

from trellis.services.client import api
from trellis.services.client.v1 import base

VERSION_TYPES = ('kolla', 'os')


class VersionResource(base.Resource):
    name = 'version'
    plural = 'versions'
    list_columns = ('uuid', 'name', 'type', 'status', 'size')
    long_columns = ('file', 'checksum', 'created_at', 'updated_at')
    unsettable = ('file', 'checksum', 'size')

    def add_arguments(self, parser: argparse.ArgumentParser,
                      update: bool) -> None:
        parser.add_argument('--type', choices=VERSION_TYPES,
                            required=not update,
                            help='kolla (OpenStack images) or os (an '
                                 'operating system image).')
        parser.add_argument('--file', metavar='PATH',
                            help='The version file (on the servers).')
        parser.add_argument('--checksum', metavar='SUM',
                            help='The checksum of the file.')
        parser.add_argument('--size', metavar='BYTES', type=int,
                            help='The size of the file.')

    def body(self, client: api.Client, args: argparse.Namespace,
             update: bool) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for field in ('type', 'file', 'checksum', 'size'):
            base.set_if(body, field, getattr(args, field))
        return body


VERSION = VersionResource()


class CreateVersion(base.Create):
    """Register a version."""
    resource = VERSION


class ListVersion(base.List):
    """List versions."""
    resource = VERSION


class ShowVersion(base.Show):
    """Show a version."""
    resource = VERSION


class SetVersion(base.Set):
    """Change a version."""
    resource = VERSION


class DeleteVersion(base.Delete):
    """Delete versions."""
    resource = VERSION
