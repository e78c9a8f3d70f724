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

"""What the API's functional tests share: a database and a served app."""

import os
import threading
from typing import Any

import fixtures
from oslo_db.sqlalchemy import enginefacade

from trellis.common.db.sqlalchemy import migration
from trellis.services.api import server

TIMEOUT = 30


class SQLiteDatabase(fixtures.Fixture):
    """A SQLite file migrated to head, behind the global enginefacade.

    A file, not ``:memory:``: cheroot's worker threads must all see the
    same database. Foreign keys are enforced, as on MariaDB.
    """

    def _setUp(self) -> None:
        tempdir = self.useFixture(fixtures.TempDir()).path
        self.url = 'sqlite:///%s' % os.path.join(tempdir, 'trellis.sqlite')
        manager = enginefacade.transaction_context()
        manager.configure(connection=self.url, sqlite_fk=True)
        self.addCleanup(enginefacade._context_manager.patch_factory(manager))
        self.engine = manager.writer.get_engine()
        self.addCleanup(self.engine.dispose)
        migration.upgrade('head', self.engine)


class ServedAPI(fixtures.Fixture):
    """A WSGI app served for real by cheroot on a free loopback port.

    ``url`` is ``http://127.0.0.1:PORT``; the server stops at cleanup.
    """

    def __init__(self, wsgi_app: Any, threads: int = 4) -> None:
        super().__init__()
        self.wsgi_app = wsgi_app
        self.threads = threads

    def _setUp(self) -> None:
        http = server.make_server(self.wsgi_app, '127.0.0.1', 0,
                                  threads=self.threads)
        thread = threading.Thread(target=http.serve, daemon=True)
        thread.start()
        self.addCleanup(thread.join, TIMEOUT)
        self.addCleanup(http.stop)
        self.url = 'http://127.0.0.1:%d' % http.bind_addr[1]
