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

"""Trellis database layer: the abstract API and its SQLAlchemy backend."""

from oslo_db.sqlalchemy import enginefacade
from oslo_log import log

# ON DELETE CASCADE/SET NULL must also hold on SQLite, the embedded
# default (DESIGN §4), and SQLite enforces foreign keys only when asked.
# This runs on the first import of any trellis.common.db module, before
# anything can start the global enginefacade.
try:
    enginefacade.configure(sqlite_fk=True)
except enginefacade.AlreadyStartedError:
    # Someone used the global enginefacade before importing Trellis's
    # database layer; its engines keep their settings.
    log.getLogger(__name__).warning(
        'oslo.db enginefacade already started: SQLite foreign keys may '
        'not be enforced')
