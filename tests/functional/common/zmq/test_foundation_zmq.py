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

"""The foundation's service suite (issue 2) again, over ``zmq://``.

The six daemons, ``trellis-manage`` and the test process use the ZeroMQ
driver for RPC and for notifications; the matchmaker lives under the
class's etcd prefix.
"""

import fixtures

from tests.functional.services import test_foundation


class ZmqTransportFixture(fixtures.Fixture):
    """``transport_url`` for a ZeroMQ bus: nothing to start."""

    def _setUp(self) -> None:
        self.transport_url = 'zmq://'


class TestFoundationOverZmq(test_foundation.TestFoundation):

    TRANSPORT = 'zmq'

    @classmethod
    def make_transport_fixture(cls) -> fixtures.Fixture:
        return ZmqTransportFixture()
