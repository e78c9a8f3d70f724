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


"""Schema migrations: alembic, run on the ``[database] connection`` engine.

``upgrade()`` is what ``trellis-manage db sync`` runs. Every function
takes an optional SQLAlchemy engine (tests pass their own); without one
the engine comes from oslo.db's enginefacade.
"""

import contextlib
import os

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

from trellis.common.db.sqlalchemy import models

ALEMBIC_INI = os.path.join(os.path.dirname(__file__), 'alembic.ini')


def _engine(engine: sa.engine.Engine | None) -> sa.engine.Engine:
    return engine if engine is not None else enginefacade.writer.get_engine()


def _alembic_config() -> alembic_config.Config:
    return alembic_config.Config(ALEMBIC_INI)


@contextlib.contextmanager
def _config_on(engine: sa.engine.Engine | None):
    """An alembic Config whose env.py runs on ``engine`` in one transaction."""
    config = _alembic_config()
    with _engine(engine).begin() as connection:
        config.attributes['connection'] = connection
        yield config


def head() -> str:
    """The newest revision the installed migrations know."""
    script = alembic_script.ScriptDirectory.from_config(_alembic_config())
    return script.get_current_head()


def version(engine: sa.engine.Engine | None = None) -> str | None:
    """The revision the database is at, or None if it is not initialised."""
    with _engine(engine).connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        return context.get_current_revision()


def upgrade(revision: str | None = 'head',
            engine: sa.engine.Engine | None = None) -> str | None:
    """Upgrade the schema to ``revision`` (newest by default).

    :returns: the revision reached.
    """
    with _config_on(engine) as config:
        alembic_command.upgrade(config, revision or 'head')
    return version(engine)


def stamp(revision: str, engine: sa.engine.Engine | None = None) -> None:
    """Record ``revision`` as current without running any migration."""
    with _config_on(engine) as config:
        alembic_command.stamp(config, revision)


def create_schema(engine: sa.engine.Engine | None = None) -> None:
    """Create the tables from the models and stamp them as head.

    Only for an empty database; the migrations are the normal path.

    :raises: oslo_db.exception.DBMigrationError if the database is
        already under version control.
    """
    engine = _engine(engine)
    if version(engine) is not None:
        raise db_exc.DBMigrationError(
            'The database schema is already under version control; '
            'use upgrade() instead.')
    models.Base.metadata.create_all(engine)
    stamp('head', engine)
