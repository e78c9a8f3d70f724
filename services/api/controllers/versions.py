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

"""``/v1/versions``: kolla releases and OS images."""

from typing import Any

import flask

from trellis.common import policy
from trellis.common.db import api as db_api
from trellis.common.policies import version as version_policy
from trellis.services.api import app as api_app
from trellis.services.api.controllers import utils
from trellis.services.api.schemas import base
from trellis.services.api.schemas import version as schema

blueprint = flask.Blueprint('versions', __name__)
RESOURCE = schema.RESOURCE
WRITABLE = ('name', 'type', 'description', 'file', 'checksum', 'size')


def version_view(ref: Any) -> dict[str, Any]:
    """The API representation of a version."""
    body = {k: getattr(ref, k) for k in WRITABLE}
    body.update(uuid=ref.uuid, status=ref.status,
                created_at=utils.isotime(ref.created_at),
                updated_at=utils.isotime(ref.updated_at))
    return body


def _authorize(rule: str) -> None:
    policy.authorize(rule, {}, api_app.get_context())


def _get(ident: str) -> Any:
    return db_api.get_instance().get_version(api_app.get_context(), ident)


@blueprint.get('/versions')
@utils.documented('list', RESOURCE, 'List versions')
def list_versions() -> dict[str, Any]:
    _authorize(version_policy.VERSION_LIST)
    return utils.list_page(RESOURCE, 'versions',
                           db_api.get_instance().list_versions,
                           lambda refs: [version_view(r) for r in refs])


@blueprint.get('/versions/<version>')
@utils.documented('get', RESOURCE, 'Show a version')
def get(version: str) -> dict[str, Any]:
    _authorize(version_policy.VERSION_GET)
    return version_view(_get(version))


@blueprint.post('/versions')
@utils.documented('create', RESOURCE, 'Register a version')
def create() -> flask.Response:
    _authorize(version_policy.VERSION_CREATE)
    body = utils.json_body()
    base.validate(RESOURCE.create, body, 'version', RESOURCE.read_only)
    ref = db_api.get_instance().create_version(
        api_app.get_context(), {k: body[k] for k in WRITABLE if k in body})
    return utils.created(version_view(ref),
                         utils.item_path('versions', ref.uuid))


@blueprint.patch('/versions/<version>')
@utils.documented('update', RESOURCE, 'Update a version (JSON merge patch)')
def update(version: str) -> dict[str, Any]:
    _authorize(version_policy.VERSION_UPDATE)
    ref = _get(version)
    patch = utils.json_body()
    base.validate(RESOURCE.update, patch, 'version', RESOURCE.read_only)
    current = {k: getattr(ref, k) for k in WRITABLE}
    values = utils.changed(current, base.merge_patch(current, patch))
    if values:
        ref = db_api.get_instance().update_version(api_app.get_context(),
                                                   ref.id, values)
    return version_view(ref)


@blueprint.delete('/versions/<version>')
@utils.documented('delete', RESOURCE, 'Delete a version')
def delete(version: str) -> flask.Response:
    _authorize(version_policy.VERSION_DELETE)
    ref = _get(version)
    db_api.get_instance().destroy_version(api_app.get_context(), ref.id)
    return utils.no_content()
