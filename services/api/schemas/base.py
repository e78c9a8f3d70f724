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

"""Validation machinery shared by the resource schemas.

- Formats checked with the standard library (``ipaddress``): ``ip``
  (v4 or v6), ``ipv4``, ``ipv6``, ``cidr`` (a network, host bits zero),
  ``mac`` (six hex pairs, ``:`` or ``-``), ``uuid``.
- :func:`validate` reports every error at once as
  ``details = [{"field": "$.interfaces[2].mac", "message": ...}]``,
  never echoing a secret's value.
- :func:`update_schema` derives the JSON merge patch schema from a
  create schema: nothing required, optional fields nullable, nested
  objects partial.
"""

import copy
import dataclasses
import ipaddress
import re
from typing import Any

import jsonschema
from oslo_utils import uuidutils

from trellis.common import exception
from trellis.common.i18n import _

DIALECT = 'https://json-schema.org/draft/2020-12/schema'
MASK = '******'
# Path components whose values are secrets: never shown in a message.
SECRET_FIELDS = frozenset({'password'})

FORMAT_CHECKER = jsonschema.FormatChecker(formats=())
_MAC_RE = re.compile(r'^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}'
                     r'(\1[0-9A-Fa-f]{2}){4}$')


@FORMAT_CHECKER.checks('mac', raises=ValueError)
def is_mac(value: object) -> bool:
    return not isinstance(value, str) or bool(_MAC_RE.match(value))


@FORMAT_CHECKER.checks('ip', raises=ValueError)
def is_ip(value: object) -> bool:
    if isinstance(value, str):
        ipaddress.ip_address(value)
    return True


@FORMAT_CHECKER.checks('ipv4', raises=ValueError)
def is_ipv4(value: object) -> bool:
    if isinstance(value, str):
        ipaddress.IPv4Address(value)
    return True


@FORMAT_CHECKER.checks('ipv6', raises=ValueError)
def is_ipv6(value: object) -> bool:
    if isinstance(value, str):
        ipaddress.IPv6Address(value)
    return True


@FORMAT_CHECKER.checks('cidr', raises=ValueError)
def is_cidr(value: object) -> bool:
    if isinstance(value, str):
        if '/' not in value:
            raise ValueError('%s has no prefix length' % value)
        ipaddress.ip_network(value, strict=True)
    return True


@FORMAT_CHECKER.checks('uuid')
def is_uuid(value: object) -> bool:
    return not isinstance(value, str) or uuidutils.is_uuid_like(value)


def normalize_mac(mac: str | None) -> str | None:
    """``AA-BB-..`` or ``AA:BB:..`` -> ``aa:bb:..`` (None stays None)."""
    if mac is None:
        return None
    return mac.replace('-', ':').lower()


# Reusable property schemas.
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^[A-Za-z0-9][A-Za-z0-9_.\-]*$',
        'description': 'Letters, digits, "_", "." and "-"; unique. '
                       'Usable in URLs instead of the UUID.'}
UUID = {'type': 'string', 'format': 'uuid'}
# A TEXT column holds 65535 bytes: 16383 characters of up to 4 bytes.
TEXT = {'type': ['string', 'null'], 'maxLength': 16383}
SHORT_TEXT = {'type': ['string', 'null'], 'maxLength': 255}
IP = {'type': ['string', 'null'], 'format': 'ip', 'maxLength': 64}
TIMESTAMP = {'type': ['string', 'null'], 'format': 'date-time',
             'readOnly': True}
READ_ONLY_UUID = dict(UUID, readOnly=True)


@dataclasses.dataclass(frozen=True)
class Resource:
    """Everything the API and the OpenAPI document know of a resource.

    ``sort_keys`` and ``filters`` map query names to DB column/filter
    names; ``read_only`` lists response fields a body may not set.
    """

    name: str
    plural: str
    create: dict[str, Any]
    response: dict[str, Any]
    update: dict[str, Any] | None = None
    sort_keys: dict[str, str] = dataclasses.field(default_factory=dict)
    filters: dict[str, str] = dataclasses.field(default_factory=dict)
    read_only: frozenset[str] = frozenset()

    @property
    def list_response(self) -> dict[str, Any]:
        return {'type': 'object', 'additionalProperties': False,
                'required': [self.plural],
                'properties': {
                    self.plural: {'type': 'array', 'items': self.response},
                    'next': {'type': 'string', 'format': 'uri',
                             'description': 'The next page, when more '
                                            'remain.'}}}


def obj(properties: dict[str, Any], required: tuple = (),
        nullable: bool = False, **extra: Any) -> dict[str, Any]:
    """A closed object schema (``additionalProperties: false``)."""
    schema: dict[str, Any] = {
        'type': ['object', 'null'] if nullable else 'object',
        'additionalProperties': False, 'properties': properties}
    if required:
        schema['required'] = list(required)
    schema.update(extra)
    return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    schema = dict(schema)
    kind = schema.get('type')
    if isinstance(kind, str):
        schema['type'] = [kind, 'null']
    elif isinstance(kind, list):
        if 'null' not in kind:
            schema['type'] = kind + ['null']
    elif 'enum' not in schema:
        schema = {'anyOf': [schema, {'type': 'null'}]}
    if 'enum' in schema and None not in schema['enum']:
        schema['enum'] = list(schema['enum']) + [None]
    return schema


