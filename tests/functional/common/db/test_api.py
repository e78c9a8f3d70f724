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


"""The database API tests, run again on a real MariaDB.

The unit tests run on SQLite; here the same tests run on MariaDB through
PyMySQL, where constraint errors are reported differently (oslo.db parses
the ``uniq_<table>0<column>`` key names), names compare under utf8mb4
collations and foreign keys are InnoDB's.
"""

import fixtures
from oslo_db.sqlalchemy import enginefacade

from tests.functional import fixtures as trellis_fixtures
from tests.unit.common.db.sqlalchemy import test_api
from tests.unit.common.db.sqlalchemy import test_api_inventory
from tests.unit.common.db.sqlalchemy import test_api_resources
from trellis.common import exception
from trellis.common.db.sqlalchemy import migration


class MariaDBDatabase(fixtures.Fixture):
    """A fresh MariaDB database, migrated to head, behind enginefacade."""

    def _setUp(self) -> None:
        url = self.useFixture(trellis_fixtures.MariaDBFixture()).url
        manager = enginefacade.transaction_context()
        manager.configure(connection=url)
        self.addCleanup(enginefacade._context_manager.patch_factory(manager))
        self.engine = manager.writer.get_engine()
        # Runs before the database is dropped (cleanups are LIFO).
        self.addCleanup(self.engine.dispose)
        migration.upgrade('head', self.engine)


class OnMariaDB:
    def make_database(self) -> fixtures.Fixture:
        return MariaDBDatabase()


class TestClustersMariaDB(OnMariaDB, test_api.TestClusters):

    def test_value_too_long(self):
        # SQLite does not check lengths; MariaDB (strict mode) does.
        exc = self.assertRaises(exception.Invalid,
                                self.dbapi.create_cluster, self.context,
                                {'name': 'c', 'status': 'x' * 33})
        self.assertIn("Data too long for column 'status'", str(exc))


class TestPaginationMariaDB(OnMariaDB, test_api.TestPagination):
    pass


class TestHostsMariaDB(OnMariaDB, test_api.TestHosts):

    def test_unicode_names(self):
        # utf8mb4: characters outside the BMP are stored intact.
        host = self._host('nœud-🦊', position='rack ☃ 3')
        got = self.dbapi.get_host_by_uuid(self.context, host.uuid)
        self.assertEqual(('nœud-🦊', 'rack ☃ 3'), (got.name, got.position))


class TestInterfacesMariaDB(OnMariaDB, test_api_resources.TestInterfaces):
    pass


class TestNetworksMariaDB(OnMariaDB, test_api_resources.TestNetworks):
    pass


class TestRolesMariaDB(OnMariaDB, test_api_resources.TestRolesAndHostRoles):
    pass


class TestVersionsMariaDB(OnMariaDB, test_api_resources.TestVersions):
    pass


class TestDeploymentsMariaDB(OnMariaDB, test_api_resources.TestDeployments):
    pass


class TestInventoryLookupsMariaDB(OnMariaDB, test_api_inventory.TestLookups):
    pass


class TestInventoryHostFiltersMariaDB(OnMariaDB,
                                      test_api_inventory.TestHostFilters):
    pass


class TestInventoryHostUpdateMariaDB(OnMariaDB,
                                     test_api_inventory.TestHostUpdate):
    pass


class TestInventoryGuardsMariaDB(OnMariaDB,
                                 test_api_inventory.TestGuardsAndStatus):
    pass
