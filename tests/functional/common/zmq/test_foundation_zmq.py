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

from tests.functional import fixtures as func_fixtures
from tests.functional.services import test_foundation


class ZmqTransportFixture(fixtures.Fixture):
    """``transport_url`` for a ZeroMQ bus: nothing to start.

    With ``notifications_via_rabbit`` it also gives a RabbitMQ vhost as
    ``notification_transport_url`` (the daemons' ``[oslo_messaging_
    notifications] transport_url``).
    """

    def __init__(self, notifications_via_rabbit: bool = False) -> None:
        super().__init__()
        self.notifications_via_rabbit = notifications_via_rabbit

    def _setUp(self) -> None:
        self.transport_url = 'zmq://'
        if self.notifications_via_rabbit:
            rabbit = self.useFixture(func_fixtures.RabbitMQFixture())
            self.notification_transport_url = rabbit.transport_url


class TestFoundationOverZmq(test_foundation.TestFoundation):

    TRANSPORT = 'zmq'

    @classmethod
    def make_transport_fixture(cls) -> fixtures.Fixture:
        return ZmqTransportFixture()


class TestFoundationNotificationsViaRabbitMQ(test_foundation.TestFoundation):
    """RPC over ZeroMQ, the daemons' notifications through RabbitMQ.

    Only the notification test is about this split; the others already
    run in ``TestFoundationOverZmq``, so this class keeps just that one
    (and starts no class-wide daemons).
    """

    TRANSPORT = 'zmq'
    SERVICES_TO_START = ()

    @classmethod
    def make_transport_fixture(cls) -> fixtures.Fixture:
        return ZmqTransportFixture(notifications_via_rabbit=True)

    def test_notifications_do_not_use_the_zmq_matchmaker(self):
        self.assertNotEqual(self.transport_url,
                            self.notification_transport_url)
        self.assertTrue(self.notification_transport_url.startswith(
            'rabbit://'))
        svc = self.start_service('discovery')
        entries = self.etcd_client.get_prefix_json('matchmaker/')
        self.assertIn('matchmaker/trellis/trellis-discovery/%s' % svc.host,
                      entries)
        self.assertEqual({'rpc'}, {e['kind'] for e in entries.values()})


for _name in dir(TestFoundationNotificationsViaRabbitMQ):
    if (_name.startswith('test_')
            and _name not in ('test_service_notifications_reach_a_listener',
                              'test_notifications_do_not_use_the_zmq_'
                              'matchmaker')):
        setattr(TestFoundationNotificationsViaRabbitMQ, _name, None)
