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

"""Building blocks of the ``trellis`` commands (OpenStackClient's look).

A resource is described once by a ``Resource`` (paths, list columns,
filters, writable fields as command-line options); the generic
``Create``/``List``/``Show``/``Set``/``Delete`` commands do the rest.
Nested values (dicts, lists) print as compact JSON in tables and stay
structured in ``-f json``/``-f yaml``.
"""

import argparse
import json
import logging
from typing import Any
from typing import Iterable
from typing import Sequence

from cliff import columns
from cliff import command
from cliff import lister
from cliff import show
import yaml

from trellis.services.client import api
from trellis.services.client import exceptions

LOG = logging.getLogger(__name__)

MASK = '******'
# Column titles that are not simply the field name capitalised.
TITLES = {'uuid': 'UUID', 'cluster_uuid': 'Cluster UUID',
          'dmi_uuid': 'DMI UUID', 'os_status': 'OS Status',
          'os_progress': 'OS Progress', 'cidr': 'CIDR', 'vlan_id': 'VLAN ID',
          'ip_ranges': 'IP Ranges', 'mtu': 'MTU', 'vip': 'VIP'}


def title(field: str) -> str:
    """The column title of a field (``os_status`` -> ``OS Status``)."""
    if field in TITLES:
        return TITLES[field]
    return ' '.join(word.capitalize() for word in field.split('_'))


def _scalar(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(',', ':'))
    return str(value)


def _pairs(value: dict[str, Any]) -> str:
    """``key=value, ...`` of a dict (name first), empty values left out."""
    return ', '.join('%s=%s' % (k, _scalar(v))
                     for k, v in sorted(value.items(),
                                        key=lambda kv: (kv[0] != 'name',
                                                        kv[0]))
                     if v is not None and v != [] and v != {})


class JSONColumn(columns.FormattableColumn):
    """A dict or list: readable text for people, itself for machines.

    A dict prints as ``key=value, ...`` (empty values left out), a list
    of dicts as one such line per item, other lists comma-separated.
    """

    def human_readable(self) -> str:
        value = self._value
        if isinstance(value, dict):
            return _pairs(value)
        if isinstance(value, list):
            if value and all(isinstance(v, dict) for v in value):
                return '\n'.join(_pairs(v) for v in value)
            return ', '.join(_scalar(v) for v in value)
        return _scalar(value)


class NamesColumn(columns.FormattableColumn):
    """A list of objects with a ``name``: ``a, b`` for people."""

    def human_readable(self) -> str:
        return ', '.join(str(item.get('name', item)) if isinstance(item, dict)
                         else str(item) for item in self._value or [])


def cell(value: Any) -> Any:
    """A value ready for a cliff formatter."""
    if isinstance(value, (dict, list)):
        return JSONColumn(value)
    return value


def key_values(pairs: Sequence[str] | None, option: str) -> dict[str, Any]:
    """``KEY=VALUE`` strings as a dict; values read as YAML scalars.

    ``port=623`` gives an int, ``pxe=true`` a bool, ``x=`` an empty string.
    """
    result: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition('=')
        if not sep or not key.strip():
            raise exceptions.ClientError('%s expects KEY=VALUE, got %r'
                                         % (option, pair))
        try:
            value = yaml.safe_load(raw) if raw.strip() else ''
        except yaml.YAMLError:
            value = raw
        if isinstance(value, (dict, list)) or value is None and raw:
            value = raw
        result[key.strip()] = value
    return result


def read_secret(value: str | None, path: str | None,
                option: str) -> str | None:
    """A secret given as a value or as a file (first line, no newline)."""
    if value is not None and path is not None:
        raise exceptions.ClientError('Give %s or %s-file, not both.'
                                     % (option, option))
    if path is None:
        return value
    try:
        with open(path) as f:
            secret = f.readline().rstrip('\r\n')
    except OSError as exc:
        raise exceptions.ClientError('Cannot read %s-file %s: %s'
                                     % (option, path, exc.strerror)) from exc
    if not secret:
        raise exceptions.ClientError('%s-file %s is empty.' % (option, path))
    return secret


class Resource:
    """How the CLI maps one API resource; subclasses fill it in.

    ``fields`` lists the writable fields the ``add_arguments``/``body``
    pair handles; ``unsettable`` the ones ``set --unset`` may clear.
    """

    name = ''
    plural = ''
    nested = False          # lives under /clusters/{cluster}/
    list_columns: tuple[str, ...] = ('uuid', 'name')
    long_columns: tuple[str, ...] = ()
    filters: dict[str, str] = {}      # option dest -> query parameter
    unsettable: tuple[str, ...] = ()
    list_cells: dict[str, type] = {}  # field -> column class in lists

    def collection(self, args: argparse.Namespace) -> str:
        if self.nested:
            return '/clusters/%s/%s' % (api.quote(args.cluster), self.plural)
        return '/' + self.plural

    def item(self, args: argparse.Namespace, ident: str) -> str:
        return '%s/%s' % (self.collection(args), api.quote(ident))

    def add_arguments(self, parser: argparse.ArgumentParser,
                      update: bool) -> None:
        """The options of the writable fields (create and set)."""

    def body(self, client: api.Client, args: argparse.Namespace,
             update: bool) -> dict[str, Any]:
        """The request body built from the parsed options."""
        return {}

    def add_filters(self, parser: argparse.ArgumentParser) -> None:
        """The filter options of ``list``."""


def add_cluster_option(parser: argparse.ArgumentParser,
                       resource: Resource) -> None:
    if resource.nested:
        parser.add_argument('--cluster', metavar='CLUSTER', required=True,
                            help='The cluster (name or UUID) the %s '
                                 'belongs to.' % resource.name)


