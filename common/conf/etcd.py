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

"""Options of the ``[etcd]`` group: where the shared cluster state lives."""

from oslo_config import cfg

from trellis.common.i18n import _

group = cfg.OptGroup('etcd', title=_('etcd v3 options'),
                     help=_('Trellis keeps liveness, locks and cluster '
                            'state in etcd v3 (never the v2 API).'))

opts = [
    cfg.URIOpt('url',
               default='http://127.0.0.1:2379',
               schemes=['http', 'https'],
               help=_('Client URL of one etcd v3 member, for example '
                      'http://127.0.0.1:2379. Trellis talks to its '
                      'gRPC gateway (JSON over HTTP).')),
    cfg.StrOpt('prefix',
               default='/trellis',
               regex=r'^/[A-Za-z0-9_.\-/]*[A-Za-z0-9_.\-]$',
               help=_('Key prefix under which every Trellis key lives. '
                      'Two Trellis installations may share one etcd if '
                      'they use different prefixes.')),
    cfg.FloatOpt('timeout',
                 default=5.0, min=0.1, max=120.0,
                 help=_('Seconds to wait for etcd to answer one request.')),
    cfg.StrOpt('ca_cert',
               help=_('CA bundle that verifies the etcd server when the '
                      'URL is https.')),
    cfg.StrOpt('cert_file',
               help=_('Client certificate for etcd (https only).')),
    cfg.StrOpt('key_file',
               help=_('Key of the client certificate for etcd.')),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list:
    return opts
