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

"""Options of the ``[DEFAULT]`` group owned by Trellis."""

import socket

from oslo_config import cfg

from trellis.common.i18n import _

opts = [
    cfg.StrOpt('host',
               default=socket.gethostname(),
               sample_default='localhost',
               help=_('Name of this host as other services see it: the '
                      'RPC server name and the last part of this '
                      'service\'s key in etcd. It must be unique per '
                      'service topic.')),
    cfg.IntOpt('rpc_ping_timeout',
               default=10, min=1, max=300,
               help=_('Seconds to wait for an answer to an RPC "ping" '
                      'before giving up.')),
    cfg.StrOpt('notification_level',
               default='info',
               choices=['debug', 'info', 'warning', 'error', 'critical'],
               help=_('Lowest priority of the notifications Trellis '
                      'emits. Unset it to emit none. The driver and '
                      'topics come from [oslo_messaging_notifications]; '
                      'with no driver set there, messagingv2 is used.')),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(opts)


def list_opts() -> list:
    return opts
