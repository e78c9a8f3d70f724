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

"""The functional fixtures give working, isolated real servers."""

import configparser

import fixtures as base_fixtures
import kombu
import sqlalchemy

from tests import base
from tests.functional import fixtures
from trellis.common import etcd


class TestEtcdFixture(base.TestCase):

    def test_put_get_and_cleanup(self):
        fix = fixtures.EtcdFixture()
        with fix:
            self.assertTrue(fix.prefix.startswith('/trellis-test-'))
            fix.client.put('a/b', {'x': 1})
            self.assertEqual({'x': 1}, fix.client.get_json('a/b'))
            # Seen under the prefix by any client of the same server.
            other = etcd.EtcdClient(fix.url, prefix=fix.prefix)
            self.assertEqual({'a/b': {'x': 1}}, other.get_prefix_json(''))
        self.assertEqual({}, other.get_prefix(''))

    def test_prefixes_are_unique(self):
        one = self.useFixture(fixtures.EtcdFixture())
        two = self.useFixture(fixtures.EtcdFixture())
        self.assertNotEqual(one.prefix, two.prefix)
        one.client.put('k', 'one')
        self.assertIsNone(two.client.get('k'))


class TestRabbitMQFixture(base.TestCase):

    def _vhosts(self, server):
        out = fixtures.servers.rabbitmqctl(server, 'list_vhosts').stdout
        return out.split()

    def test_vhost_usable_then_deleted(self):
        fix = fixtures.RabbitMQFixture()
        with fix:
            self.assertIn(fix.vhost, self._vhosts(fix.server))
            url = fix.transport_url.replace('rabbit://', 'amqp://', 1)
            with kombu.Connection(url, connect_timeout=10) as conn:
                conn.connect()
                queue = conn.SimpleQueue('probe')
                queue.put({'hello': 'world'})
                msg = queue.get(timeout=10)
                self.assertEqual({'hello': 'world'}, msg.payload)
                msg.ack()
                queue.close()
        self.assertNotIn(fix.vhost, self._vhosts(fix.server))


class TestMariaDBFixture(base.TestCase):

    def test_database_usable_then_dropped(self):
        fix = fixtures.MariaDBFixture()
        with fix:
            self.assertTrue(fix.url.endswith('?charset=utf8mb4'))
            engine = sqlalchemy.create_engine(fix.url)
            self.addCleanup(engine.dispose)
            with engine.connect() as conn:
                self.assertEqual(1, conn.execute(
                    sqlalchemy.text('SELECT 1')).scalar())
                self.assertEqual(fix.database, conn.execute(
                    sqlalchemy.text('SELECT DATABASE()')).scalar())
            engine.dispose()
        out = fixtures.servers.mariadb_client(fix.server,
                                              'SHOW DATABASES').stdout
        self.assertNotIn(fix.database, out.split())


class TestConfigFileFixture(base.TestCase):

    def test_writes_sections(self):
        tmp = self.useFixture(base_fixtures.TempDir()).path
        fix = self.useFixture(fixtures.ConfigFileFixture(
            tmp, DEFAULT={'debug': True, 'transport_url': 'rabbit://x/'},
            etcd={'url': 'http://127.0.0.1:1', 'prefix': '/p'},
            service={'lease_ttl': 5}))
        parser = configparser.RawConfigParser()
        self.assertEqual([fix.path], parser.read(fix.path))
        self.assertEqual('true', parser.get('DEFAULT', 'debug'))
        self.assertEqual('/p', parser.get('etcd', 'prefix'))
        self.assertEqual('5', parser.get('service', 'lease_ttl'))
