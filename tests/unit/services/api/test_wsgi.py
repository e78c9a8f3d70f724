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


"""The WSGI entry point for uWSGI and mod_wsgi."""

import importlib
import os
import subprocess
import sys
from unittest import mock

import fixtures

from tests import base
from trellis.common import service

MODULE = 'trellis.services.api.wsgi'


class TestWSGI(base.TestCase):

    def setUp(self):
        super().setUp()
        self.prepare = self.useFixture(fixtures.MockPatchObject(
            service, 'prepare_service')).mock
        self.create_app = self.useFixture(fixtures.MockPatchObject(
            importlib.import_module('trellis.services.api.app'),
            'create_app')).mock
        sys.modules.pop(MODULE, None)
        self.addCleanup(sys.modules.pop, MODULE, None)

    def test_application_built_once_from_env_config(self):
        self.useFixture(fixtures.EnvironmentVariable(
            'TRELLIS_CONFIG_FILE', '/srv/trellis/api.conf'))
        wsgi = importlib.import_module(MODULE)
        self.assertIs(self.create_app.return_value, wsgi.application)
        self.prepare.assert_called_once_with(
            ['trellis-api-wsgi', '--config-file', '/srv/trellis/api.conf'],
            self.conf)
        self.assertIs(wsgi.application, wsgi.init_application())
        self.create_app.assert_called_once_with(self.conf)

    def test_import_keeps_eventlet_out(self):
        # A fresh interpreter, as uWSGI or mod_wsgi would import it.
        conf = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'trellis.conf')
        with open(conf, 'w') as f:
            # The default, http_basic, needs a user file; not the point here.
            f.write('[api]\nauth_strategy = noauth\n')
        code = ('import sys\n'
                'from trellis.services.api import wsgi\n'
                'from oslo_service import backend\n'
                'print(backend.get_backend_type().value,'
                ' sys.modules.get("eventlet"), callable(wsgi.application))\n')
        result = subprocess.run(
            [sys.executable, '-c', code], capture_output=True, text=True,
            timeout=60, check=False,
            env=dict(os.environ, TRELLIS_CONFIG_FILE=conf))
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual('threading None True',
                         result.stdout.strip().splitlines()[-1])

    def test_config_files(self):
        wsgi = importlib.import_module(MODULE)
        self.assertEqual(['/x.conf'],
                         wsgi.config_files({'TRELLIS_CONFIG_FILE': '/x.conf'}))
        with mock.patch.object(os.path, 'exists', return_value=True):
            self.assertEqual(['/etc/trellis/trellis.conf'],
                             wsgi.config_files({}))
        with mock.patch.object(os.path, 'exists', return_value=False):
            self.assertEqual([], wsgi.config_files({}))
