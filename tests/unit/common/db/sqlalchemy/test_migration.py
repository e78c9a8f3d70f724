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


"""Tests of the migrations: they build exactly the models' schema."""

from alembic.util import exc as alembic_exc
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_migrations
import sqlalchemy as sa

from tests import base
from tests.unit.common.db import base as db_base
from trellis.common.db.sqlalchemy import migration
from trellis.common.db.sqlalchemy import models

INITIAL = 'f6b1c0a1d2e3'
# The newest revision: hosts.bmc_port.
HEAD = 'a3c9e2f4b7d1'


def _sqlite_engine() -> sa.engine.Engine:
    # A private in-memory database, with foreign keys enforced as oslo.db
    # does for Trellis.
    engine = sa.create_engine('sqlite://', poolclass=sa.pool.StaticPool)

    @sa.event.listens_for(engine, 'connect')
    def _fk(dbapi_connection, record):
        dbapi_connection.execute('PRAGMA foreign_keys=ON')

    return engine


class TestModelsMigrationsSync(test_migrations.ModelsMigrationsSync,
                               base.TestCase):
    """The alembic migrations and the models describe the same schema."""

    def setUp(self):
        super().setUp()
        self.engine = _sqlite_engine()
        self.addCleanup(self.engine.dispose)

    def get_engine(self):
        return self.engine

    def get_metadata(self):
        return models.Base.metadata

    def db_sync(self, engine):
        migration.upgrade('head', engine)


class TestMigration(base.TestCase):

    def setUp(self):
        super().setUp()
        self.engine = _sqlite_engine()
        self.addCleanup(self.engine.dispose)

    def _tables(self):
        return set(sa.inspect(self.engine).get_table_names())

    def test_fresh_database_has_no_version(self):
        self.assertIsNone(migration.version(self.engine))
        self.assertEqual(set(), self._tables())

    def test_head_is_the_newest_revision(self):
        self.assertEqual(HEAD, migration.head())

    def test_upgrade(self):
        self.assertEqual(HEAD, migration.upgrade('head', self.engine))
        self.assertEqual(HEAD, migration.version(self.engine))
        self.assertEqual(
            set(models.Base.metadata.tables) | {'alembic_version'},
            self._tables())
        # Idempotent: a second run changes nothing.
        self.assertEqual(HEAD, migration.upgrade(None, self.engine))

    def test_upgrade_from_initial_adds_bmc_port(self):
        migration.upgrade(INITIAL, self.engine)
        columns = {c['name'] for c in
                   sa.inspect(self.engine).get_columns('hosts')}
        self.assertNotIn('bmc_port', columns)
        self.assertEqual(HEAD, migration.upgrade('head', self.engine))
        columns = {c['name'] for c in
                   sa.inspect(self.engine).get_columns('hosts')}
        self.assertIn('bmc_port', columns)

    def test_upgrade_to_unknown_revision_fails(self):
        self.assertRaises(alembic_exc.CommandError, migration.upgrade, 'nope',
                          self.engine)
        self.assertIsNone(migration.version(self.engine))

    def test_stamp(self):
        migration.stamp(INITIAL, self.engine)
        self.assertEqual(INITIAL, migration.version(self.engine))
        self.assertEqual({'alembic_version'}, self._tables())

    def test_create_schema(self):
        migration.create_schema(self.engine)
        self.assertEqual(HEAD, migration.version(self.engine))
        self.assertIn('hosts', self._tables())
        self.assertRaises(db_exc.DBMigrationError, migration.create_schema,
                          self.engine)


class TestMigrationOnConfiguredDatabase(base.TestCase):
    """Without an engine, the migrations run on the enginefacade's."""

    def setUp(self):
        super().setUp()
        manager = enginefacade.transaction_context()
        manager.configure(connection='sqlite://', sqlite_fk=True)
        self.addCleanup(
            enginefacade._context_manager.patch_factory(manager))
        self.engine = manager.writer.get_engine()
        self.addCleanup(self.engine.dispose)
        self.engine.dispose()

    def test_upgrade_and_version(self):
        self.assertIsNone(migration.version())
        self.assertEqual(HEAD, migration.upgrade())
        self.assertEqual(HEAD, migration.version(self.engine))
        self.assertIn('interfaces', sa.inspect(self.engine).get_table_names())


class TestFixtureSchema(db_base.DbTestCase):
    """The cached schema of the unit tests is the migrated one."""

    def test_fixture_database_is_at_head(self):
        self.assertEqual(HEAD, migration.version(self.database.engine))
