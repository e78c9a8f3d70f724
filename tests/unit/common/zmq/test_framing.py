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


"""Tests of the wire format of the ZeroMQ transport."""

import datetime

from oslo_serialization import jsonutils

from tests import base
from trellis.common.zmq import framing


class TestFraming(base.TestCase):

    def _target(self, **kwargs):
        return framing.target_dict('trellis', 'trellis-conductor', **kwargs)

    def test_request_round_trip(self):
        frames = framing.request(framing.CALL, 'id-1',
                                 self._target(server='h1'),
                                 {'user': 'u'}, {'method': 'ping',
                                                 'args': {'x': [1, 'a']}},
                                 timeout=30)
        self.assertEqual(framing.PROTOCOL, frames[0])
        body = framing.decode(frames)
        self.assertEqual('call', body['kind'])
        self.assertEqual('id-1', body['id'])
        self.assertEqual({'exchange': 'trellis',
                          'topic': 'trellis-conductor', 'server': 'h1',
                          'fanout': False}, body['target'])
        self.assertEqual({'user': 'u'}, body['ctxt'])
        self.assertEqual({'method': 'ping', 'args': {'x': [1, 'a']}},
                         body['message'])
        self.assertEqual(30, body['timeout'])

    def test_cast_has_no_timeout(self):
        body = framing.decode(framing.request(
            framing.CAST, 'id', self._target(fanout=True), {}, {}))
        self.assertNotIn('timeout', body)
        self.assertTrue(body['target']['fanout'])

    def test_body_is_json(self):
        frames = framing.request(framing.CAST, 'id', self._target(), {},
                                 {'method': 'm'})
        self.assertEqual('m', jsonutils.loads(frames[1])['message']['method'])

    def test_datetime_is_serialised(self):
        when = datetime.datetime(2026, 11, 22, 3, 0, 0)
        body = framing.decode(framing.request(
            framing.NOTIFY, 'id', self._target(), {}, {'at': when}))
        self.assertEqual('2026-11-22T03:00:00.000000', body['message']['at'])

    def test_reply_round_trip(self):
        body = framing.decode(framing.reply('id', result={'a': 1}))
        self.assertEqual({'a': 1}, body['result'])
        self.assertIsNone(body['failure'])
        self.assertIsNone(body['error'])

    def test_reply_with_failure(self):
        body = framing.decode(framing.reply('id', failure='{"class": "X"}'))
        self.assertEqual('{"class": "X"}', body['failure'])

    def test_unserialisable_result_becomes_error(self):
        body = framing.decode(framing.reply('id', result=object()))
        self.assertIsNone(body['result'])
        self.assertIn('could not be serialised', body['error'])

    def test_heartbeat(self):
        body = framing.decode(framing.heartbeat('id-9'))
        self.assertEqual({'kind': 'heartbeat', 'id': 'id-9'}, body)

    def test_other_version_is_refused(self):
        frames = framing.heartbeat('id')
        exc = self.assertRaises(framing.FramingError, framing.decode,
                                [b'trellis-zmq/2', frames[1]])
        self.assertIn('unsupported protocol version', str(exc))

    def test_other_protocol_is_refused(self):
        self.assertRaises(framing.FramingError, framing.decode,
                          [b'HELLO', b'{}'])

    def test_frame_count(self):
        self.assertRaises(framing.FramingError, framing.decode,
                          [framing.PROTOCOL])
        self.assertRaises(framing.FramingError, framing.decode,
                          [b'x', framing.PROTOCOL, b'{}'])

    def test_not_json(self):
        exc = self.assertRaises(framing.FramingError, framing.decode,
                                [framing.PROTOCOL, b'{not json'])
        self.assertIn('not JSON', str(exc))

    def test_unknown_kind(self):
        self.assertRaises(framing.FramingError, framing.decode,
                          [framing.PROTOCOL, b'{"kind": "launch", "id": 1}'])

    def test_body_must_be_object(self):
        self.assertRaises(framing.FramingError, framing.decode,
                          [framing.PROTOCOL, b'[1, 2]'])

    def test_missing_fields(self):
        exc = self.assertRaises(
            framing.FramingError, framing.decode,
            [framing.PROTOCOL, b'{"kind": "call", "id": "x"}'])
        self.assertIn('target', str(exc))

    def test_request_needs_topic(self):
        self.assertRaises(framing.FramingError, framing.request,
                          framing.CALL, 'id',
                          {'exchange': 'e', 'topic': ''}, {}, {})
