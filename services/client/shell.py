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

"""``trellis``: the operator CLI of the Trellis REST API (cliff).

Commands are the entry points of the ``trellis.cli`` namespace
(``cluster_list`` is ``trellis cluster list``). The endpoint and the
credentials come from the options below, the environment or the client
config file (see ``config``). An API error prints the API's message (and
the request id) on stderr and exits 1; ``--debug`` also logs every
request and its request id.
"""

import argparse
import logging
import sys
from typing import Any
from typing import TextIO

from cliff import app
from cliff import commandmanager

from trellis.common import version
from trellis.services.client import api
from trellis.services.client import config
from trellis.services.client import exceptions

COMMAND_NAMESPACE = 'trellis.cli'


class TrellisShell(app.App):
    """trellis: manage Trellis clusters, hosts, networks, roles and labs."""

    def __init__(self, stdin: TextIO | None = None,
                 stdout: TextIO | None = None,
                 stderr: TextIO | None = None,
                 environ: dict[str, str] | None = None) -> None:
        super().__init__(
            description='Manage Trellis clusters, hosts, networks, roles, '
                        'versions and lab files through the REST API.',
            version=version.version_string(),
            command_manager=commandmanager.CommandManager(COMMAND_NAMESPACE),
            stdin=stdin, stdout=stdout, stderr=stderr,
            deferred_help=True)
        self.environ = environ
        self._client: api.Client | None = None

    def build_option_parser(self, description: str | None,
                            version: str | None,
                            argparse_kwargs: dict | None = None
                            ) -> argparse.ArgumentParser:
        parser = super().build_option_parser(description, version,
                                             argparse_kwargs)
        group = parser.add_argument_group(
            'API endpoint and credentials',
            'Each defaults to its environment variable, then to the client '
            'config file (%s, ~/.config/%s).' % (config.CONFIG_ENV,
                                                 config.FILE_NAME))
        group.add_argument('--url', metavar='URL',
                           help='The Trellis API, e.g. http://host:6385 '
                                '(TRELLIS_URL).')
        group.add_argument('--username', metavar='USER',
                           help='HTTP basic user (TRELLIS_USERNAME).')
        group.add_argument('--password', metavar='PASSWORD',
                           help='HTTP basic password (TRELLIS_PASSWORD; '
                                'prefer the variable or the file: options '
                                'show in the process list).')
        group.add_argument('--token', '--os-token', metavar='TOKEN',
                           help='A Keystone token (OS_TOKEN).')
        group.add_argument('--os-cloud', metavar='NAME',
                           help='The cloud of the client config file to use '
                                '(%s).' % config.CLOUD_ENV)
        group.add_argument('--client-config', metavar='PATH',
                           help='The client config file (%s).'
                                % config.CONFIG_ENV)
        group.add_argument('--cacert', metavar='PATH',
                           help='CA bundle to verify the API\'s TLS '
                                'certificate (TRELLIS_CACERT).')
        group.add_argument('--insecure', action='store_true', default=None,
                           help='Do not verify the TLS certificate '
                                '(TRELLIS_INSECURE).')
        group.add_argument('--timeout', metavar='SECONDS', type=float,
                           help='Seconds to wait for each answer '
                                '(default 60).')
        return parser

    def configure_logging(self) -> None:
        """cliff's console logging; ``--debug`` shows the request log."""
        super().configure_logging()
        if self.options.debug:
            for handler in logging.getLogger('').handlers:
                handler.setLevel(logging.DEBUG)
        # Their debug lines say nothing the request log does not.
        for name in ('urllib3', 'stevedore'):
            logging.getLogger(name).setLevel(logging.WARNING)

    @property
    def client(self) -> api.Client:
        """The API client, made on first use from the options."""
        if self._client is None:
            warnings: list[str] = []
            settings = config.resolve(self.options, self.environ,
                                      warnings=warnings)
            for warning in warnings:
                self.stderr.write('WARNING: %s\n' % warning)
            self._client = api.Client(settings)
        return self._client

    def report_error(self, exc: Exception) -> None:
        """Print an error for the operator (no traceback)."""
        self.stderr.write('%s\n' % exc)
        self.stderr.flush()

    def info(self, message: str) -> None:
        """A note on stderr (stdout keeps only the command's output)."""
        if self.options.verbose_level >= 1:
            self.stderr.write('%s\n' % message)

    def clean_up(self, cmd: Any, result: int,
                 err: BaseException | None) -> None:
        if self._client is not None:
            self._client.session.close()


def main(argv: list[str] | None = None) -> int:
    """Run one ``trellis`` command; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        return TrellisShell().run(argv)
    except exceptions.ClientError as exc:
        sys.stderr.write('%s\n' % exc)
        return exc.exit_code
