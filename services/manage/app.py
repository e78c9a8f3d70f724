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

"""The ``trellis-manage`` application (cliff, the OpenStackClient framework).

The contract every command relies on: by the time ``take_action`` runs,
``trellis.common.conf.CONF`` is loaded from ``--config-file`` /
``--config-dir`` (or the default ``trellis.conf`` locations) and oslo.log
is set up. Log records go to stderr (or to ``[DEFAULT] log_file``), never
to stdout, so ``-f json`` output stays parseable.

Errors: a ``TrellisException`` prints its message on stderr and the
command exits 1, without a traceback unless ``--debug`` is given.
"""

import argparse
import logging
import sys
from typing import Any
from typing import TextIO

from cliff import app
from cliff import commandmanager
from oslo_log import log

from trellis.common import rpc
from trellis.common import version
from trellis.common.conf import CONF
from trellis.common.conf import opts

COMMAND_NAMESPACE = 'trellis.manage.commands'
# Where cliff reports a failed command (message only, or the traceback
# with --debug). It has its own handler so that it keeps working after
# oslo.log has rebuilt the root logger's handlers.
ERROR_LOGGER = 'trellis.manage'


class TrellisManage(app.App):
    """trellis-manage: Trellis admin commands over RPC and etcd."""

    LOG = logging.getLogger(ERROR_LOGGER)

    def __init__(self, stdin: TextIO | None = None,
                 stdout: TextIO | None = None,
                 stderr: TextIO | None = None) -> None:
        super().__init__(
            description='Trellis admin commands: services (over RPC and '
                        'etcd) and the database.',
            version=version.version_string(),
            command_manager=commandmanager.CommandManager(COMMAND_NAMESPACE),
            stdin=stdin, stdout=stdout, stderr=stderr,
            deferred_help=True)

    def build_option_parser(self, description: str | None,
                            version: str | None,
                            argparse_kwargs: dict | None = None
                            ) -> argparse.ArgumentParser:
        parser = super().build_option_parser(description, version,
                                             argparse_kwargs)
        parser.add_argument(
            '--config-file', action='append', default=[],
            metavar='PATH', dest='config_file',
            help='A Trellis configuration file; may be repeated, later '
                 'files override earlier ones. Default: the standard '
                 'locations of trellis.conf (e.g. /etc/trellis/).')
        parser.add_argument(
            '--config-dir', metavar='DIR', dest='config_dir',
            help='A directory of *.conf files, read after the '
                 '--config-file ones.')
        return parser

    def _console_level(self) -> int:
        if self.options.debug or self.options.verbose_level >= 3:
            return logging.DEBUG
        if self.options.verbose_level == 2:
            return logging.INFO
        return logging.WARNING

    def configure_logging(self) -> None:
        """Report command errors on stderr; the rest waits for oslo.log."""
        handler = logging.StreamHandler(self.stderr)
        handler.setFormatter(logging.Formatter(self.CONSOLE_MESSAGE_FORMAT))
        self.LOG.handlers[:] = [handler]
        self.LOG.setLevel(logging.DEBUG)
        self.LOG.propagate = False

    def initialize_app(self, argv: list[str]) -> None:
        """Load ``CONF`` and set up logging before any command runs."""
        if self.options.deferred_help:
            return
        load_config(self.options.config_file, self.options.config_dir,
                    debug=self.options.debug)
        if self.options.log_file:
            # cliff's --log-file: the oslo.log file of this command.
            CONF.set_override('log_file', self.options.log_file)
        setup_logging(self._console_level(), self.stderr)

    def clean_up(self, cmd: Any, result: int,
                 err: BaseException | None) -> None:
        """Release the message bus connections a command may have made."""
        if rpc.initialized():
            rpc.cleanup()


def load_config(config_files: list[str], config_dir: str | None = None,
                debug: bool = False) -> None:
    """Parse the Trellis configuration into ``CONF`` (no CLI options).

    With no ``config_files`` and no ``config_dir``, oslo.config's default
    locations of ``trellis.conf`` are used.
    """
    log.register_options(CONF)
    opts.update_opt_defaults()
    args = []
    for path in config_files:
        args += ['--config-file', path]
    if config_dir:
        args += ['--config-dir', config_dir]
    CONF(args, project='trellis', prog='trellis-manage',
         version=version.version_string())
    if debug:
        CONF.set_override('debug', True)


def setup_logging(console_level: int, stream: TextIO | None = None) -> None:
    """oslo.log from ``CONF``, with console output moved to stderr.

    oslo.log logs to stdout when no log file is configured; a CLI must
    keep stdout for its results, so console handlers are replaced by one
    on stderr at ``console_level`` (WARNING unless -v or --debug).
    File, syslog and journal handlers are kept.
    """
    log.setup(CONF, 'trellis')
    root = logging.getLogger()
    for handler in list(root.handlers):
        if (isinstance(handler, logging.StreamHandler)
                and not isinstance(handler, logging.FileHandler)):
            root.removeHandler(handler)
    console = logging.StreamHandler(stream or sys.stderr)
    console.setLevel(console_level)
    console.setFormatter(logging.Formatter(
        '%(levelname)s %(name)s: %(message)s'))
    root.addHandler(console)


def main(argv: list[str] | None = None) -> int:
    """Run one trellis-manage command; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    return TrellisManage().run(argv)
