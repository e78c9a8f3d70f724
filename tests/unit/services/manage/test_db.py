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


"""Tests of ``trellis-manage db sync`` and ``db version``."""

import argparse
import io
from unittest import mock

import fixtures
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade

from tests import base
from trellis.common.db.sqlalchemy import migration
from trellis.services.manage import db

URL = 'mysql+pymysql://trellis:s3cret-pw@db.example.org:3306/trellis'
MASKED = 'mysql+pymysql://trellis:***@db.example.org:3306/trellis'


class EmptyDatabase(fixtures.Fixture):
    """An empty in-memory SQLite database behind enginefacade."""

    def _setUp(self) -> None:
        manager = enginefacade.transaction_context()
        manager.configure(connection='sqlite://', sqlite_fk=True)
        self.addCleanup(enginefacade._context_manager.patch_factory(manager))
        self.engine = manager.writer.get_engine()
        self.addCleanup(self.engine.dispose)


class TestMaskedUrl(base.TestCase):

    def test_password_is_masked(self):
        self.assertEqual(MASKED, db.masked_url(URL))

    def test_configured_url(self):
        self.config(connection=URL, group='database')
        self.assertEqual(MASKED, db.masked_url())

    def test_url_without_password(self):
        self.assertEqual('sqlite:////var/lib/trellis/trellis.sqlite',
                         db.masked_url(
                             'sqlite:////var/lib/trellis/trellis.sqlite'))

    def test_unparsable_url_is_not_shown(self):
        self.assertEqual('(unparsable URL)', db.masked_url('::pw@x'))


class CommandTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        # The URL shown; the commands really run on EmptyDatabase.
        self.config(connection=URL, group='database')
        self.database = self.useFixture(EmptyDatabase())
        self.app = mock.Mock(stdout=io.StringIO())

    def run_command(self, cls, *argv):
        cmd = cls(self.app, None)
        parsed = cmd.get_parser('trellis-manage').parse_args(list(argv))
        self.assertEqual(0, cmd.take_action(parsed))
        return self.app.stdout.getvalue()


class TestDbVersion(CommandTestCase):

    def test_not_initialised(self):
        out = self.run_command(db.DbVersion)
        self.assertEqual('Database %s is not initialised; run '
                         '"trellis-manage db sync".\n' % MASKED, out)

    def test_current_revision(self):
        migration.upgrade('head', self.database.engine)
        self.assertEqual(migration.head() + '\n',
                         self.run_command(db.DbVersion))

    def test_database_error_is_an_operator_error_without_password(self):
        error = db_exc.DBConnectionError(Exception('cannot reach %s' % URL))
        self.useFixture(fixtures.MockPatchObject(
            migration, 'version', side_effect=error))
        exc = self.assertRaises(db.DatabaseError, self.run_command,
                                db.DbVersion)
        self.assertNotIn('s3cret-pw', str(exc))
        self.assertEqual('Database %s: cannot reach %s' % (MASKED, MASKED),
                         str(exc))


class TestDbSync(CommandTestCase):

    def test_sync_to_head(self):
        out = self.run_command(db.DbSync)
        self.assertEqual('Database %s is at revision %s (head).\n'
                         % (MASKED, migration.head()), out)
        self.assertEqual(migration.head(),
                         migration.version(self.database.engine))

    def test_sync_to_revision(self):
        head = migration.head()
        out = self.run_command(db.DbSync, '--revision', head)
        self.assertIn('revision %s' % head, out)

    def test_default_revision_is_head(self):
        parser = db.DbSync(self.app, None).get_parser('x')
        self.assertEqual('head', parser.parse_args([]).revision)
        self.assertIsInstance(parser, argparse.ArgumentParser)

    def test_unknown_revision(self):
        exc = self.assertRaises(db.DatabaseError, self.run_command,
                                db.DbSync, '--revision', 'nope')
        self.assertIn("Can't locate revision identified by 'nope'",
                      str(exc))
        self.assertIn(MASKED, str(exc))
        self.assertIsNone(migration.version(self.database.engine))
