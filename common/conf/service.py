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

"""Options of the ``[service]`` group: liveness of every Trellis daemon."""

from oslo_config import cfg

from trellis.common.i18n import _

group = cfg.OptGroup('service', title=_('Service liveness options'))

opts = [
    cfg.IntOpt('lease_ttl',
               default=10, min=2, max=300,
               help=_('Time to live, in seconds, of the etcd lease that '
                      'holds this service\'s registration key. A service '
                      'that dies without deregistering is shown down '
                      'after at most this long.')),
    cfg.FloatOpt('keepalive_interval',
                 min=0.2, max=100.0,
                 help=_('Seconds between lease refreshes. Unset means a '
                        'third of lease_ttl, so two refreshes may be lost '
                        'before the lease expires.')),
    cfg.IntOpt('stop_timeout',
               default=30, min=1, max=3600,
               help=_('On SIGTERM, how many seconds in-flight RPC requests '
                      'get to finish before the service stops anyway.')),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list:
    return opts
