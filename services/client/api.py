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

"""A small HTTP client of the Trellis REST API v1 (``requests``).

``Client`` sends JSON, authenticates with HTTP basic or a token
(``X-Auth-Token``), follows the ``next`` links of lists, and turns every
error answer into an ``APIError`` carrying the API's message and the
request id. Request lines and request ids are logged at DEBUG (the CLI's
``--debug``); bodies and credentials never are.
"""

import logging
from typing import Any
from typing import Iterator
from urllib import parse

import requests

from trellis.services.client import config
from trellis.services.client import exceptions

LOG = logging.getLogger(__name__)

API_VERSION = 'v1'
REQUEST_ID_HEADER = 'X-Openstack-Request-Id'
JSON_TYPE = 'application/json'
USER_AGENT = 'trellis-client'


def quote(value: str) -> str:
    """A name or uuid made safe for one path segment."""
    return parse.quote(str(value), safe='')


def root_url(url: str) -> str:
    """The API root (no trailing slash, no ``/v1``) of an endpoint URL."""
    url = url.strip().rstrip('/')
    if url.endswith('/' + API_VERSION):
        url = url[:-len(API_VERSION) - 1]
    return url


class Client:
    """The REST API v1 over one ``requests`` session.

    :param settings: endpoint and credentials (``config.resolve``).
    :param session: a ``requests.Session`` to use (tests).
    """

    def __init__(self, settings: config.Settings,
                 session: requests.Session | None = None) -> None:
        self.settings = settings
        self.root = root_url(settings.url)
        self.session = session or requests.Session()
        self.session.headers['Accept'] = JSON_TYPE
        self.session.headers['User-Agent'] = USER_AGENT
        if settings.token:
            self.session.headers['X-Auth-Token'] = settings.token
        elif settings.username:
            self.session.auth = (settings.username, settings.password or '')
        if settings.insecure:
            self.session.verify = False
        elif settings.cacert:
            self.session.verify = settings.cacert
        self.last_request_id: str | None = None

    def url(self, path: str) -> str:
        """The full URL of ``path`` (``/clusters`` -> ``<root>/v1/clusters``).

        A full URL (a ``next`` link) is returned as it is.
        """
        if path.startswith(('http://', 'https://')):
            return path
        return '%s/%s/%s' % (self.root, API_VERSION, path.lstrip('/'))

    # -- the HTTP layer ----------------------------------------------------

    def request(self, method: str, path: str, json: Any = None,
                params: dict[str, Any] | None = None) -> requests.Response:
        """Send one request; return the response if its status is < 400.

        :raises: APIError on an error status, ConnectionFailed when the
            API cannot be reached.
        """
        url = self.url(path)
        params = {k: v for k, v in (params or {}).items() if v is not None}
        LOG.debug('REQ: %s %s%s', method, url,
                  '?' + parse.urlencode(params, doseq=True) if params else '')
        try:
            response = self.session.request(
                method, url, json=json, params=params or None,
                timeout=self.settings.timeout)
        except requests.exceptions.SSLError as exc:
            raise exceptions.ConnectionFailed(
                'TLS error talking to the Trellis API at %s: %s (see '
                '--cacert / --insecure)' % (self.root, exc)) from exc
        except requests.exceptions.Timeout:
            raise exceptions.ConnectionFailed(
                'The Trellis API at %s did not answer within %ss.'
                % (self.root, self.settings.timeout)) from None
        except requests.exceptions.ConnectionError as exc:
            raise exceptions.ConnectionFailed(
                'Cannot reach the Trellis API at %s: %s' % (
                    self.root, _reason(exc))) from exc
        except requests.exceptions.RequestException as exc:
            raise exceptions.ConnectionFailed(
                'Request to the Trellis API at %s failed: %s' % (
                    self.root, exc)) from exc
        request_id = response.headers.get(REQUEST_ID_HEADER)
        self.last_request_id = request_id
        LOG.debug('RESP: %s %s %s (Request-ID: %s)', response.status_code,
                  method, url, request_id)
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return _json(self.request('GET', path, params=params))

    def post(self, path: str, body: Any) -> Any:
        return _json(self.request('POST', path, json=body))

    def patch(self, path: str, body: Any) -> Any:
        return _json(self.request('PATCH', path, json=body))

    def put(self, path: str, body: Any = None) -> Any:
        return _json(self.request('PUT', path, json=body))

    def delete(self, path: str) -> None:
        self.request('DELETE', path)

    def list(self, path: str, key: str,
             params: dict[str, Any] | None = None,
             all_pages: bool = True) -> Iterator[dict[str, Any]]:
        """The items of a collection, page after page.

        :param key: the collection's key in the body (``clusters``).
        :param all_pages: follow the ``next`` links to the end; with
            False only the first page is read (manual paging with
            ``limit`` and ``marker``).
        """
        url: str | None = path
        seen: set[str] = set()
        while url:
            body = self.get(url, params=params)
            for item in body.get(key) or []:
                yield item
            next_url = body.get('next')
            if not all_pages or not next_url or next_url in seen:
                return
            seen.add(next_url)
            # The next link carries every query parameter already.
            url, params = next_url, None

    # -- resources ---------------------------------------------------------

    def cluster_uuid(self, ident: str) -> str:
        """The uuid of the cluster named or identified by ``ident``."""
        return self.get('/clusters/%s' % quote(ident))['uuid']


def _reason(exc: Exception) -> str:
    """The innermost reason of a connection error, without the noise."""
    text = str(exc)
    for marker in ('Connection refused', 'Name or service not known',
                   'No route to host', 'Temporary failure in name '
                   'resolution'):
        if marker in text:
            return marker
    return text


def _json(response: requests.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def error_from_response(response: requests.Response) -> exceptions.APIError:
    """The ``APIError`` of an error response, whatever its body."""
    request_id = response.headers.get(REQUEST_ID_HEADER)
    message = title = details = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get('error'), dict):
        error = body['error']
        message = error.get('message')
        title = error.get('title')
        details = error.get('details')
    elif isinstance(body, dict) and body.get('message'):
        message = body.get('message')
    if not message:
        text = (response.text or '').strip()
        message = text[:500] if text else (response.reason or 'Error')
    return exceptions.APIError(response.status_code, str(message),
                               title=title, details=details,
                               request_id=request_id)
