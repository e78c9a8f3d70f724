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

"""trellis-api: the daemon's main."""

import sys

from oslo_log import log

from trellis.common import service
from trellis.common.conf import CONF
from trellis.services.api import manager
from trellis.services.api import server

LOG = log.getLogger(__name__)


def main() -> None:
    service.prepare_service(sys.argv)
    # Here, before the launcher forks: a worker that cannot bind would be
    # restarted forever instead of the daemon failing.
    error = _bind_error()
    if error:
        LOG.error('%s', error)
        sys.exit(1)
    mgr = manager.APIManager(CONF.host)
    sys.exit(service.launch(server.APIService(mgr)))


def _bind_error() -> str | None:
    """Why ``[api] host_ip``:``port`` cannot be listened on, if it can't."""
    try:
        server.check_bind(CONF.api.host_ip, CONF.api.port)
    except server.APIBindError as exc:
        return str(exc)
    return None
