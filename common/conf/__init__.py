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

"""Trellis configuration: one module per option group.

Code reads options through ``from trellis.common.conf import CONF``.
"""

from oslo_config import cfg
import oslo_messaging as messaging

from trellis.common.conf import api
from trellis.common.conf import coordination
from trellis.common.conf import database
from trellis.common.conf import default
from trellis.common.conf import etcd
from trellis.common.conf import galera
from trellis.common.conf import service
from trellis.common.conf import zmq

CONF = cfg.CONF

# Exchange and default transport of every Trellis RPC and notification.
messaging.set_transport_defaults(control_exchange='trellis')

api.register_opts(CONF)
coordination.register_opts(CONF)
database.register_opts(CONF)
default.register_opts(CONF)
etcd.register_opts(CONF)
galera.register_opts(CONF)
service.register_opts(CONF)
zmq.register_opts(CONF)
