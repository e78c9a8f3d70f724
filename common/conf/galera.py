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

"""Options of the ``[galera]`` group: the watcher and each node supervisor.

The keyspace is ``/trellis/galera/<cluster>/`` (DESIGN §8). Options read
by ``trellis-galera-node`` only (it runs beside one mariadbd) say so.
"""

from oslo_config import cfg
from oslo_log import log

from trellis.common.i18n import _

LOG = log.getLogger(__name__)

group = cfg.OptGroup('galera', title=_('Galera watcher and node options'))

opts = [
    cfg.StrOpt('cluster',
               default='default',
               regex=r'^[A-Za-z0-9_.\-]+$',
               help=_('Name of the Galera cluster; its state lives under '
                      'galera/<cluster>/ in etcd.')),
    cfg.IntOpt('cluster_size',
               default=3, min=1, max=15,
               help=_('Expected number of Galera nodes. Must be odd; more '
                      'than 5 nodes makes every write slower. Recovery '
                      'waits until this many nodes have reported their '
                      'seqno (unless a node is forced).')),
    cfg.StrOpt('force_bootstrap',
               help=_('Address (host:port) of the node that must bootstrap '
                      'the cluster in a recovery, whatever its seqno. Use '
                      'it only when you know that node holds the data to '
                      'keep; the others get a full state transfer from it. '
                      '"trellis-manage galera recover --force-node" sets '
                      'the same for one recovery.')),
    cfg.FloatOpt('poll_interval',
                 default=0.5, min=0.1, max=60.0,
                 help=_('Seconds between two health checks of every node '
                        '(watcher) or of the local node (supervisor).')),
    cfg.FloatOpt('connect_timeout',
                 default=1.0, min=0.1, max=60.0,
                 help=_('Seconds to wait for a MySQL connection.')),
    cfg.FloatOpt('query_timeout',
                 default=2.0, min=0.1, max=60.0,
                 help=_('Seconds to wait for a status query to answer.')),
    cfg.IntOpt('failure_threshold',
               default=2, min=1, max=10,
               help=_('Consecutive checks of a node that must fail (time '
                      'out, error) before the watcher counts it as not '
                      'ready or restarts it; one slow answer from a '
                      'loaded host is not a failure. A refused connection '
                      '(mariadbd gone) counts at once.')),
    cfg.IntOpt('lease_ttl',
               default=3, min=2, max=300,
               help=_('TTL in seconds of the leases behind nodes/, queue/, '
                      'seqno/, the bootstrap lock and the watcher '
                      'election.')),
    cfg.IntOpt('join_timeout',
               default=600, min=10,
               help=_('Seconds a node may take to bootstrap or join '
                      '(state transfer included) before it gives up and '
                      'starts over.')),
    cfg.IntOpt('restart_grace',
               default=30, min=1,
               help=_('Seconds after a restart or fence command during '
                      'which the watcher sends no new command to the same '
                      'node.')),
    cfg.StrOpt('user',
               default='trellis',
               help=_('MySQL user the watcher and supervisors connect '
                      'with; created on first start.')),
    cfg.StrOpt('password',
               default='',
               secret=True,
               help=_('Password of the MySQL user.')),
    cfg.ListOpt('haproxy_sockets',
                default=[],
                help=_('Admin sockets (stats socket ... level admin) of the '
                       'HAProxy instances that send database traffic to '
                       'the leader.')),
    cfg.StrOpt('haproxy_backend',
               default='galera',
               help=_('HAProxy backend whose servers are the Galera '
                      'nodes; servers are matched by address and port.')),
    # trellis-galera-node only.
    cfg.StrOpt('defaults_file',
               help=_('(trellis-galera-node) my.cnf of the local mariadbd; '
                      'its [mysqld] section gives datadir, port, pid file '
                      'and wsrep settings.')),
    cfg.StrOpt('node_address',
               help=_('(trellis-galera-node) Address host:port under which '
                      'this node is known in etcd and HAProxy. Default: '
                      'bind-address and port of the defaults file.')),
    cfg.StrOpt('mysqld_path',
               default='mariadbd',
               help=_('(trellis-galera-node) The MariaDB server binary.')),
    cfg.StrOpt('install_db_path',
               default='mariadb-install-db',
               help=_('(trellis-galera-node) The datadir initialiser.')),
    cfg.FloatOpt('stop_timeout',
                 default=30.0, min=1.0,
                 help=_('(trellis-galera-node) Seconds mariadbd gets to '
                        'stop after SIGTERM before it is killed.')),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def check_cluster_size(size: int) -> None:
    """Log why an even or large ``cluster_size`` is a bad idea."""
    if size % 2 == 0:
        LOG.warning('[galera] cluster_size=%d is even: a network split in '
                    'two halves leaves no Primary Component. Use an odd '
                    'number.', size)
    if size > 5:
        LOG.warning('[galera] cluster_size=%d: more than 5 nodes makes '
                    'every write wait for more nodes; 3 or 5 is usual.',
                    size)


def list_opts() -> list:
    return opts
