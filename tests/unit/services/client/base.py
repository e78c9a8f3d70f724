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

"""Base of the CLI unit tests: the shell run in-process on a mocked API."""

import io
import logging
import os

import fixtures
from requests_mock.contrib import fixture as rm_fixture

from tests import base
from trellis.services.client import shell

URL = 'http://trellis.test:6385'
V1 = URL + '/v1'
REQUEST_ID = 'req-0d1f6c2e-7b4a-4c1e-9a7e-2f1b3c4d5e6f'
HEADERS = {'X-Openstack-Request-Id': REQUEST_ID}


class ShellTestCase(base.TestCase):
    """Runs ``trellis`` commands against ``requests_mock``."""

    def setUp(self):
        super().setUp()
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        # No real client config file may be read.
        self.useFixture(fixtures.MonkeyPatch(
            'trellis.services.client.config.SYSTEM_FILE',
            os.path.join(self.tempdir, 'no-system-file.yaml')))
        self.environ = {'XDG_CONFIG_HOME': self.tempdir, 'TRELLIS_URL': URL}
        self.requests = self.useFixture(rm_fixture.Fixture())
        # cliff adds a console handler to the root logger on every run.
        root = logging.getLogger('')
        handlers, level = list(root.handlers), root.level
        self.addCleanup(setattr, root, 'handlers', handlers)
        self.addCleanup(root.setLevel, level)

    def cli(self, *argv, environ=None):
        """Run one command; returns ``(exit code, stdout, stderr)``."""
        stdout, stderr = io.StringIO(), io.StringIO()
        app = shell.TrellisShell(
            stdin=io.StringIO(), stdout=stdout, stderr=stderr,
            environ=self.environ if environ is None else environ)
        try:
            # argparse writes its usage errors to sys.stderr.
            with fixtures.MonkeyPatch('sys.stderr', stderr):
                code = app.run(list(argv))
        except SystemExit as exc:   # argparse: usage errors, --help
            code = exc.code
        return code, stdout.getvalue(), stderr.getvalue()

    def ok(self, *argv, **kwargs):
        """Run a command that must succeed; returns its stdout."""
        code, out, err = self.cli(*argv, **kwargs)
        self.assertEqual(0, code, 'stdout: %s\nstderr: %s' % (out, err))
        return out

    def mock(self, method, path, json=None, status=200, **kwargs):
        """Answer ``method V1+path`` with ``json``; returns the matcher."""
        headers = dict(HEADERS)
        headers.update(kwargs.pop('headers', {}))
        return self.requests.register_uri(
            method, V1 + path, json=json, status_code=status,
            headers=headers, **kwargs)

    def last(self):
        """The last request sent."""
        return self.requests.last_request

    def write(self, name, text, mode=0o600):
        path = os.path.join(self.tempdir, name)
        with open(path, 'w') as f:
            f.write(text)
        os.chmod(path, mode)
        return path


def error(status, message, details=None):
    """An API error body."""
    body = {'code': status, 'title': 'T', 'message': message}
    if details is not None:
        body['details'] = details
    return {'error': body}

