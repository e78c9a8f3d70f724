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

"""WSGI entry point for uWSGI and mod_wsgi.

``trellis.services.api.wsgi:application`` is the API app. It is built
once per process, on first import, under a lock (mod_wsgi may import
from several threads): configuration from ``TRELLIS_CONFIG_FILE`` (or
``/etc/trellis/trellis.conf`` when it exists), logging, then the app.
Only the REST API runs here; the RPC side belongs to ``trellis-api``.
"""

import os
import threading
from typing import Any

# First, like every daemon: oslo.service on its threading backend and
# eventlet kept out (oslo.messaging, imported by the config, would
# otherwise select the eventlet backend).
from trellis.services import cmd  # noqa: F401

# isort: split
from oslo_config import cfg

from trellis.common import service
from trellis.common.conf import CONF
from trellis.services.api import app as api_app

CONFIG_FILE_ENV = 'TRELLIS_CONFIG_FILE'
DEFAULT_CONFIG_FILE = '/etc/trellis/trellis.conf'

_LOCK = threading.Lock()
_APPLICATION: Any = None


def config_files(environ: dict[str, str] | None = None) -> list[str]:
    """The configuration files to read, from the environment."""
    environ = os.environ if environ is None else environ
    path = environ.get(CONFIG_FILE_ENV)
    if path:
        return [path]
    return [DEFAULT_CONFIG_FILE] if os.path.exists(DEFAULT_CONFIG_FILE) \
        else []


def init_application(conf: cfg.ConfigOpts = CONF) -> Any:
    """Parse config, set up logging and build the app, once."""
    global _APPLICATION
    with _LOCK:
        if _APPLICATION is None:
            argv = ['trellis-api-wsgi']
            for path in config_files():
                argv += ['--config-file', path]
            service.prepare_service(argv, conf)
            _APPLICATION = api_app.create_app(conf)
        return _APPLICATION


application = init_application()
