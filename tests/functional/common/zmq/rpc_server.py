#!/usr/bin/env python3
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


"""A small RPC server process for the ZeroMQ functional tests.

Run as ``python rpc_server.py --config-file F --topic T --server S``. It
serves ``TestEndpoint`` over the configured ``transport_url``, prints
``READY <endpoint>`` when it listens and runs until SIGTERM or stdin
closes. Notifications it emits go to ``[oslo_messaging_notifications]
transport_url`` (or the RPC transport).
"""

import argparse
import os
import signal
import sys
import threading
import time
import warnings

warnings.simplefilter('ignore')

import oslo_messaging as messaging  # noqa: E402

from trellis.common import exception  # noqa: E402
from trellis.common.conf import CONF  # noqa: E402


class TestEndpoint:
    """What the tests call: echo, errors, slow calls, cast counters."""

    def __init__(self, server: str, notifier: messaging.Notifier) -> None:
        self.server = server
        self.notifier = notifier
        self.casts: list = []

    def echo(self, ctxt, value):
        return value

    def whoami(self, ctxt):
        return {'server': self.server, 'pid': os.getpid()}

    def fail_trellis(self, ctxt):
        raise exception.ConfigInvalid(error='as asked')

    def fail_builtin(self, ctxt):
        raise ValueError('as asked')

    def sleep(self, ctxt, seconds, marker=None):
        if marker:
            # Tells the test the call is running.
            open(marker, 'w').close()
        time.sleep(seconds)
        return seconds

    def record(self, ctxt, value):
        self.casts.append(value)

    def recorded(self, ctxt):
        return list(self.casts)

    def emit(self, ctxt, event_type, payload):
        self.notifier.info(ctxt, event_type, payload)
        return True


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument('--config-file', required=True)
    parser.add_argument('--topic', required=True)
    parser.add_argument('--server', required=True)
    args = parser.parse_args()
    CONF(['--config-file', args.config_file], project='trellis')
    transport = messaging.get_rpc_transport(
        CONF, allowed_remote_exmods=[exception.__name__])
    notification_transport = messaging.get_notification_transport(CONF)
    notifier = messaging.Notifier(notification_transport,
                                  publisher_id='zmq-test.' + args.server,
                                  driver='messagingv2')
    server = messaging.get_rpc_server(
        transport, messaging.Target(topic=args.topic, server=args.server),
        [TestEndpoint(args.server, notifier)], executor='threading')
    server.start()
    endpoint = getattr(transport._driver, '_reactor', None)
    print('READY %s' % (endpoint.endpoint if endpoint else '-'),
          flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()),
                     daemon=True).start()
    done.wait()
    server.stop()
    server.wait()
    transport.cleanup()
    notification_transport.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
