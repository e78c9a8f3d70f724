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


"""Base of the database unit tests: a real schema on in-memory SQLite.

As in ironic's ``Database`` fixture, the schema is built once per test
process by the real alembic migrations, dumped to SQL, and replayed into
a fresh in-memory database before every test, so each test starts from
an empty, fully migrated database in a few milliseconds.
"""

import fixtures
from oslo_db.sqlalchemy import enginefacade

from tests import base
from trellis.common import context as trellis_context
from trellis.common.db import api as db_api
from trellis.common.db.sqlalchemy import migration

_MANAGER = None
_SCHEMA_SQL = None


def _manager():
    """A transaction factory of its own on ``sqlite://`` (one per process).

    Patched in place of the global enginefacade factory for each test, so
    the tests never touch the configured ``[database] connection``.
    """
    global _MANAGER
    if _MANAGER is None:
        _MANAGER = enginefacade.transaction_context()
        _MANAGER.configure(connection='sqlite://', sqlite_fk=True,
                           sqlite_synchronous=False)
    return _MANAGER


class Database(fixtures.Fixture):
    """A freshly migrated, empty in-memory SQLite database."""

    def _setUp(self) -> None:
        global _SCHEMA_SQL
        manager = _manager()
        self.addCleanup(enginefacade._context_manager.patch_factory(manager))
        self.engine = manager.writer.get_engine()
        # StaticPool: disposing the pool discards the in-memory database.
        self.engine.dispose()
        if _SCHEMA_SQL is None:
            migration.upgrade('head', self.engine)
            with self.engine.connect() as conn:
                _SCHEMA_SQL = '\n'.join(
                    conn.connection.dbapi_connection.iterdump())
            self.engine.dispose()
        with self.engine.connect() as conn:
            conn.connection.dbapi_connection.executescript(_SCHEMA_SQL)
        self.addCleanup(self.engine.dispose)


class DbTestCase(base.TestCase):
    """A test with an empty database, ``self.dbapi`` and ``self.context``."""

    def setUp(self) -> None:
        super().setUp()
        self.database = self.useFixture(self.make_database())
        self.dbapi = db_api.get_instance()
        self.context = trellis_context.get_admin_context()

    def make_database(self) -> fixtures.Fixture:
        """The database fixture; functional tests use a real MariaDB."""
        return Database()
