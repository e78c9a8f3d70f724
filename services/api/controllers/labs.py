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


"""``/v1/labs``: import and export lab description files.

``POST /v1/labs/import`` takes ``{"files": [{"name", "content"}],
"format": "daisy"|"tripleo" (optional: detected), "cluster": optional
name override, "dry_run": bool}`` and answers 200 with the change report
(``trellis.common.labs.importer.Report``), or 400 whose ``details`` list
every problem as ``{file, line, path, message}``; nothing is imported
then. ``GET /v1/labs/export?cluster=X&format=daisy|tripleo`` answers
``{"files": [{"name", "content"}], ...}``; ``include_secrets=true``
(admin only) writes the BMC passwords instead of a placeholder.
"""

from typing import Any

import flask
import jsonschema
from oslo_utils import strutils

from trellis.common import policy
from trellis.common.i18n import _
from trellis.common.labs import exporter
from trellis.common.labs import importer
from trellis.common.labs import model
from trellis.common.policies import lab as lab_policy
from trellis.services.api import app as api_app
from trellis.services.api import errors
from trellis.services.api.controllers import utils

blueprint = flask.Blueprint('labs', __name__)


IMPORT_SCHEMA: dict[str, Any] = {
    'type': 'object',
    'properties': {
        'files': {
            'type': 'array', 'minItems': 1, 'maxItems': 8,
            'items': {
                'type': 'object',
                'properties': {
                    'name': {'type': 'string', 'minLength': 1,
                             'maxLength': 255},
                    'content': {'type': 'string'},
                },
                'required': ['name', 'content'],
                'additionalProperties': False,
            },
        },
        'format': {'type': 'string', 'enum': list(importer.FORMATS)},
        'cluster': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'dry_run': {'type': 'boolean'},
    },
    'required': ['files'],
    'additionalProperties': False,
}
EXPORT_PARAMS = ('cluster', 'format', 'include_secrets')

_COUNTS = {'type': 'object',
           'additionalProperties': {
               'type': 'object',
               'additionalProperties': {'type': 'integer', 'minimum': 0}}}
REPORT_SCHEMA: dict[str, Any] = {
    'type': 'object',
    'properties': {
        'cluster': {'type': 'object', 'properties': {
            'name': {'type': 'string'},
            'uuid': {'type': ['string', 'null']}}},
        'format': {'type': 'string', 'enum': list(importer.FORMATS)},
        'dry_run': {'type': 'boolean'},
        'result': {'type': 'string', 'enum': ['changed', 'unchanged']},
        'summary': _COUNTS,
        'changes': {'type': 'array', 'items': {
            'type': 'object',
            'properties': {
                'resource': {'type': 'string',
                             'enum': list(importer.KINDS)},
                'name': {'type': 'string'},
                'action': {'type': 'string',
                           'enum': list(importer.ACTIONS)}},
            'required': ['resource', 'name', 'action']}},
        'warnings': {'type': 'array', 'items': {'type': 'string'}},
    },
    'required': ['cluster', 'format', 'dry_run', 'result', 'summary',
                 'changes', 'warnings'],
}
EXPORT_SCHEMA: dict[str, Any] = {
    'type': 'object',
    'properties': {
        'cluster': {'type': 'string'},
        'format': {'type': 'string', 'enum': list(importer.FORMATS)},
        'files': {'type': 'array', 'items': {
            'type': 'object',
            'properties': {'name': {'type': 'string'},
                           'content': {'type': 'string'}},
            'required': ['name', 'content']}},
        'secrets_included': {'type': 'boolean'},
        'warnings': {'type': 'array', 'items': {'type': 'string'}},
    },
    'required': ['files', 'secrets_included'],
}


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {errors.JSON_TYPE: {'schema': schema}}


