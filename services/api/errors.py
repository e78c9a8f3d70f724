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

"""The one JSON error format of the Trellis API.

Every error, whatever raised it (an unknown path, a wrong method, a
``TrellisException``, a bug), reaches the client as::

    {"error": {"code": 503, "title": "Service Unavailable",
               "message": "etcd at http://... is unreachable ...",
               "details": ...}}

A 500 logs the traceback and tells the client only that it happened and
which request id to look for in the logs.
"""

import http
import json
import sys
from typing import Any

import flask
from oslo_log import log
from werkzeug import exceptions as wz_exc

from trellis.common import exception
from trellis.common.i18n import _

LOG = log.getLogger(__name__)

JSON_TYPE = 'application/json'


def reason_phrase(code: int) -> str:
    """The HTTP reason phrase of ``code`` ('Not Found' for 404)."""
    try:
        return http.HTTPStatus(code).phrase
    except ValueError:
        return 'Error'


def error_body(code: int, message: str, details: Any = None) -> dict:
    """The body of an error response."""
    error: dict[str, Any] = {'code': code, 'title': reason_phrase(code),
                             'message': message}
    if details is not None:
        error['details'] = details
    return {'error': error}


def internal_error_message(request_id: str | None) -> str:
    """What a client is told about a 500: nothing internal."""
    return _('An unexpected error occurred; the server logs have the '
             'details of request %s.') % (request_id or 'unknown')


def json_response(code: int, message: str, details: Any = None,
                  headers: dict[str, str] | None = None) -> flask.Response:
    response = flask.Response(
        json.dumps(error_body(code, message, details)), status=code,
        mimetype=JSON_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_http_exception(exc: wz_exc.HTTPException) -> flask.Response:
    """404, 405 and other errors raised by Flask/Werkzeug routing."""
    code = exc.code or 500
    headers = {}
    if isinstance(exc, wz_exc.MethodNotAllowed) and exc.valid_methods:
        headers['Allow'] = ', '.join(sorted(exc.valid_methods))
    if code >= 500:
        LOG.error('HTTP %s on %s %s: %s', code, flask.request.method,
                  flask.request.path, exc.description)
    message = exc.description or reason_phrase(code)
    if isinstance(exc, wz_exc.NotFound):
        message = _('The resource %s does not exist.') % flask.request.path
    elif isinstance(exc, wz_exc.MethodNotAllowed):
        message = _('Method %(method)s is not allowed on %(path)s.') % {
            'method': flask.request.method, 'path': flask.request.path}
    return json_response(code, message, headers=headers)


def handle_trellis_exception(exc: exception.TrellisException
                             ) -> flask.Response:
    """A ``TrellisException``: its own code and operator-facing text."""
    code = exc.code if 400 <= int(exc.code) < 600 else 500
    if code >= 500:
        LOG.error('%s %s failed (%s): %s', flask.request.method,
                  flask.request.path, code, exc)
    else:
        LOG.info('%s %s refused (%s): %s', flask.request.method,
                 flask.request.path, code, exc)
    # Schema validation errors carry field-level details.
    return json_response(code, exc.message, getattr(exc, 'details', None))


def handle_unexpected(exc: Exception) -> flask.Response:
    """Any other exception: a bug. Log it whole, tell the client little."""
    if isinstance(exc, wz_exc.HTTPException):
        return handle_http_exception(exc)
    LOG.exception('Unexpected error in %s %s', flask.request.method,
                  flask.request.path)
    request_id = flask.request.environ.get('openstack.request_id')
    return json_response(500, internal_error_message(request_id))


def register(app: flask.Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(wz_exc.HTTPException, handle_http_exception)
    app.register_error_handler(exception.TrellisException,
                               handle_trellis_exception)
    app.register_error_handler(Exception, handle_unexpected)


class FaultWrapper:
    """WSGI middleware: an exception escaping the stack becomes JSON 500.

    Flask handles errors of its own views; this catches what a middleware
    between Flask and the server raises, so no traceback ever reaches the
    client.
    """

    def __init__(self, application: Any) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: Any) -> Any:
        try:
            return self.application(environ, start_response)
        except Exception:
            LOG.exception('Unexpected error in %s %s',
                          environ.get('REQUEST_METHOD'),
                          environ.get('PATH_INFO'))
            body = json.dumps(error_body(500, internal_error_message(
                environ.get('openstack.request_id')))).encode('utf-8')
            start_response('500 Internal Server Error',
                           [('Content-Type', JSON_TYPE),
                            ('Content-Length', str(len(body)))],
                           sys.exc_info())
            return [body]

