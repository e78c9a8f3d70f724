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

"""Alembic environment of the Trellis schema.

The connection comes from the caller (``config.attributes['connection']``)
or from oslo.db's enginefacade, that is from ``[database] connection``.
Logging is left as oslo.log set it up, and the URL is never logged.
"""

from alembic import context
from oslo_db.sqlalchemy import enginefacade

from trellis.common.db.sqlalchemy import models

config = context.config
target_metadata = models.Base.metadata


def run_migrations_online() -> None:
    """Run the migrations on a live connection."""
    connection = config.attributes.get('connection')
    if connection is not None:
        _run(connection)
        return
    engine = enginefacade.writer.get_engine()
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection,
                      target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == 'sqlite')
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit('Trellis runs its migrations online only.')
run_migrations_online()
