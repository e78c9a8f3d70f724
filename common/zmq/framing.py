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


"""The wire format of the ZeroMQ transport.

Every message is two frames: a protocol tag that carries the version
(``trellis-zmq/1``) and a JSON body (oslo.serialization's jsonutils, the
same encoder the RabbitMQ driver uses). A ROUTER prepends the peer's
identity frame; the reactor strips it before decoding.

Bodies are dicts with a ``kind``:

- ``call``/``cast``/``notify``: ``id``, ``target`` (exchange, topic,
  server, fanout), ``ctxt``, ``message`` and, for calls, ``timeout`` (the
  caller's call-monitor timeout, so the server heartbeats).
- ``reply``: ``id``, ``result``, ``failure`` (a serialised remote
  exception or None) and ``error`` (a transport-level error text).
- ``heartbeat``: ``id`` of a call still running on the server.
"""

from typing import Any

from oslo_serialization import jsonutils

PROTOCOL = b'trellis-zmq/1'
_PROTOCOL_NAME = b'trellis-zmq/'

CALL = 'call'
CAST = 'cast'
NOTIFY = 'notify'
REPLY = 'reply'
HEARTBEAT = 'heartbeat'
REQUEST_KINDS = frozenset((CALL, CAST, NOTIFY))
KINDS = REQUEST_KINDS | {REPLY, HEARTBEAT}

_REQUIRED = {
    CALL: ('id', 'target', 'ctxt', 'message'),
    CAST: ('id', 'target', 'ctxt', 'message'),
    NOTIFY: ('id', 'target', 'ctxt', 'message'),
    REPLY: ('id',),
    HEARTBEAT: ('id',),
}


class FramingError(ValueError):
    """A message that is not valid Trellis ZeroMQ framing."""


def _dumps(body: dict) -> bytes:
    return jsonutils.dump_as_bytes(body)


def encode(body: dict) -> list[bytes]:
    """The frames of one message body (validated first)."""
    validate(body)
    return [PROTOCOL, _dumps(body)]


def decode(frames: list[bytes]) -> dict:
    """The body of a message received as ``[tag, body]``.

    Raises ``FramingError`` for another protocol, another major version,
    a body that is not JSON or misses a field of its kind.
    """
    if len(frames) != 2:
        raise FramingError('expected 2 frames, got %d' % len(frames))
    tag, raw = frames
    if tag != PROTOCOL:
        if bytes(tag).startswith(_PROTOCOL_NAME):
            raise FramingError('unsupported protocol version %r (this '
                               'side speaks %r)' % (bytes(tag), PROTOCOL))
        raise FramingError('not a Trellis ZeroMQ message')
    try:
        body = jsonutils.loads(bytes(raw))
    except ValueError as exc:
        raise FramingError('body is not JSON: %s' % exc) from exc
    validate(body)
    return body


def validate(body: Any) -> None:
    """Check the body is a dict of a known kind with its fields."""
    if not isinstance(body, dict):
        raise FramingError('body must be a JSON object')
    kind = body.get('kind')
    if kind not in KINDS:
        raise FramingError('unknown message kind %r' % (kind,))
    missing = [f for f in _REQUIRED[kind] if f not in body]
    if missing:
        raise FramingError('%s message misses %s' % (kind,
                                                      ', '.join(missing)))
    if kind in REQUEST_KINDS:
        target = body['target']
        if not isinstance(target, dict) or not target.get('topic'):
            raise FramingError('%s message has no target topic' % kind)


def target_dict(exchange: str, topic: str, server: str | None = None,
                fanout: bool = False) -> dict:
    return {'exchange': exchange, 'topic': topic, 'server': server,
            'fanout': bool(fanout)}


def request(kind: str, msg_id: str, target: dict, ctxt: Any,
            message: Any, timeout: float | None = None) -> list[bytes]:
    """Frames of a call, cast or notification."""
    body = {'kind': kind, 'id': msg_id, 'target': target, 'ctxt': ctxt,
            'message': message}
    if timeout:
        body['timeout'] = timeout
    return encode(body)


def reply(msg_id: str, result: Any = None, failure: str | None = None,
          error: str | None = None) -> list[bytes]:
    """Frames of a reply.

    A result that JSON cannot carry becomes an ``error`` reply rather
    than leaving the caller to time out.
    """
    body = {'kind': REPLY, 'id': msg_id, 'result': result,
            'failure': failure, 'error': error}
    try:
        return encode(body)
    except (TypeError, ValueError) as exc:
        body = {'kind': REPLY, 'id': msg_id, 'result': None,
                'failure': None,
                'error': 'reply could not be serialised: %s' % exc}
        return encode(body)


def heartbeat(msg_id: str) -> list[bytes]:
    return encode({'kind': HEARTBEAT, 'id': msg_id})
