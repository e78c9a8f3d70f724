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


"""``trellis-manage db sync`` / ``db version`` on SQLite and MariaDB.

The commands run as real subprocesses with a configuration file, as an
operator runs them; MariaDB is the private server of
``tests.functional.fixtures``. The MariaDB schema is also compared with
the models, column types included.
"""

import os
import subprocess
import sys

import fixtures
from oslo_db.sqlalchemy import test_migrations
import sqlalchemy as sa
from testtools import content

from tests import base
from tests.functional import fixtures as trellis_fixtures
from trellis.common.db.sqlalchemy import migration
from trellis.common.db.sqlalchemy import models

HEAD = 'a3c9e2f4b7d1'
COMMAND_TIMEOUT = 120


def _manage_path() -> str:
    path = os.path.join(os.path.dirname(sys.executable), 'trellis-manage')
    if not os.path.exists(path):
        raise RuntimeError('trellis-manage is not installed next to %s'
                           % sys.executable)
    return path



class ManageDbTests:
    """The db commands against ``self.url``; subclasses set the URL up."""

    url: str
    password: str | None = None

    def manage(self, *args: str, url: str | None = None,
               **database) -> subprocess.CompletedProcess:
        tempdir = self.useFixture(fixtures.TempDir()).path
        database['connection'] = url or self.url
        conf = self.useFixture(trellis_fixtures.ConfigFileFixture(
            tempdir, DEFAULT={'log_dir': tempdir}, database=database))
        result = subprocess.run(
            [_manage_path(), '--config-file', conf.path] + list(args),
            capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
            stdin=subprocess.DEVNULL)
        self._runs = getattr(self, '_runs', 0) + 1
        name = '%d: trellis-manage %s' % (self._runs, ' '.join(args))
        self.addDetail(name + ' stdout', content.text_content(result.stdout))
        self.addDetail(name + ' stderr', content.text_content(result.stderr))
        if self.password:
            self.assertNotIn(self.password, result.stdout + result.stderr)
        return result

    def engine(self) -> sa.engine.Engine:
        engine = sa.create_engine(self.url)
        self.addCleanup(engine.dispose)
        return engine

    def test_version_sync_version(self):
        result = self.manage('db', 'version')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('is not initialised', result.stdout)
        self.assertIn('trellis-manage db sync', result.stdout)

        result = self.manage('db', 'sync')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('is at revision %s (head).' % HEAD, result.stdout)

        result = self.manage('db', 'version')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(HEAD + '\n', result.stdout)

        engine = self.engine()
        self.assertEqual(HEAD, migration.version(engine))
        self.assertEqual(set(models.Base.metadata.tables) |
                         {'alembic_version'},
                         set(sa.inspect(engine).get_table_names()))

    def test_sync_is_idempotent(self):
        for _ in range(2):
            result = self.manage('db', 'sync', '--revision', HEAD)
            self.assertEqual(0, result.returncode, result.stderr)
            self.assertIn(HEAD, result.stdout)

    def test_unknown_revision(self):
        result = self.manage('db', 'sync', '--revision', 'deadbeef0000')
        self.assertEqual(1, result.returncode)
        self.assertIn("Can't locate revision identified by 'deadbeef0000'",
                      result.stderr)
        self.assertNotIn('Traceback', result.stderr)
        self.assertIsNone(migration.version(self.engine()))


class TestManageDbSQLite(ManageDbTests, base.TestCase):

    def setUp(self):
        super().setUp()
        tempdir = self.useFixture(fixtures.TempDir()).path
        self.url = 'sqlite:///%s' % os.path.join(tempdir, 'trellis.sqlite')


class TestManageDbMariaDB(ManageDbTests, base.TestCase):

    def setUp(self):
        super().setUp()
        self.url = self.useFixture(trellis_fixtures.MariaDBFixture()).url
        self.password = sa.engine.make_url(self.url).password
        self.assertTrue(self.password)

    def test_url_is_masked(self):
        result = self.manage('db', 'sync')
        self.assertEqual(0, result.returncode, result.stderr)
        masked = sa.engine.make_url(self.url).render_as_string(
            hide_password=True)
        self.assertIn('Database %s is at revision' % masked, result.stdout)

    def test_tables_are_innodb_utf8mb4(self):
        self.assertEqual(0, self.manage('db', 'sync').returncode)
        engine = self.engine()
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                'SELECT table_name, engine, table_collation '
                'FROM information_schema.tables '
                'WHERE table_schema = DATABASE()')).all()
        tables = {row[0]: row for row in rows}
        for name in models.Base.metadata.tables:
            self.assertEqual('InnoDB', tables[name][1], name)
            self.assertTrue(tables[name][2].startswith('utf8mb4'), name)

    def test_unreachable_database(self):
        port = trellis_fixtures.servers.free_port()
        url = sa.engine.make_url(self.url).set(port=port)
        url = url.render_as_string(hide_password=False)
        result = self.manage('db', 'version', url=url, max_retries=0)
        self.assertEqual(1, result.returncode)
        self.assertIn("Can't connect to", result.stderr)
        self.assertIn(':***@', result.stderr)
        self.assertNotIn('Traceback', result.stderr)


class TestModelsMigrationsSyncMariaDB(test_migrations.ModelsMigrationsSync,
                                      base.TestCase):
    """On MariaDB the migrated schema equals the models, types included."""

    def setUp(self):
        super().setUp()
        url = self.useFixture(trellis_fixtures.MariaDBFixture()).url
        self.engine = sa.create_engine(url)
        self.addCleanup(self.engine.dispose)

    def get_engine(self):
        return self.engine

    def get_metadata(self):
        return models.Base.metadata

    def db_sync(self, engine):
        migration.upgrade('head', engine)