def update_schema(create: dict[str, Any]) -> dict[str, Any]:
    """The JSON merge patch (RFC 7396) schema matching ``create``.

    Every field is optional; ``null`` clears an optional one (a
    required field cannot be cleared); nested objects are patches too;
    arrays are replaced whole, so they keep the create schema.
    """
    schema = copy.deepcopy(create)
    required = set(schema.pop('required', ()))
    props = {}
    for name, prop in schema.get('properties', {}).items():
        if _is_object(prop) and 'properties' in prop:
            prop = update_schema(prop)
        if name not in required:
            prop = _nullable(prop)
        props[name] = prop
    schema['properties'] = props
    return schema


def _is_object(schema: dict[str, Any]) -> bool:
    kind = schema.get('type')
    return kind == 'object' or (isinstance(kind, list) and 'object' in kind)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: apply ``patch`` to ``target`` (neither is modified)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class ValidationFailed(exception.Invalid):
    """A body broke its schema; ``details`` lists every error."""

    _msg_fmt = _('Invalid %(what)s: %(count)s error(s), first: %(first)s')

    def __init__(self, what: str, details: list[dict[str, str]]) -> None:
        self.details = details
        first = '%s: %s' % (details[0]['field'], details[0]['message'])
        super().__init__(what=what, count=len(details), first=first)


def _is_secret(path: Any) -> bool:
    return any(isinstance(p, str) and p in SECRET_FIELDS for p in path)


def _holds_secret(instance: Any) -> bool:
    """True if a secret field is somewhere inside ``instance``."""
    if isinstance(instance, dict):
        return any(k in SECRET_FIELDS or _holds_secret(v)
                   for k, v in instance.items())
    if isinstance(instance, list):
        return any(_holds_secret(v) for v in instance)
    return False


def _json_path(path: Any) -> str:
    text = '$'
    for part in path:
        text += '[%d]' % part if isinstance(part, int) else '.%s' % part
    return text


def _details(error: jsonschema.ValidationError,
             read_only: frozenset[str]) -> list[dict[str, str]]:
    path = list(error.absolute_path)
    if error.validator == 'additionalProperties' and isinstance(
            error.instance, dict):
        allowed = set(error.schema.get('properties', {}))
        extras = sorted(k for k in error.instance if k not in allowed)
        result = []
        for key in extras:
            if not path and key in read_only:
                message = _('%s is read-only: the services set it.') % key
            else:
                message = _('Unknown field %s.') % key
            result.append({'field': _json_path(path + [key]),
                           'message': message})
        return result
    if error.validator == 'required':
        missing = [k for k in error.validator_value
                   if isinstance(error.instance, dict)
                   and k not in error.instance]
        return [{'field': _json_path(path + [k]),
                 'message': _('%s is required.') % k} for k in missing]
    if _is_secret(path) or _holds_secret(error.instance):
        message = _('Invalid value (not shown): it fails "%(rule)s".') % {
            'rule': error.validator}
    elif error.validator == 'format':
        message = _('%(value)r is not a valid %(format)s.') % {
            'value': error.instance, 'format': error.validator_value}
    else:
        message = error.message
    return [{'field': _json_path(path), 'message': message}]


def errors_of(schema: dict[str, Any], instance: Any,
              read_only: frozenset[str] = frozenset()
              ) -> list[dict[str, str]]:
    """Every error of ``instance`` against ``schema``, sorted by field."""
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=FORMAT_CHECKER)
    errors = list(validator.iter_errors(instance))
    # A value of the wrong type fails its enum/format too: say it once.
    mistyped = {tuple(e.absolute_path) for e in errors
                if e.validator == 'type'}
    details: list[dict[str, str]] = []
    for error in errors:
        if (error.validator != 'type'
                and tuple(error.absolute_path) in mistyped):
            continue
        details.extend(_details(error, read_only))
    details.sort(key=lambda d: d['field'])
    return details


def validate(schema: dict[str, Any], instance: Any, what: str,
             read_only: frozenset[str] = frozenset(),
             extra: list[dict[str, str]] | None = None) -> None:
    """Raise ``ValidationFailed`` (400) listing every error, if any.

    :param extra: errors found by checks a schema cannot express.
    """
    details = errors_of(schema, instance, read_only) + list(extra or ())
    if details:
        raise ValidationFailed(what, details)


def raise_if(what: str, details: list[dict[str, str]]) -> None:
    """Raise ``ValidationFailed`` if ``details`` (semantic checks) is
    not empty."""
    if details:
        raise ValidationFailed(what, list(details))


def check_schema(schema: dict[str, Any]) -> None:
    """Raise if ``schema`` is not a valid Draft 2020-12 schema."""
    jsonschema.Draft202012Validator.check_schema(schema)
