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

"""``trellis service list``: the Trellis services and their state."""

import argparse

from trellis.services.client.v1 import base

COLUMNS = ('topic', 'host', 'state', 'pid', 'version', 'last_seen')


class ListService(base.ClientLister):
    """List the Trellis services registered in etcd (up or down)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('--topic', metavar='TOPIC',
                            help='Only this service (trellis-conductor...).')
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        body = self.client.get('/services',
                               params={'topic': parsed_args.topic})
        services = body.get('services', [])
        fields = [c for c in COLUMNS
                  if not services or any(c in s for s in services)]
        return self.rows(services, fields)
