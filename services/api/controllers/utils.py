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

"""What the inventory controllers share: bodies, lists, responses.

- :func:`json_body`: 413 over ``[api] max_request_body_size``, 415 when
  not JSON, 400 on malformed JSON;
- :func:`list_query` / :func:`page`: ``limit``, ``marker``, ``sort_key``,
  ``sort_dir`` and the resource's filters, the ``next`` link;
  :func:`list_page` runs both around a DB API list method;
- :func:`changed`: what a JSON merge patch changed;
- :func:`documented`: the OpenAPI description of a view, read by
  ``controllers/openapi.py`` (so the document follows the route table).
"""

import dataclasses
import datetime
import json
from typing import Any
from typing import Callable
import urllib.parse

import flask
from oslo_utils import uuidutils
from werkzeug import exceptions as wz_exc

from trellis.common.i18n import _
from trellis.services.api import app as api_app
from trellis.services.api.controllers import root
from trellis.services.api.schemas import base

DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000
LIST_PARAMS = ('limit', 'marker', 'sort_key', 'sort_dir')
OPENAPI_ATTR = 'openapi'


def isotime(value: datetime.datetime | float | None) -> str | None:
    """A time as RFC 3339 UTC; None stays None.

    ``value`` is a naive UTC datetime from the database, or a UNIX time
    from etcd (shown to the millisecond).
    """
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(
            value, tz=datetime.timezone.utc).isoformat(
                timespec='milliseconds')
    return value.replace(tzinfo=datetime.timezone.utc).isoformat()


def _reject_constant(name: str) -> Any:
    raise ValueError(_('%s is not valid JSON') % name)


def json_body(limit: int | None = None, required: bool = True,
              limit_option: str = 'max_request_body_size') -> Any:
    """The request's JSON body, checked for size and type.

    :param limit: largest body in bytes; ``[api] max_request_body_size``
        by default.
    :param limit_option: the ``[api]`` option that sets ``limit``, named
        in the 413 so the operator knows what to raise.
    :param required: a missing body is a 400 (else None is returned).
    :raises: RequestEntityTooLarge (413), UnsupportedMediaType (415),
        ValidationFailed (400).
    """
    request = flask.request
    if limit is None:
        limit = api_app.get_state().conf.api.max_request_body_size
    too_large = wz_exc.RequestEntityTooLarge(
        _('The request body is larger than %(limit)d bytes ([api] '
          '%(option)s).') % {'limit': limit, 'option': limit_option})
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise too_large
    if not data:
        if required:
            raise base.ValidationFailed('request', [{
                'field': '$', 'message': _('A JSON body is required.')}])
        return None
    mimetype = request.mimetype or ''
    if mimetype != 'application/json' and not mimetype.endswith('+json'):
        raise wz_exc.UnsupportedMediaType(
            _('The body must be JSON (Content-Type: application/json), '
              'not %s.') % (mimetype or 'untyped'))
    try:
        body = json.loads(data, parse_constant=_reject_constant)
        # Lone surrogates ("\ud800") parse but cannot be stored.
        json.dumps(body, ensure_ascii=False).encode('utf-8')
    except (ValueError, UnicodeError) as exc:
        raise base.ValidationFailed('request', [{
            'field': '$', 'message': _('Malformed JSON: %s') % exc}]
        ) from exc
    except RecursionError as exc:
        raise base.ValidationFailed('request', [{
            'field': '$', 'message': _('The JSON document is nested too '
                                       'deeply.')}]) from exc
    return body


@dataclasses.dataclass
class ListQuery:
    limit: int
    marker: str | None
    sort_key: str | None
    sort_dir: str
    # API filter name -> value (a list when repeated).
    filters: dict[str, Any]


