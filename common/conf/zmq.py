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

"""Options of the ``[zmq]`` group: Trellis's brokerless RPC transport.

They apply when ``transport_url = zmq://``. Endpoints are published in
etcd (the ``[etcd]`` group) under ``<prefix>/matchmaker/``.
"""

from oslo_config import cfg

from trellis.common.i18n import _

group = cfg.OptGroup('zmq', title=_('ZeroMQ transport options'),
                     help=_('Options of the brokerless ZeroMQ RPC driver '
                            '(transport_url = zmq://).'))

opts = [
    cfg.IPOpt('bind_address',
              default='127.0.0.1',
              help=_('Address of the interface RPC servers and '
                     'notification listeners bind to, and that clients '
                     'are told to connect to. It must be a concrete '
                     'address: wildcards (0.0.0.0, ::) are refused so '
                     'that nothing listens on other interfaces.')),
    cfg.PortOpt('port_min',
                default=49153, min=1024,
                help=_('Lowest TCP port a server may bind to.')),
    cfg.PortOpt('port_max',
                default=65535, min=1024,
                help=_('Highest TCP port a server may bind to. A free '
                       'port is picked at random in [port_min, '
                       'port_max].')),
    cfg.IntOpt('matchmaker_ttl',
               default=10, min=2, max=300,
               help=_('TTL in seconds of the etcd lease that holds a '
                      "server's matchmaker entries. A server that dies "
                      'disappears from the matchmaker after at most this '
                      'long.')),
    cfg.FloatOpt('matchmaker_resync_interval',
                 default=5.0, min=0.5, max=300.0,
                 help=_('Seconds between full re-reads of the matchmaker '
                        'from etcd, on top of the watch. Also how soon a '
                        'client notices etcd is back after an outage.')),
    cfg.FloatOpt('no_server_wait',
                 default=2.0, min=0.0, max=60.0,
                 help=_('Seconds a cast waits for a server of its topic '
                        'to appear in the matchmaker before it fails with '
                        'MessageDeliveryFailure. Calls wait up to their '
                        'own timeout instead.')),
    cfg.IntOpt('high_water_mark',
               default=100000, min=0, max=10000000,
               help=_('Messages queued per socket before sends are held '
                      'back (0: no limit).')),
    cfg.FloatOpt('linger',
                 default=0.5, min=0.0, max=60.0,
                 help=_('Seconds a closing socket keeps trying to deliver '
                        'queued messages.')),
    cfg.FloatOpt('heartbeat_interval',
                 default=2.0, min=0.0, max=60.0,
                 help=_('Seconds between ZMTP heartbeats on client '
                        'connections; a peer silent for three intervals '
                        'is treated as gone and its pending calls fail. '
                        '0 disables heartbeats.')),
    cfg.StrOpt('security',
               default='none',
               choices=[('none', _('No authentication or encryption: '
                                   'use only on a trusted network.')),
                        ('curve', _('CURVE: servers authenticate clients '
                                    'by public key and all traffic is '
                                    'encrypted.'))],
               help=_('Security mechanism of every ZeroMQ connection. '
                      'CURVE keys are 40-character Z85 strings (see '
                      'zmq.curve_keypair()); a "$" in a key must be '
                      'written "$$" because oslo.config substitutes '
                      '"$name".')),
    cfg.StrOpt('curve_server_public_key',
               help=_('Z85 public key shared by the RPC servers. Clients '
                      'need it to connect when security = curve.')),
    cfg.StrOpt('curve_server_secret_key',
               secret=True,
               help=_('Z85 secret key of the RPC servers (servers only).')),
    cfg.StrOpt('curve_client_public_key',
               help=_('Z85 public key this process presents as a '
                      'client.')),
    cfg.StrOpt('curve_client_secret_key',
               secret=True,
               help=_('Z85 secret key of this process as a client.')),
    cfg.ListOpt('curve_allowed_client_keys',
                default=[],
                help=_('Z85 public keys of the clients servers accept. '
                       "This process's own client key is always "
                       'accepted. Any other key is refused.')),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list:
    return opts
