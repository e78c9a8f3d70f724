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

"""``trellis lab import FILES...`` and ``trellis lab export``.

Import sends the files' text to ``POST /v1/labs/import`` (Daisy's
``deploy.yml``/``network.yml``, TripleO/Bifrost ``nodes`` JSON) and
prints the change report; ``--dry-run`` shows what would change. Export
writes the files ``GET /v1/labs/export`` returns into ``--output-dir``
(or prints them).
"""

import argparse
import os
from typing import Any

from trellis.services.client import exceptions
from trellis.services.client.v1 import base

EXPORT_FORMATS = ('daisy', 'tripleo')
# Change report columns shown first, in this order.
FIRST_COLUMNS = ('action', 'resource', 'name')


def read_files(paths: list[str]) -> list[dict[str, str]]:
    """``[{"name": base name, "content": text}]`` of the files given."""
    files = []
    for path in paths:
        try:
            with open(path, encoding='utf-8') as f:
                content = f.read()
        except OSError as exc:
            raise exceptions.ClientError('Cannot read %s: %s'
                                         % (path, exc.strerror)) from exc
        except UnicodeDecodeError as exc:
            raise exceptions.ClientError('%s is not UTF-8 text: %s'
                                         % (path, exc)) from exc
        files.append({'name': os.path.basename(path), 'content': content})
    names = [f['name'] for f in files]
    if len(set(names)) != len(names):
        raise exceptions.ClientError('Two files have the same name: %s'
                                     % ', '.join(names))
    return files


def report_columns(changes: list[dict[str, Any]]) -> tuple[str, ...]:
    """Every key of the changes, ``action, resource, name`` first."""
    keys: list[str] = [k for k in FIRST_COLUMNS
                       if any(k in c for c in changes)]
    for change in changes:
        for key in change:
            if key not in keys:
                keys.append(key)
    return tuple(keys)


class ImportLab(base.ClientLister):
    """Import lab description files into one cluster (idempotent)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('files', metavar='FILE', nargs='+',
                            help='deploy.yml and network.yml (Daisy), or '
                                 'a TripleO/Bifrost nodes JSON file.')
        parser.add_argument('--dry-run', action='store_true',
                            help='Validate and show what would change; '
                                 'change nothing.')
        parser.add_argument('--lab-format', dest='lab_format',
                            choices=EXPORT_FORMATS,
                            help='The files\' format (default: detected; '
                                 'a JSON file is tripleo).')
        parser.add_argument('--cluster', metavar='NAME',
                            help='Import into this cluster instead of the '
                                 'one the files name.')
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        body: dict[str, Any] = {'files': read_files(parsed_args.files),
                                'dry_run': parsed_args.dry_run}
        base.set_if(body, 'format', parsed_args.lab_format)
        base.set_if(body, 'cluster', parsed_args.cluster)
        report = self.client.post('/labs/import', body)
        if not isinstance(report, dict):
            return ('Result',), [(str(report),)]
        show_warnings(self.app, report)
        cluster = report.get('cluster')
        if isinstance(cluster, dict):
            cluster = cluster.get('name') or cluster.get('uuid')
        changes = report.get('changes')
        if isinstance(changes, list) and all(isinstance(c, dict)
                                             for c in changes):
            self.app.info('%s cluster %s: %d change(s).' % (
                'Dry run,' if report.get('dry_run', parsed_args.dry_run)
                else 'Imported into', cluster, len(
                    [c for c in changes
                     if c.get('action') not in (None, 'unchanged')])))
            return self.rows(changes, report_columns(changes))
        # A report of another shape: field/value rows.
        return ('Field', 'Value'), [(k, base.cell(v))
                                    for k, v in sorted(report.items())]


def show_warnings(app: Any, body: Any) -> None:
    """The ``warnings`` of an import or export answer, on stderr."""
    warnings = body.get('warnings') if isinstance(body, dict) else None
    for warning in warnings or []:
        app.stderr.write('WARNING: %s\n' % warning)


def export_files(body: Any, text: str, fmt: str) -> list[dict[str, str]]:
    """The files of an export answer: ``{"files": [...]}`` or raw text."""
    if isinstance(body, dict) and isinstance(body.get('files'), list):
        return [{'name': str(f['name']), 'content': str(f['content'])}
                for f in body['files']]
    if isinstance(body, dict) and isinstance(body.get('files'), dict):
        return [{'name': str(k), 'content': str(v)}
                for k, v in body['files'].items()]
    name = 'nodes.json' if fmt == 'tripleo' else 'deploy.yml'
    return [{'name': name, 'content': text}]


class ExportLab(base.ClientCommand):
    """Export a cluster as lab description files."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('--cluster', metavar='CLUSTER', required=True,
                            help='The cluster (name or UUID).')
        parser.add_argument('--format', dest='lab_format',
                            choices=EXPORT_FORMATS, default='daisy',
                            help='daisy (deploy.yml + network.yml) or '
                                 'tripleo (nodes JSON). Default: daisy.')
        parser.add_argument('--include-secrets', action='store_true',
                            help='Write the BMC passwords into the files '
                                 '(admin only); without it each is a '
                                 'placeholder that an import keeps.')
        parser.add_argument('--output-dir', metavar='DIR',
                            help='Write the files here (created if '
                                 'needed); without it they are printed.')
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        response = self.client.request(
            'GET', '/labs/export',
            params={'cluster': parsed_args.cluster,
                    'format': parsed_args.lab_format,
                    'include_secrets': 'true' if parsed_args.include_secrets
                    else None})
        try:
            body = response.json()
        except ValueError:
            body = None
        show_warnings(self.app, body)
        files = export_files(body, response.text, parsed_args.lab_format)
        if parsed_args.output_dir:
            self._write(files, parsed_args.output_dir)
        else:
            for f in files:
                if len(files) > 1:
                    self.app.stdout.write('# ==> %s <==\n' % f['name'])
                self.app.stdout.write(f['content'])
                if not f['content'].endswith('\n'):
                    self.app.stdout.write('\n')
        return 0

    def _write(self, files: list[dict[str, str]], directory: str) -> None:
        try:
            os.makedirs(directory, exist_ok=True)
            for f in files:
                name = os.path.basename(f['name'])
                if name in ('', '.', '..'):
                    raise exceptions.ClientError(
                        'The API returned a bad file name %r.' % f['name'])
                path = os.path.join(directory, name)
                # The files may hold BMC passwords: owner only.
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                             0o600)
                with os.fdopen(fd, 'w', encoding='utf-8') as out:
                    out.write(f['content'])
                self.app.stdout.write('%s\n' % path)
        except OSError as exc:
            raise exceptions.ClientError('Cannot write into %s: %s'
                                         % (directory, exc)) from exc