def list_query(resource: base.Resource) -> ListQuery:
    """Parse and check a list's query string; 400 listing every error."""
    args = flask.request.args
    errors = []
    for name in sorted(set(args) - set(LIST_PARAMS) - set(resource.filters)):
        allowed = ', '.join(list(LIST_PARAMS) + sorted(resource.filters))
        errors.append({'field': name, 'message': _(
            'Unknown query parameter %(name)s; use %(allowed)s.') % {
                'name': name, 'allowed': allowed}})
    limit = DEFAULT_LIMIT
    if 'limit' in args:
        try:
            limit = int(args['limit'])
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_LIMIT:
            errors.append({'field': 'limit', 'message': _(
                'limit must be an integer from 1 to %d.') % MAX_LIMIT})
    marker = args.get('marker')
    if marker is not None and not uuidutils.is_uuid_like(marker):
        errors.append({'field': 'marker', 'message': _(
            'marker must be the UUID of the last item of the previous '
            'page.')})
    sort_key = args.get('sort_key')
    if sort_key is not None and sort_key not in resource.sort_keys:
        errors.append({'field': 'sort_key', 'message': _(
            'Cannot sort on %(key)s; use one of %(keys)s.') % {
                'key': sort_key,
                'keys': ', '.join(sorted(resource.sort_keys))}})
    sort_dir = args.get('sort_dir', 'asc')
    if sort_dir not in ('asc', 'desc'):
        errors.append({'field': 'sort_dir',
                       'message': _('sort_dir must be asc or desc.')})
    if errors:
        raise base.ValidationFailed('query', errors)
    filters = {}
    for name in resource.filters:
        values = args.getlist(name)
        if values:
            filters[name] = values[0] if len(values) == 1 else values
    return ListQuery(limit, marker,
                     resource.sort_keys.get(sort_key) if sort_key else None,
                     sort_dir, filters)


def page(plural: str, rows: list, query: ListQuery,
         view: Callable[[list], list[dict]]) -> dict[str, Any]:
    """The list body of ``rows`` (fetched with ``query.limit + 1``)."""
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    body: dict[str, Any] = {plural: view(rows)}
    if more and rows:
        params = [(k, v) for k, v in flask.request.args.items(multi=True)
                  if k != 'marker']
        params.append(('marker', rows[-1].uuid))
        body['next'] = '%s%s?%s' % (root.base_url().rstrip('/'),
                                    flask.request.path,
                                    urllib.parse.urlencode(params))
    return body


def list_page(resource: base.Resource, plural: str,
              lister: Callable[..., list], view: Callable[[list], list[dict]],
              filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """One page of a collection: query string -> DB API list -> body.

    The query string's filters are mapped to columns through
    ``resource.filters``; ``filters`` adds fixed ones (the parent
    cluster). ``lister`` is a DB API ``list_*`` method.
    """
    query = list_query(resource)
    db_filters = {resource.filters[k]: v for k, v in query.filters.items()}
    db_filters.update(filters or {})
    rows = lister(api_app.get_context(), filters=db_filters,
                  limit=query.limit + 1, marker=query.marker,
                  sort_key=query.sort_key, sort_dir=query.sort_dir)
    return page(plural, rows, query, view)


def changed(current: dict[str, Any], merged: dict[str, Any]
            ) -> dict[str, Any]:
    """The fields of ``current`` a merge patch changed (removed: None)."""
    return {k: merged.get(k) for k in current if merged.get(k) != current[k]}


def created(body: dict[str, Any], location: str) -> flask.Response:
    """201 with ``Location`` (made absolute) and the new resource."""
    response = flask.jsonify(body)
    response.status_code = 201
    response.headers['Location'] = (root.base_url().rstrip('/')
                                     + location)
    return response


def no_content() -> flask.Response:
    return flask.Response(status=204)


def item_path(*parts: str) -> str:
    """``/v1/<parts...>`` with each part URL-quoted."""
    return '/v1/' + '/'.join(urllib.parse.quote(p, safe='') for p in parts)


def documented(kind: str, resource: base.Resource, summary: str,
               **extra: Any) -> Callable:
    """Attach the OpenAPI description of a view.

    :param kind: list, get, create, update, delete, assign or unassign.
    """
    return described(dict(extra, kind=kind, resource=resource,
                          summary=summary))


def described(description: dict[str, Any]) -> Callable:
    """Attach an OpenAPI description given whole (views that are not a
    resource's CRUD, such as the lab import and export)."""
    def decorator(func: Callable) -> Callable:
        setattr(func, OPENAPI_ATTR, description)
        return func
    return decorator
