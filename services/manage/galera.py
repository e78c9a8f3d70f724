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

"""``trellis-manage galera status|recover|leader``: through the watcher.

Each command is one RPC call to any trellis-galera-watcher (the watchers
answer from etcd, so a standby answers too).
"""

import argparse
from typing import Any

from cliff import lister
from cliff import show

from trellis.common import context as trellis_context
from trellis.common.conf import CONF
from trellis.services.galera_watcher import rpcapi
from trellis.services.manage import base

WHO = 'trellis-galera-watcher'


def _call(method: str, timeout: float | None, **kwargs: Any) -> Any:
    timeout = timeout or CONF.rpc_ping_timeout
    base.check_bus()
    api = rpcapi.GaleraWatcherAPI()
    context = trellis_context.get_admin_context()
    return base.bounded_call(
        lambda: getattr(api, method)(context, timeout=timeout, **kwargs),
        timeout, WHO)


def _timeout_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--timeout', type=float, metavar='SECONDS',
        help='Seconds to wait for a watcher to answer (default: [DEFAULT] '
             'rpc_ping_timeout).')


def _dash(value: Any) -> Any:
    return '-' if value is None or value == '' else value


class GaleraStatus(lister.Lister):
    """Show a Galera cluster: state, uuid, leader and every node."""

    COLUMNS = ('Address', 'Leader', 'Ready', 'Phase', 'WSREP State',
               'Seqno', 'Fenced')

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('cluster', nargs='?', metavar='CLUSTER',
                            help='Cluster name (default: [galera] cluster).')
        _timeout_arg(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace
                    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        status = _call('get_status', parsed_args.timeout,
                       cluster=parsed_args.cluster)
        self.app.stdout.write(
            'Cluster %s: state %s, uuid %s, leader %s, watcher %s\n' % (
                status['cluster'], _dash(status['state']),
                _dash(status['uuid']), _dash(status['leader']),
                _dash(status['watcher'])))
        rows = []
        for node in status['nodes']:
            fenced = node.get('fenced')
            rows.append((node['address'], node['leader'], node['ready'],
                         _dash(node.get('phase')),
                         _dash(node.get('wsrep_state')),
                         _dash(node.get('seqno')),
                         (fenced or {}).get('reason', 'yes') if fenced
                         else '-'))
        return self.COLUMNS, rows


class GaleraLeader(show.ShowOne):
    """Show the node that takes all the traffic of a Galera cluster."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('cluster', metavar='CLUSTER',
                            help='Cluster name.')
        _timeout_arg(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace
                    ) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        answer = _call('get_leader', parsed_args.timeout,
                       cluster=parsed_args.cluster)
        return (('Cluster', 'Leader', 'State'),
                (answer['cluster'], _dash(answer['leader']),
                 _dash(answer['state'])))


class GaleraRecover(show.ShowOne):
    """Recover a Galera cluster: every node stops and queues; the node
    with the highest seqno (or the forced one) bootstraps."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('cluster', metavar='CLUSTER',
                            help='Cluster name.')
        parser.add_argument(
            '--force-node', metavar='ADDR',
            help='Bootstrap from this node (host:port) whatever its seqno; '
                 'the other nodes lose what it does not have.')
        _timeout_arg(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace
                    ) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        answer = _call('recover', parsed_args.timeout,
                       cluster=parsed_args.cluster,
                       force_node=parsed_args.force_node)
        return (('Cluster', 'State', 'Forced Node', 'Nodes'),
                (answer['cluster'], answer['state'],
                 _dash(answer.get('force_node')),
                 ', '.join(answer.get('nodes') or []) or '-'))
