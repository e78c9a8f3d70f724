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

"""The Trellis REST API as a WSGI application (Flask + oslo.middleware).

``create_app`` builds the Flask app and wraps its WSGI callable, from the
outside in, with:

- ``RequestId``: every response carries ``X-Openstack-Request-Id``;
- ``FaultWrapper``: nothing escapes as a traceback;
- ``HTTPProxyToWSGI``: honours ``X-Forwarded-*`` when
  ``[oslo_middleware] enable_proxy_headers_parsing`` is set;
- ``CORS`` (``[cors]``);
- ``/healthcheck`` answered by oslo.middleware's ``Healthcheck``
  (``[healthcheck]``), every other path by Flask.

The same app is served by ``trellis-api`` (cheroot, see ``server.py``) and
by uWSGI/mod_wsgi (``wsgi.py``).
"""

import os
import threading
import time
from typing import Any

import flask
from oslo_config import cfg
from oslo_log import log
from oslo_middleware import cors
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
from oslo_middleware.healthcheck import opts as healthcheck_opts

from trellis.common import context as trellis_context
from trellis.common import etcd
from trellis.common import policy
from trellis.common.conf import CONF
from trellis.services.api import auth
from trellis.services.api import errors
from trellis.services.api.controllers import inventory
from trellis.services.api.controllers import labs
from trellis.services.api.controllers import root
from trellis.services.api.controllers import services

LOG = log.getLogger(__name__)

EXTENSION = 'trellis'
HEALTHCHECK_PATH = '/healthcheck'
NOAUTH_ROLES = auth.NOAUTH_ROLES


class AppState:
    """What the views of one app share: config and a lazy etcd client."""

    def __init__(self, conf: cfg.ConfigOpts,
                 etcd_client: etcd.EtcdClient | None = None) -> None:
        self.conf = conf
        self._etcd = etcd_client
        self._lock = threading.Lock()

    def etcd(self) -> etcd.EtcdClient:
        """The app's etcd client, made on first use (once, thread-safe)."""
        client = self._etcd
        if client is None:
            with self._lock:
                if self._etcd is None:
                    self._etcd = etcd.EtcdClient.from_conf(self.conf)
                client = self._etcd
        return client


def get_state() -> AppState:
    """The ``AppState`` of the app serving the current request."""
    return flask.current_app.extensions[EXTENSION]


def get_context() -> trellis_context.RequestContext:
    """The request context of the current request."""
    return flask.g.context


def context_from_environ(environ: dict[str, Any]
                         ) -> trellis_context.RequestContext:
    """The security context of a request (see ``auth``)."""
    return auth.context_from_environ(environ)


def _before_request() -> None:
    flask.g.started = time.monotonic()
    flask.g.context = context_from_environ(flask.request.environ)


def _after_request(response: flask.Response) -> flask.Response:
    started = flask.g.get('started')
    LOG.info('%(remote)s "%(method)s %(path)s" status: %(status)s '
             'len: %(length)s time: %(time).4f',
             {'remote': flask.request.remote_addr,
              'method': flask.request.method,
              'path': flask.request.full_path.rstrip('?'),
              'status': response.status_code,
              'length': response.content_length,
              'time': (time.monotonic() - started) if started else 0.0})
    return response


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the options of the middlewares the app uses.

    The middlewares register them too, but only when built; doing it
    first lets ``[cors]``/``[healthcheck]`` be read or set before that.
    """
    # The modules' own option objects (not copies), or registering them
    # again when the middlewares are built would be a duplicate.
    conf.register_opts(cors.OPTS, group='cors')
    conf.register_opts(healthcheck_opts.HEALTHCHECK_OPTS +
                       healthcheck_opts.DISABLE_BY_FILE_OPTS,
                       group='healthcheck')
    conf.register_opts(http_proxy_to_wsgi.OPTS, group='oslo_middleware')


def set_cors_defaults() -> None:
    """Headers every CORS response must allow and expose."""
    cors.set_defaults(
        allow_headers=['Content-Type', 'Accept', 'X-Auth-Token',
                       request_id.INBOUND_HEADER],
        expose_headers=[request_id.INBOUND_HEADER],
        allow_methods=['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD'])


class _HealthcheckDispatcher:
    """``/healthcheck`` to oslo.middleware's Healthcheck, the rest on."""

    def __init__(self, application: Any, conf: cfg.ConfigOpts) -> None:
        self.application = application
        # Given the app too: when a request is outside
        # [healthcheck] allowed_source_ranges it falls through to a 404.
        self.healthcheck = healthcheck.Healthcheck(application, conf)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        if environ.get('PATH_INFO', '').rstrip('/') == HEALTHCHECK_PATH:
            return self.healthcheck(environ, start_response)
        return self.application(environ, start_response)


def _wrap(application: Any, conf: cfg.ConfigOpts) -> Any:
    """The middleware stack around the Flask WSGI callable."""
    application = auth.wrap(application, conf)
    application = _HealthcheckDispatcher(application, conf)
    application = cors.CORS(application, conf)
    application = http_proxy_to_wsgi.HTTPProxyToWSGI(application, conf)
    application = errors.FaultWrapper(application)
    application = auth.LogContext(application)
    return request_id.RequestId(application, conf)


def create_app(conf: cfg.ConfigOpts = CONF,
               etcd_client: etcd.EtcdClient | None = None) -> flask.Flask:
    """Build the API application (a WSGI callable).

    :param conf: the configuration to read (``[api]``, ``[etcd]``,
        ``[cors]``, ``[healthcheck]``, ``[oslo_policy]``...).
    :param etcd_client: an etcd client to use instead of one made from
        ``[etcd]`` on first use (tests).
    """
    set_cors_defaults()
    register_opts(conf)
    # instance_path is given: Flask cannot guess it for a package
    # installed through package_dir, and the API keeps no instance files.
    app = flask.Flask(__name__, instance_path=os.path.dirname(__file__))
    app.url_map.strict_slashes = False
    app.extensions[EXTENSION] = AppState(conf, etcd_client)
    app.before_request(_before_request)
    app.after_request(_after_request)
    errors.register(app)
    app.register_blueprint(root.blueprint)
    app.register_blueprint(services.blueprint, url_prefix='/v1')
    inventory.register(app)
    app.register_blueprint(labs.blueprint, url_prefix='/v1')
    policy.init(conf)
    app.wsgi_app = _wrap(app.wsgi_app, conf)  # type: ignore[method-assign]
    return app
