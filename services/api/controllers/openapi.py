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

"""``GET /v1/openapi.json``: the OpenAPI 3.1 description of the API.

Built on each request from the app's route table (``url_map``) and the
JSON Schemas the views validate with (``services/api/schemas``, attached
to the views by ``utils.documented``); nothing is written by hand, so
the document cannot drift from the code. Routes whose views carry no
description (version discovery, services, labs) still appear, with a
generic JSON response.
"""

import re
from typing import Any

import flask

from trellis.common import version
from trellis.services.api import errors
from trellis.services.api.controllers import root
from trellis.services.api.controllers import utils
from trellis.services.api.schemas import base

blueprint = flask.Blueprint('openapi', __name__)

OPENAPI_VERSION = '3.1.0'
_PATH_ARG = re.compile(r'<(?:[^:<>]+:)?([^<>]+)>')
_IGNORED_METHODS = frozenset({'HEAD', 'OPTIONS'})
ERROR_CODES = {
    '400': 'Invalid request: the details name each field.',
    '403': 'Refused by policy.',
    '404': 'No such resource.',
    '409': 'Conflict with the current state.',
    '413': 'Request body too large.',
    '415': 'The body is not JSON.',
    '503': 'A backend (database, etcd) is unreachable.',
}
ERROR_SCHEMA = base.obj({'error': base.obj({
    'code': {'type': 'integer'},
    'title': {'type': 'string'},
    'message': {'type': 'string'},
    'details': {},
}, required=('code', 'title', 'message'))}, required=('error',))


def openapi_path(rule: str) -> str:
    """Flask's ``/v1/hosts/<host>`` as OpenAPI's ``/v1/hosts/{host}``."""
    return _PATH_ARG.sub(r'{\1}', rule)


def _camel(name: str) -> str:
    return ''.join(part.capitalize() for part in name.split('_'))


def _ref(name: str) -> dict[str, str]:
    return {'$ref': '#/components/schemas/' + name}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {'description': description,
            'content': {errors.JSON_TYPE: {'schema': schema}}}


def _error_responses(codes: tuple[str, ...]) -> dict[str, Any]:
    return {code: {'$ref': '#/components/responses/Error%s' % code}
            for code in codes}


def _list_parameters(resource: base.Resource) -> list[dict[str, Any]]:
    params = [
        {'name': 'limit', 'in': 'query', 'required': False,
         'schema': {'type': 'integer', 'minimum': 1,
                    'maximum': utils.MAX_LIMIT,
                    'default': utils.DEFAULT_LIMIT}},
        {'name': 'marker', 'in': 'query', 'required': False,
         'description': 'UUID of the last item of the previous page.',
         'schema': {'type': 'string', 'format': 'uuid'}},
        {'name': 'sort_dir', 'in': 'query', 'required': False,
         'schema': {'type': 'string', 'enum': ['asc', 'desc']}},
    ]
    if resource.sort_keys:
        params.append({'name': 'sort_key', 'in': 'query', 'required': False,
                       'schema': {'type': 'string',
                                  'enum': sorted(resource.sort_keys)}})
    for name in sorted(resource.filters):
        params.append({'name': name, 'in': 'query', 'required': False,
                       'schema': {'type': 'string'}})
    return params


