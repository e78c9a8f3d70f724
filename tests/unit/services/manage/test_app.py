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

"""Tests of the trellis-manage application: configuration and logging."""

import io
import logging
import os
import sys
from unittest import mock

import fixtures

from tests import base
from trellis.services.manage import app


class TestLoadConfig(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tempdir = self.useFixture(fixtures.TempDir()).path

    def _write(self, name, text):
        path = os.path.join(self.tempdir, name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def test_files_then_dir(self):
        one = self._write('one.conf', '[etcd]\nprefix = /one\ntimeout = 3\n')
        two = self._write('two.conf', '[etcd]\nprefix = /two\n')
        confdir = os.path.join(self.tempdir, 'conf.d')
        os.mkdir(confdir)
        with open(os.path.join(confdir, 'x.conf'), 'w') as f:
            f.write('[DEFAULT]\nhost = from-dir\n')
        app.load_config([one, two], confdir)
        self.assertEqual('/two', self.conf.etcd.prefix)
        self.assertEqual(3.0, self.conf.etcd.timeout)
        self.assertEqual('from-dir', self.conf.host)
        self.assertEqual([one, two], self.conf.config_file)

    def test_debug(self):
        app.load_config([self._write('a.conf', '')], debug=True)
        self.assertTrue(self.conf.debug)

    def test_app_loads_config_before_the_command(self):
        path = self._write('a.conf', '[etcd]\nprefix = /from-file\n')
        seen = {}

        def _list(client, topic=None):
            seen['prefix'] = client.prefix
            return []

        self.useFixture(fixtures.MockPatch(
            'trellis.services.manage.app.setup_logging'))
        self.useFixture(fixtures.MockPatch(
            'trellis.common.service_registry.list_services',
            side_effect=_list))
        out = io.StringIO()
        code = app.TrellisManage(stdout=out, stderr=io.StringIO()).run(
            ['--config-file', path, 'service', 'list', '-f', 'json'])
        self.assertEqual(0, code)
        self.assertEqual('/from-file', seen['prefix'])

    def test_missing_config_file(self):
        err = io.StringIO()
        code = app.TrellisManage(stdout=io.StringIO(), stderr=err).run(
            ['--config-file', '/nonexistent/trellis.conf', 'service',
             'list'])
        self.assertEqual(1, code)
        self.assertIn('/nonexistent/trellis.conf', err.getvalue())


class TestSetupLogging(base.TestCase):

    def setUp(self):
        super().setUp()
        root = logging.getLogger()
        saved = (root.handlers[:], root.level)

        def _restore():
            root.handlers[:] = saved[0]
            root.setLevel(saved[1])
        self.addCleanup(_restore)

    def test_console_goes_to_stderr_never_stdout(self):
        app.load_config([])
        stream = io.StringIO()
        app.setup_logging(logging.WARNING, stream)
        streams = [h.stream for h in logging.getLogger().handlers
                   if isinstance(h, logging.StreamHandler)
                   and not isinstance(h, logging.FileHandler)]
        self.assertEqual([stream], streams)
        self.assertNotIn(sys.stdout, streams)
        logging.getLogger('trellis.x').info('quiet')
        logging.getLogger('trellis.x').warning('loud')
        self.assertEqual('WARNING trellis.x: loud\n', stream.getvalue())


class TestMain(base.TestCase):

    def test_main_returns_the_exit_code(self):
        with mock.patch.object(app.TrellisManage, 'run',
                               return_value=3) as run:
            self.assertEqual(3, app.main(['service', 'list']))
        run.assert_called_once_with(['service', 'list'])
