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

"""``trellis-manage service list`` and ``trellis-manage service ping``."""

import argparse
import datetime
import time
from typing import Any

from cliff import lister
from cliff import show
from oslo_log import log

from trellis.common import context as trellis_context
from trellis.common import etcd
from trellis.common import rpc
from trellis.common import rpcapi as base_rpcapi
from trellis.common import service_registry
from trellis.common.conf import CONF
from trellis.services.api import rpcapi as api_rpcapi
from trellis.services.conductor import rpcapi as conductor_rpcapi
from trellis.services.discovery import rpcapi as discovery_rpcapi
from trellis.services.galera_watcher import rpcapi as galera_rpcapi
from trellis.services.installer import rpcapi as installer_rpcapi
from trellis.services.manage import base
from trellis.services.scheduler import rpcapi as scheduler_rpcapi

LOG = log.getLogger(__name__)

# The client-side API of each topic (the only way to call a service).
RPCAPI_BY_TOPIC: dict[str, type[base_rpcapi.RPCAPI]] = {
    rpc.API_TOPIC: api_rpcapi.APIAPI,
    rpc.CONDUCTOR_TOPIC: conductor_rpcapi.ConductorAPI,
    rpc.SCHEDULER_TOPIC: scheduler_rpcapi.SchedulerAPI,
    rpc.DISCOVERY_TOPIC: discovery_rpcapi.DiscoveryAPI,
    rpc.INSTALLER_TOPIC: installer_rpcapi.InstallerAPI,
    rpc.GALERA_WATCHER_TOPIC: galera_rpcapi.GaleraWatcherAPI,
}


def topic_name(value: str) -> str:
    """``conductor``, ``galera_watcher`` or ``trellis-conductor`` -> topic."""
    name = value.strip().replace('_', '-')
    if not name.startswith('trellis-'):
        name = 'trellis-' + name
    if name not in rpc.ALL_TOPICS:
        raise argparse.ArgumentTypeError(
            'unknown service %r; one of: %s'
            % (value, ', '.join(rpc.ALL_TOPICS)))
    return name


def format_time(timestamp: float | None, now: float | None = None) -> str:
    """``2026-11-22 03:40:12 UTC``, plus ``(5s ago)`` when not current."""
    if timestamp is None:
        return '-'
    when = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)
    text = when.strftime('%Y-%m-%d %H:%M:%S UTC')
    if now is not None:
        age = now - timestamp
        if age >= 1:
            text += ' (%s ago)' % format_age(age)
    return text


def format_age(seconds: float) -> str:
    """``42s``, ``3m12s``, ``5h03m``, ``2d04h``."""
    seconds = int(seconds)
    if seconds < 60:
        return '%ds' % seconds
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return '%dm%02ds' % (minutes, seconds)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return '%dh%02dm' % (hours, minutes)
    days, hours = divmod(hours, 24)
    return '%dd%02dh' % (days, hours)


class ServiceList(lister.Lister):
    """List every registered Trellis service, up or down (from etcd)."""

    COLUMNS = ('Topic', 'Host', 'State', 'Last Seen', 'Started', 'Version')
    LONG_COLUMNS = ('PID', 'Stopped')

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--topic', type=topic_name, metavar='TOPIC',
            help='Only this service (e.g. trellis-conductor or conductor).')
        parser.add_argument(
            '--long', action='store_true',
            help='Also show the process id and when a service stopped.')
        return parser

    def take_action(self, parsed_args: argparse.Namespace
                    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        client = etcd.EtcdClient.from_conf(CONF)
        services = service_registry.list_services(client,
                                                  topic=parsed_args.topic)
        now = time.time()
        columns = self.COLUMNS
        if parsed_args.long:
            columns += self.LONG_COLUMNS
        rows = []
        for svc in services:
            row: tuple[Any, ...] = (
                svc.topic, svc.host, 'up' if svc.up else 'down',
                format_time(svc.last_seen, None if svc.up else now),
                format_time(svc.started_at), svc.version or '-')
            if parsed_args.long:
                row += (svc.pid if svc.pid is not None else '-',
                        format_time(svc.stopped_at))
            rows.append(row)
        return columns, rows


class ServicePing(show.ShowOne):
    """Ask a Trellis service over RPC who it is, and time the answer."""

    COLUMNS = ('Host', 'Topic', 'Version', 'Uptime', 'Round Trip (ms)')

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'topic', type=topic_name, metavar='TOPIC',
            help='The service: %s (the trellis- prefix may be left out).'
                 % ', '.join(rpc.ALL_TOPICS))
        parser.add_argument(
            '--host', metavar='HOST',
            help='Ask the service on this host; default: any one of them.')
        parser.add_argument(
            '--timeout', type=float, metavar='SECONDS',
            help='Seconds to wait for the answer (default: [DEFAULT] '
                 'rpc_ping_timeout).')
        return parser

    def take_action(self, parsed_args: argparse.Namespace
                    ) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        timeout = parsed_args.timeout or CONF.rpc_ping_timeout
        who = parsed_args.topic
        if parsed_args.host:
            who = '%s on host %s' % (parsed_args.topic, parsed_args.host)
        base.check_bus()
        api = RPCAPI_BY_TOPIC[parsed_args.topic]()
        context = trellis_context.get_admin_context()
        started = time.monotonic()
        answer = base.bounded_call(
            lambda: api.ping(context, host=parsed_args.host,
                             timeout=timeout, retry=0),
            timeout, who)
        round_trip = (time.monotonic() - started) * 1000.0
        LOG.debug('ping %s answered in %.1f ms', who, round_trip)
        return self.COLUMNS, (
            answer.get('host'), answer.get('topic'), answer.get('version'),
            format_age(answer.get('uptime') or 0),
            round(round_trip, 1))