def _operation(meta: dict[str, Any] | None, endpoint: str,
               view: Any) -> dict[str, Any]:
    doc = (view.__doc__ or '').strip().splitlines()
    operation: dict[str, Any] = {'operationId': endpoint}
    if meta is not None and 'operation' in meta:
        # A view that describes itself whole (e.g. controllers/labs.py);
        # its error codes refer to the shared error responses.
        operation.update(meta['operation'])
        operation['responses'] = dict(
            operation['responses'],
            **_error_responses(tuple(meta.get('errors', ()))))
        return operation
    if meta is None:
        responses = {'default': _json({}, 'A JSON document (see the '
                                          'summary).')}
        responses.update(_error_responses(('400', '403', '404')))
        operation.update(summary=doc[0] if doc else endpoint,
                         tags=[endpoint.split('.')[0]],
                         responses=responses)
        return operation
    resource: base.Resource = meta['resource']
    kind = meta['kind']
    name = _camel(resource.name)
    operation.update(summary=meta['summary'], tags=[resource.plural])
    if meta.get('description'):
        operation['description'] = meta['description']
    codes: tuple[str, ...] = ('403', '404', '503')
    responses: dict[str, Any] = {}
    if kind == 'list':
        operation['parameters'] = _list_parameters(resource)
        responses['200'] = _json(_ref(name + 'List'), 'One page.')
        codes += ('400',)
    elif kind == 'list_all':
        responses['200'] = _json(_ref(name + 'List'), 'Every item.')
        codes += ('400',)
    elif kind == 'get':
        responses['200'] = _json(_ref(name), 'The %s.' % resource.name)
        codes += ('409',) if resource.name == 'version' else ()
    elif kind in ('create', 'assign'):
        operation['requestBody'] = {
            'required': kind == 'create',
            'content': {errors.JSON_TYPE: {'schema': _ref(name + 'Create')}}}
        responses['201'] = dict(
            _json(_ref(name), 'Created.'),
            headers={'Location': {'description': 'URL of the new item.',
                                  'schema': {'type': 'string'}}})
        if kind == 'assign':
            responses['200'] = _json(_ref(name), 'Was already assigned.')
        codes += ('400', '409', '413', '415')
    elif kind == 'update':
        operation['requestBody'] = {
            'required': True,
            'content': {errors.JSON_TYPE: {'schema': _ref(name + 'Update')}}}
        responses['200'] = _json(_ref(name), 'The updated %s.'
                                 % resource.name)
        codes += ('400', '409', '413', '415')
    elif kind in ('delete', 'unassign'):
        responses['204'] = {'description': 'Deleted.'}
        codes += ('409',)
    else:
        raise ValueError('Unknown operation kind %s of %s' % (kind,
                                                               endpoint))
    responses.update(_error_responses(tuple(sorted(set(codes)))))
    operation['responses'] = responses
    return operation


def _components(resources: list[base.Resource]) -> dict[str, Any]:
    schemas: dict[str, Any] = {'Error': ERROR_SCHEMA}
    for resource in resources:
        name = _camel(resource.name)
        schemas[name] = resource.response
        schemas[name + 'List'] = resource.list_response
        schemas[name + 'Create'] = resource.create
        if resource.update is not None:
            schemas[name + 'Update'] = resource.update
    responses = {'Error' + code: _json(_ref('Error'), text)
                 for code, text in ERROR_CODES.items()}
    return {
        'schemas': schemas,
        'responses': responses,
        'securitySchemes': {
            'basic': {'type': 'http', 'scheme': 'basic',
                      'description': '[api] auth_strategy = http_basic'},
            'token': {'type': 'apiKey', 'in': 'header',
                      'name': 'X-Auth-Token',
                      'description': '[api] auth_strategy = keystone'}},
    }


def build(app: flask.Flask, server_url: str = '/') -> dict[str, Any]:
    """The OpenAPI document of ``app``, from its routes and schemas."""
    paths: dict[str, dict[str, Any]] = {}
    resources: dict[str, base.Resource] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == 'static':
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, utils.OPENAPI_ATTR, None)
        if meta is not None and 'resource' in meta:
            resources[meta['resource'].name] = meta['resource']
        path = openapi_path(rule.rule)
        item = paths.setdefault(path, {})
        if rule.arguments and 'parameters' not in item:
            item['parameters'] = [
                {'name': arg, 'in': 'path', 'required': True,
                 'description': 'UUID or name.' if arg != 'role_name'
                 else 'Role name (or UUID) in the host\'s cluster.',
                 'schema': {'type': 'string'}}
                for arg in sorted(rule.arguments)]
        for method in sorted((rule.methods or set()) - _IGNORED_METHODS):
            item[method.lower()] = _operation(meta, rule.endpoint, view)
    return {
        'openapi': OPENAPI_VERSION,
        'jsonSchemaDialect': base.DIALECT,
        'info': {'title': 'Trellis API', 'version': root.VERSION,
                 'description': 'Trellis %s: inventory and deployment of '
                                'OpenStack clouds.'
                                % version.version_string()},
        'servers': [{'url': server_url}],
        'security': [{}, {'basic': []}, {'token': []}],
        'paths': paths,
        'components': _components(list(resources.values())),
    }


@blueprint.get('/openapi.json')
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of this API."""
    return build(flask.current_app, root.base_url().rstrip('/') or '/')
