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

"""Base test case of every Trellis test."""

import fixtures
from oslo_config import fixture as config_fixture
import testtools

from trellis.common.conf import CONF

# Generous: a unit test that takes this long is broken, not slow.
DEFAULT_TIMEOUT = 60


class TestCase(testtools.TestCase):
    """Gives each test its own view of ``CONF`` and a timeout."""

    timeout = DEFAULT_TIMEOUT

    def setUp(self) -> None:
        super().setUp()
        self.useFixture(fixtures.Timeout(self.timeout, gentle=True))
        self.conf_fixture = self.useFixture(config_fixture.Config(CONF))
        self.conf = CONF
        # Never register in or read from a real etcd by accident.
        self.config(url='http://127.0.0.1:1', group='etcd')

    def config(self, **kwargs) -> None:
        """Override options for this test: ``self.config(x=1, group='g')``."""
        self.conf_fixture.config(**kwargs)
