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

"""Options of the ``[coordination]`` group: tooz locks and membership."""

from oslo_config import cfg

from trellis.common.i18n import _

group = cfg.OptGroup('coordination', title=_('Coordination options'))

opts = [
    cfg.StrOpt('backend_url',
               secret=True,
               help=_('tooz backend URL. Unset means the etcd3 gateway '
                      'driver on [etcd] url, for example '
                      'etcd3+http://127.0.0.1:2379.')),
    cfg.IntOpt('lock_ttl',
               default=10, min=2, max=600,
               help=_('Seconds a lock outlives a holder that died without '
                      'releasing it; also the membership timeout.')),
    cfg.FloatOpt('heartbeat_interval',
                 default=1.0, min=0.1, max=60.0,
                 help=_('Seconds between refreshes of this member\'s locks '
                        'and group memberships.')),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list:
    return opts
