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

"""Fixtures that give functional tests real etcd, RabbitMQ and MariaDB.

The servers are process-wide. When ``TRELLIS_TEST_SERVERS_DIR`` is set
(``tools/run-tests.sh`` does it), the servers that ``tools/servers.py``
recorded in that folder are used. Otherwise each test process starts its
own private servers lazily, only those its tests ask for, under a
temporary folder, and stops them when the interpreter exits.

Every fixture isolates its test on the shared server: a unique etcd key
prefix, a fresh RabbitMQ vhost, a fresh database, each removed at
cleanup.
"""

import atexit
import os
import shutil
import sys
import tempfile
import threading
import uuid

import fixtures

from trellis.common import etcd

_TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      os.pardir, os.pardir, 'tools')
if _TOOLS not in sys.path:
    sys.path.insert(0, _TOOLS)

import servers  # noqa: E402  (tools/servers.py, stdlib only)

SERVERS_DIR_ENV = 'TRELLIS_TEST_SERVERS_DIR'

_LOCK = threading.Lock()
_SERVERS: dict[str, servers.Server] = {}
_PRIVATE_DIR: str | None = None


def _stop_private() -> None:
    if _PRIVATE_DIR is not None:
        servers.stop_all(_PRIVATE_DIR)
        shutil.rmtree(_PRIVATE_DIR, ignore_errors=True)


def _private_dir() -> str:
    global _PRIVATE_DIR
    if _PRIVATE_DIR is None:
        _PRIVATE_DIR = tempfile.mkdtemp(prefix='trellis-test-servers-')
        atexit.register(_stop_private)
    return _PRIVATE_DIR


def get_server(name: str) -> servers.Server:
    """The process-wide server ``name`` (etcd, rabbitmq or mariadb).

    Shared servers from ``TRELLIS_TEST_SERVERS_DIR`` come first; a server
    missing there is started privately for this process.
    """
    with _LOCK:
        server = _SERVERS.get(name)
        if server is not None:
            return server
        shared = os.environ.get(SERVERS_DIR_ENV)
        if shared:
            server = servers.load(shared).get(name)
            if server is not None and not server.alive():
                raise RuntimeError(
                    '%s recorded in %s=%s is not running; see %s'
                    % (name, SERVERS_DIR_ENV, shared, server.log_file))
        if server is None:
            server = servers.STARTERS[name](_private_dir())
        _SERVERS[name] = server
        return server


def unique_name(prefix: str = 'trellis-test-') -> str:
    """A name no other test uses: ``<prefix><12 hex digits>``."""
    return prefix + uuid.uuid4().hex[:12]


class EtcdFixture(fixtures.Fixture):
    """An etcd prefix of its own on the shared etcd, deleted at cleanup.

    ``url`` and ``prefix`` go to ``[etcd] url/prefix``; ``client`` is an
    ``EtcdClient`` on that prefix.
    """

    def _setUp(self) -> None:
        self.server = get_server('etcd')
        self.url = self.server.url
        self.prefix = '/' + unique_name()
        self.client = etcd.EtcdClient(self.url, prefix=self.prefix)
        self.addCleanup(self.client.delete_prefix, '')


class RabbitMQFixture(fixtures.Fixture):
    """A fresh vhost on the shared RabbitMQ, deleted at cleanup.

    ``transport_url`` is the oslo.messaging URL of that vhost.
    """

    def _setUp(self) -> None:
        self.server = get_server('rabbitmq')
        self.vhost = unique_name()
        self.transport_url = servers.rabbitmq_add_vhost(self.server,
                                                        self.vhost)
        self.addCleanup(servers.rabbitmq_delete_vhost, self.server,
                        self.vhost)


class MariaDBFixture(fixtures.Fixture):
    """A fresh database on the shared MariaDB, dropped at cleanup.

    ``url`` is its SQLAlchemy URL (PyMySQL, utf8mb4).
    """

    def _setUp(self) -> None:
        self.server = get_server('mariadb')
        self.database = unique_name('trellis_test_')
        self.url = servers.mariadb_create_database(self.server,
                                                   self.database)
        self.addCleanup(servers.mariadb_drop_database, self.server,
                        self.database)


def _ini_value(value) -> str:
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return ','.join(str(v) for v in value)
    return str(value)


class ConfigFileFixture(fixtures.Fixture):
    """Writes ``trellis.conf`` into ``tempdir`` for a service process.

    ``ConfigFileFixture(tmp, DEFAULT={'debug': True}, etcd={'url': u})``;
    ``path`` is the written file.
    """

    def __init__(self, tempdir: str, **sections: dict) -> None:
        super().__init__()
        self.tempdir = tempdir
        self.sections = sections

    def _setUp(self) -> None:
        self.path = os.path.join(self.tempdir, 'trellis.conf')
        lines = []
        names = sorted(self.sections, key=lambda s: (s != 'DEFAULT', s))
        for name in names:
            lines.append('[%s]' % name)
            for key, value in self.sections[name].items():
                lines.append('%s = %s' % (key, _ini_value(value)))
            lines.append('')
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                     0o600)
        with os.fdopen(fd, 'w') as f:
            f.write('\n'.join(lines))
