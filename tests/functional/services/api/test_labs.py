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


"""Lab import and export through the real API: cheroot serving the app
on a free loopback port, on a SQLite file and on a private MariaDB, both
migrated to head."""

import abc

import fixtures
import requests

from tests import base
from tests.functional.common.db import test_api as db_functional
from tests.functional.services.api import base as api_base
from tests.unit.common.labs import base as lab_base
from trellis.common import context as trellis_context
from trellis.common import policy
from trellis.common.db import api as db_api
from trellis.services.api import app

TIMEOUT = 30




class LabsAPI(abc.ABC):
    """The scenarios; a subclass picks the database."""

    @abc.abstractmethod
    def make_database(self) -> fixtures.Fixture:
        """The fixture of the database the API runs on."""

    def setUp(self):
        super().setUp()
        self.useFixture(self.make_database())
        self.conf([], project='trellis', default_config_files=[])
        self.config(auth_strategy='noauth', group='api')
        policy.reset()
        self.addCleanup(policy.reset)
        served = self.useFixture(api_base.ServedAPI(app.create_app(self.conf)))
        self.url = served.url + '/v1'

    def post(self, path, body):
        return requests.post(self.url + path, json=body, timeout=TIMEOUT)

    def get(self, path, **params):
        return requests.get(self.url + path, params=params, timeout=TIMEOUT)

    def test_shipped_labs_import_export_round_trip(self):
        for lab, fmt in (('virtual-all-in-one', 'daisy'),
                         ('virtual-five-node', 'daisy'),
                         ('baremetal', 'daisy'), ('tripleo', 'tripleo')):
            files = lab_base.shipped(lab)
            response = self.post('/labs/import', {'files': files})
            self.assertEqual(200, response.status_code, response.text)
            report = response.json()
            self.assertEqual('changed', report['result'])
            self.assertIn('X-Openstack-Request-Id', response.headers)
            again = self.post('/labs/import', {'files': files}).json()
            self.assertEqual('unchanged', again['result'], lab)
            exported = self.get('/labs/export',
                                cluster=report['cluster']['name'],
                                format=fmt)
            self.assertEqual(200, exported.status_code, exported.text)
            self.assertNotIn('CHANGE-ME', exported.text)
            back = self.post('/labs/import',
                             {'files': exported.json()['files']}).json()
            self.assertEqual('unchanged', back['result'], lab)
        hosts = db_api.get_instance().list_hosts(
            trellis_context.get_admin_context())
        self.assertEqual(1 + 5 + 5 + 3, len(hosts))

    def test_invalid_lab_imports_nothing(self):
        deploy = lab_base.DEPLOY.replace('  - COMPUTER', '  - COMPUTE')
        network = lab_base.NETWORK.replace('internal_vip: 10.0.7.100',
                                           'internal_vip: 10.0.7.20')
        response = self.post('/labs/import',
                             {'files': lab_base.daisy_files(deploy,
                                                            network)})
        self.assertEqual(400, response.status_code, response.text)
        details = response.json()['error']['details']
        self.assertEqual([('deploy.yml', 33), ('network.yml', 28)],
                         sorted((d['file'], d['line']) for d in details))
        listed = self.get('/labs/export', cluster='lab1')
        self.assertEqual(404, listed.status_code)

    def test_partial_update_then_dry_run(self):
        self.post('/labs/import', {'files': lab_base.daisy_files()})
        deploy = lab_base.DEPLOY.replace('ipmi_ip: 10.0.6.21',
                                         'ipmi_ip: 10.0.6.99')
        dry = self.post('/labs/import', {
            'files': lab_base.daisy_files(deploy), 'dry_run': True}).json()
        self.assertEqual([('host', 'cmp1', 'updated')],
                         [(c['resource'], c['name'], c['action'])
                          for c in dry['changes']
                          if c['action'] != 'unchanged'])
        real = self.post('/labs/import',
                         {'files': lab_base.daisy_files(deploy)}).json()
        self.assertEqual(dry['changes'], real['changes'])
        again = self.post('/labs/import',
                          {'files': lab_base.daisy_files(deploy)}).json()
        self.assertEqual('unchanged', again['result'])


class TestLabsAPISQLite(LabsAPI, base.TestCase):

    def make_database(self):
        return api_base.SQLiteDatabase()


class TestLabsAPIMariaDB(LabsAPI, base.TestCase):

    def make_database(self):
        return db_functional.MariaDBDatabase()