# OpenAPI operations (controllers/openapi.py reads the ``openapi``
# attribute of a view).
IMPORT_OPENAPI = {
    'operation': {
        'summary': 'Import lab files (Daisy deploy.yml + network.yml, or '
                   'TripleO nodes JSON) into one cluster, all or nothing.',
        'tags': ['labs'],
        'requestBody': {'required': True,
                        'content': _json_content(IMPORT_SCHEMA)},
        'responses': {'200': {'description': 'The change report.',
                              'content': _json_content(REPORT_SCHEMA)}},
    },
    'errors': ('400', '403', '409', '413', '415', '503'),
}
EXPORT_OPENAPI = {
    'operation': {
        'summary': 'Export a cluster as lab files.',
        'tags': ['labs'],
        'parameters': [
            {'name': 'cluster', 'in': 'query', 'required': True,
             'description': 'Cluster name or UUID.',
             'schema': {'type': 'string'}},
            {'name': 'format', 'in': 'query', 'required': False,
             'schema': {'type': 'string', 'enum': list(importer.FORMATS),
                        'default': 'daisy'}},
            {'name': 'include_secrets', 'in': 'query', 'required': False,
             'description': 'Write BMC passwords (admin only).',
             'schema': {'type': 'boolean', 'default': False}},
        ],
        'responses': {'200': {'description': 'The files.',
                              'content': _json_content(EXPORT_SCHEMA)}},
    },
    'errors': ('400', '403', '404', '503'),
}


def _max_body() -> int:
    return api_app.get_state().conf.api.max_lab_body_size


def _bad_request(message: str, details: list[dict[str, Any]]
                 ) -> flask.Response:
    return errors.json_response(400, message, details)



@blueprint.post('/labs/import')
@utils.described(IMPORT_OPENAPI)
def import_lab() -> Any:
    """Import lab files into one cluster, all or nothing."""
    context = api_app.get_context()
    policy.authorize(lab_policy.LAB_IMPORT, {}, context)
    body = utils.json_body(limit=_max_body(),
                           limit_option='max_lab_body_size')
    problems = sorted(jsonschema.Draft202012Validator(
        IMPORT_SCHEMA).iter_errors(body), key=lambda e: list(e.path))
    if problems:
        return _bad_request(_('The request body is invalid.'), [
            {'field': '$' + ''.join('[%r]' % p if isinstance(p, int)
                                    else '.%s' % p for p in e.path),
             'message': e.message} for e in problems])
    try:
        report = importer.import_lab(
            context, body['files'], fmt=body.get('format'),
            cluster=body.get('cluster'),
            dry_run=bool(body.get('dry_run', False)))
    except model.LabInvalid as exc:
        return _bad_request(exc.message, exc.details)
    return flask.jsonify(report)


@blueprint.get('/labs/export')
@utils.described(EXPORT_OPENAPI)
def export_lab() -> Any:
    """A cluster as lab files (Daisy by default)."""
    context = api_app.get_context()
    policy.authorize(lab_policy.LAB_EXPORT, {}, context)
    args = flask.request.args
    unknown = sorted(set(args) - set(EXPORT_PARAMS))
    if unknown:
        return _bad_request(
            _('Unknown query parameter(s): %s.') % ', '.join(unknown),
            [{'field': name, 'message': _('expected one of: %s')
              % ', '.join(EXPORT_PARAMS)} for name in unknown])
    cluster = args.get('cluster')
    if not cluster:
        return _bad_request(_('Give the cluster to export: ?cluster=NAME.'),
                            [{'field': 'cluster',
                              'message': _('required')}])
    fmt = args.get('format', 'daisy')
    if fmt not in importer.FORMATS:
        return _bad_request(
            _('Unknown format %s.') % fmt,
            [{'field': 'format', 'message': _('expected one of: %s')
              % ', '.join(importer.FORMATS)}])
    try:
        secrets = strutils.bool_from_string(
            args.get('include_secrets', 'false'), strict=True)
    except ValueError:
        return _bad_request(_('include_secrets must be true or false.'),
                            [{'field': 'include_secrets',
                              'message': _('expected true or false')}])
    if secrets:
        policy.authorize(lab_policy.LAB_EXPORT_SECRETS, {}, context)
    return flask.jsonify(exporter.export_lab(context, cluster, fmt,
                                             include_secrets=secrets))
