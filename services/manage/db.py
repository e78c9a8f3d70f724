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


"""``trellis-manage db sync`` and ``trellis-manage db version``.

Both work on the database of ``[database] connection``; its URL is only
ever shown with the password masked.
"""

import argparse

from alembic.util import exc as alembic_exc
from cliff import command
from oslo_db import exception as db_exc
from oslo_log import log
import sqlalchemy as sa

from trellis.common import exception
from trellis.common.conf import CONF
from trellis.common.db.sqlalchemy import migration
from trellis.common.i18n import _

LOG = log.getLogger(__name__)


class DatabaseError(exception.TrellisException):
    _msg_fmt = _('Database %(url)s: %(error)s')
    code = 500


def masked_url(url: str | None = None) -> str:
    """The database URL (default: ``[database] connection``), no password.

    An unparsable URL is not shown at all: it may hold a password in a
    place the parser did not recognise.
    """
    url = CONF.database.connection if url is None else url
    if not url:
        return '(none)'
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:
        return '(unparsable URL)'


def _db_error(exc: Exception) -> DatabaseError:
    # oslo.db's messages quote the driver's error, never the URL; mask
    # the URL anyway in case a driver does.
    error = str(exc) or type(exc).__name__
    url = CONF.database.connection or ''
    if url:
        error = error.replace(url, masked_url(url))
    return DatabaseError(url=masked_url(), error=error)


class DbSync(command.Command):
    """Create or upgrade the database schema (to the newest by default)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--revision', metavar='REV', default='head',
            help='The alembic revision to upgrade to (default: head).')
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        url = masked_url()
        try:
            before = migration.version()
            reached = migration.upgrade(parsed_args.revision)
        except db_exc.DBError as exc:
            raise _db_error(exc) from exc
        except alembic_exc.CommandError as exc:
            # An unknown revision, or a database stamped with a revision
            # this Trellis does not know (a newer release).
            raise DatabaseError(url=url, error=str(exc)) from exc
        LOG.info('Database %(url)s upgraded from %(before)s to %(after)s',
                 {'url': url, 'before': before, 'after': reached})
        self.app.stdout.write(
            _('Database %(url)s is at revision %(rev)s%(head)s.\n') % {
                'url': url, 'rev': reached,
                'head': _(' (head)') if reached == migration.head() else ''})
        return 0


class DbVersion(command.Command):
    """Show the schema revision of the database."""

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        try:
            current = migration.version()
        except db_exc.DBError as exc:
            raise _db_error(exc) from exc
        if current is None:
            self.app.stdout.write(
                _('Database %s is not initialised; run '
                  '"trellis-manage db sync".\n') % masked_url())
        else:
            self.app.stdout.write('%s\n' % current)
        return 0
