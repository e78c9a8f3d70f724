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

"""Version discovery: ``GET /`` and the v1 root ``GET /v1/``."""

from typing import Any

import flask

from trellis.services.api import app as api_app

blueprint = flask.Blueprint('root', __name__)

V1_ID = 'v1'
# The microversion range v1 supports.
MIN_VERSION = '1.0'
VERSION = '1.0'


def base_url() -> str:
    """The API's public URL, ending in '/'.

    ``[api] public_endpoint`` when set (behind a proxy), else the URL the
    request came in on (scheme and host as ``HTTPProxyToWSGI`` left them,
    plus the script root when mounted under a path).
    """
    endpoint = api_app.get_state().conf.api.public_endpoint
    if endpoint:
        return endpoint.rstrip('/') + '/'
    return flask.request.url_root


def link(href: str, rel: str = 'self') -> dict[str, str]:
    return {'href': href, 'rel': rel}


def v1_version() -> dict[str, Any]:
    """The description of v1 in version discovery."""
    return {'id': V1_ID, 'status': 'CURRENT', 'min_version': MIN_VERSION,
            'version': VERSION,
            'links': [link(base_url() + V1_ID + '/')]}


@blueprint.get('/')
def versions() -> dict[str, Any]:
    """Every API version this server speaks."""
    return {'versions': [v1_version()]}


@blueprint.get('/v1/')
def v1_root() -> dict[str, Any]:
    """The v1 root: the version and links to its resources."""
    body = v1_version()
    body['media_types'] = [{'base': 'application/json',
                            'type': 'application/vnd.trellis.v1+json'}]
    body['services'] = [link(base_url() + V1_ID + '/services')]
    return body