def set_if(body: dict[str, Any], field: str, value: Any) -> None:
    """Put ``value`` in ``body`` unless it was not given (None)."""
    if value is not None:
        body[field] = value


class ClientCommand(command.Command):
    """Base of every ``trellis`` command: API errors end as messages."""

    @property
    def client(self) -> api.Client:
        return self.app.client

    def run(self, parsed_args: argparse.Namespace) -> int:
        try:
            return super().run(parsed_args)
        except exceptions.ClientError as exc:
            self.app.report_error(exc)
            return exc.exit_code


class ClientShow(ClientCommand, show.ShowOne):
    """Base of the commands that print one object."""

    hidden: tuple[str, ...] = ()

    def show_item(self, item: dict[str, Any]) -> tuple[tuple, tuple]:
        """``(fields, values)`` of an object, fields sorted (OSC style)."""
        fields = tuple(sorted(k for k in item if k not in self.hidden))
        return fields, tuple(cell(item[k]) for k in fields)


class ClientLister(ClientCommand, lister.Lister):
    """Base of the commands that print a table."""

    def rows(self, items: Iterable[dict[str, Any]], fields: Sequence[str],
             cells: dict[str, type] | None = None
             ) -> tuple[tuple, list[tuple]]:
        """``(titles, rows)`` of ``items`` for the given fields."""
        cells = cells or {}
        rows = []
        for item in items:
            row = []
            for field in fields:
                value = item.get(field)
                if field in cells and value is not None:
                    value = cells[field](value)
                row.append(cell(value))
            rows.append(tuple(row))
        return tuple(title(f) for f in fields), rows


def add_paging_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--limit', metavar='N', type=int,
        help='Read one page of at most N items (the API allows 1000); '
             'without --limit or --marker every page is read.')
    parser.add_argument(
        '--marker', metavar='UUID',
        help='Start after the item with this UUID (the last one of the '
             'previous page).')
    parser.add_argument(
        '--sort-key', metavar='FIELD',
        help='Sort on the server by this field.')
    parser.add_argument(
        '--sort-dir', choices=('asc', 'desc'),
        help='Sort direction on the server (with --sort-key).')


def paging_params(args: argparse.Namespace) -> tuple[dict[str, Any], bool]:
    """The list query parameters and whether to read every page."""
    params = {'limit': args.limit, 'marker': args.marker,
              'sort_key': args.sort_key, 'sort_dir': args.sort_dir}
    return params, args.limit is None and args.marker is None


class Create(ClientShow):
    resource: Resource

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME',
                            help='Name of the new %s.' % self.resource.name)
        add_cluster_option(parser, self.resource)
        self.resource.add_arguments(parser, update=False)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        body = self.resource.body(self.client, parsed_args, update=False)
        body['name'] = parsed_args.name
        item = self.client.post(self.resource.collection(parsed_args), body)
        return self.show_item(item)


class List(ClientLister):
    resource: Resource

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        add_cluster_option(parser, self.resource)
        parser.add_argument('--long', action='store_true',
                            help='Show more columns.')
        self.resource.add_filters(parser)
        add_paging_options(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        resource = self.resource
        params, all_pages = paging_params(parsed_args)
        for dest, param in resource.filters.items():
            params[param] = getattr(parsed_args, dest, None)
        items = self.client.list(resource.collection(parsed_args),
                                 resource.plural, params, all_pages)
        fields = resource.list_columns
        if parsed_args.long:
            fields += resource.long_columns
        return self.rows(items, fields, resource.list_cells)


class Show(ClientShow):
    resource: Resource

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('ident', metavar=self.resource.name.upper(),
                            help='Name or UUID of the %s.'
                                 % self.resource.name)
        add_cluster_option(parser, self.resource)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        item = self.client.get(self.resource.item(parsed_args,
                                                  parsed_args.ident))
        return self.show_item(item)


class Set(ClientShow):
    resource: Resource

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('ident', metavar=self.resource.name.upper(),
                            help='Name or UUID of the %s.'
                                 % self.resource.name)
        add_cluster_option(parser, self.resource)
        parser.add_argument('--name', metavar='NAME', dest='new_name',
                            help='Rename the %s.' % self.resource.name)
        self.resource.add_arguments(parser, update=True)
        if self.resource.unsettable:
            parser.add_argument(
                '--unset', metavar='FIELD', action='append', default=[],
                choices=self.resource.unsettable,
                help='Clear an optional field (repeatable): %s.'
                     % ', '.join(self.resource.unsettable))
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        body = self.resource.body(self.client, parsed_args, update=True)
        set_if(body, 'name', parsed_args.new_name)
        for field in getattr(parsed_args, 'unset', []):
            if field in body:
                raise exceptions.ClientError(
                    'Field %s is both set and unset.' % field)
            body[field] = None
        if not body:
            raise exceptions.ClientError('Nothing to change: give at least '
                                         'one option.')
        item = self.client.patch(self.resource.item(parsed_args,
                                                    parsed_args.ident),
                                 body)
        return self.show_item(item)


class Delete(ClientCommand):
    resource: Resource

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('idents', metavar=self.resource.name.upper(),
                            nargs='+',
                            help='Name or UUID of the %s(s) to delete.'
                                 % self.resource.name)
        add_cluster_option(parser, self.resource)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        failed = 0
        for ident in parsed_args.idents:
            try:
                self.client.delete(self.resource.item(parsed_args, ident))
            except exceptions.APIError as exc:
                failed += 1
                self.app.report_error(exc)
        if failed:
            raise exceptions.ClientError(
                '%d of %d %s failed to delete.' % (
                    failed, len(parsed_args.idents),
                    self.resource.plural if len(parsed_args.idents) > 1
                    else self.resource.name))
        return 0
