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


"""Compare oslo.messaging over RabbitMQ and over Trellis's ZeroMQ driver.

Both transports are measured in the same run, on the same machine, with
the same endpoint in a separate server process (threading executor):

- p50/p99 latency of ``--calls`` sequential ``call``s (after a warm-up);
- cast throughput (messages/s) with 1 and with 8 concurrent clients
  (threads of this process, each with its own RPCClient, sending
  ``--casts`` messages in total), measured end to end: from the first
  cast until the server has handled the last one.

Goals (issue 5): ZeroMQ's p50 at most one third of RabbitMQ's, and its
cast throughput at least three times RabbitMQ's.

By default a private etcd and RabbitMQ are started with tools/servers.py
(on free ports, stopped at the end); ``--etcd-url``/``--rabbit-url`` use
running ones instead::

    python tools/bench/transport_compare.py [--calls 5000] [--casts 5000]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, os.pardir))

import servers  # noqa: E402  (tools/servers.py)

TOPIC = 'trellis-bench'


def _setup(url: str, etcd_url: str, prefix: str):
    """Global CONF for this process (oslo tracing options live there)."""
    import logging
    import warnings
    warnings.simplefilter('ignore')
    logging.basicConfig(level=logging.ERROR)
    import oslo_messaging as messaging

    from trellis.common.conf import CONF
    CONF([], project='trellis-bench')
    CONF.set_override('url', etcd_url, group='etcd')
    CONF.set_override('prefix', prefix, group='etcd')
    transport = messaging.get_rpc_transport(CONF, url=url)
    return messaging, transport


class BenchEndpoint:
    """``echo`` for latency, ``sink`` + ``wait_count`` for casts."""

    def __init__(self) -> None:
        self.count = 0
        self.cond = threading.Condition()

    def echo(self, ctxt, x):
        return x

    def sink(self, ctxt, x):
        with self.cond:
            self.count += 1
            self.cond.notify_all()

    def reset(self, ctxt):
        with self.cond:
            self.count = 0

    def wait_count(self, ctxt, n, timeout):
        with self.cond:
            self.cond.wait_for(lambda: self.count >= n, timeout)
            return self.count


def serve(url: str, etcd_url: str, prefix: str) -> None:
    """Run the bench RPC server until stdin closes."""
    messaging, transport = _setup(url, etcd_url, prefix)
    server = messaging.get_rpc_server(
        transport, messaging.Target(topic=TOPIC, server='bench'),
        [BenchEndpoint()], executor='threading')
    server.start()
    print('READY', flush=True)
    sys.stdin.read()
    server.stop()
    server.wait()
    transport.cleanup()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(url: str, etcd_url: str, calls: int, casts: int) -> dict:
    """Run a server process and the three measurements for one URL."""
    prefix = '/trellis-bench-%s' % uuid.uuid4().hex[:8]
    proc = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), '--serve', url,
         '--etcd-url', etcd_url, '--prefix', prefix],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        if proc.stdout.readline().strip() != 'READY':
            raise RuntimeError('the bench server did not start')
        messaging, transport = _setup(url, etcd_url, prefix)
        target = messaging.Target(topic=TOPIC)
        client = messaging.get_rpc_client(transport, target, timeout=30)
        for i in range(min(500, calls)):
            client.call({}, 'echo', x=i)
        latencies = []
        for i in range(calls):
            start = time.perf_counter()
            client.call({}, 'echo', x=i)
            latencies.append((time.perf_counter() - start) * 1000.0)
        result = {'p50_ms': _pct(latencies, 0.50),
                  'p99_ms': _pct(latencies, 0.99),
                  'mean_ms': statistics.fmean(latencies)}
        for nclients in (1, 8):
            client.call({}, 'reset')
            clients = [messaging.get_rpc_client(transport, target)
                       for _ in range(nclients)]
            per_client = casts // nclients
            barrier = threading.Barrier(nclients + 1)

            def blast(c, barrier, count):
                barrier.wait()
                for i in range(count):
                    c.cast({}, 'sink', x=i)

            threads = [threading.Thread(target=blast,
                                        args=(c, barrier, per_client))
                       for c in clients]
            for t in threads:
                t.start()
            barrier.wait()
            start = time.perf_counter()
            for t in threads:
                t.join()
            total = per_client * nclients
            got = client.call({}, 'wait_count', n=total, timeout=120.0)
            elapsed = time.perf_counter() - start
            if got < total:
                raise RuntimeError('only %d of %d casts arrived' % (got,
                                                                     total))
            result['cast_%d_msgs_per_s' % nclients] = total / elapsed
        transport.cleanup()
        return result
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--calls', type=int, default=5000)
    parser.add_argument('--casts', type=int, default=5000)
    parser.add_argument('--etcd-url')
    parser.add_argument('--rabbit-url')
    parser.add_argument('--json', action='store_true',
                        help='also print the figures as JSON')
    parser.add_argument('--serve', help=argparse.SUPPRESS)
    parser.add_argument('--prefix', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.etcd_url, args.prefix)
        return 0

    base_dir = None
    try:
        if not args.etcd_url or not args.rabbit_url:
            base_dir = tempfile.mkdtemp(prefix='trellis-bench-')
        etcd_url = args.etcd_url or servers.start_etcd(base_dir).url
        rabbit_url = args.rabbit_url or servers.start_rabbitmq(base_dir).url
        results = {}
        for name, url in (('rabbit', rabbit_url), ('zmq', 'zmq://')):
            results[name] = measure(url, etcd_url, args.calls, args.casts)
    finally:
        if base_dir is not None:
            servers.stop_all(base_dir)
            shutil.rmtree(base_dir, ignore_errors=True)

    rabbit, zmq = results['rabbit'], results['zmq']
    print('%-26s %12s %12s %8s' % ('figure', 'rabbit', 'zmq', 'ratio'))
    for key, label in (('p50_ms', 'call p50 (ms)'),
                       ('p99_ms', 'call p99 (ms)'),
                       ('mean_ms', 'call mean (ms)'),
                       ('cast_1_msgs_per_s', 'cast, 1 client (msg/s)'),
                       ('cast_8_msgs_per_s', 'cast, 8 clients (msg/s)')):
        print('%-26s %12.3f %12.3f %8.2f' % (label, rabbit[key], zmq[key],
                                             zmq[key] / rabbit[key]))
    goals = {
        'p50 <= rabbit/3': zmq['p50_ms'] <= rabbit['p50_ms'] / 3.0,
        'cast 1 client >= 3x': (zmq['cast_1_msgs_per_s']
                                >= 3.0 * rabbit['cast_1_msgs_per_s']),
        'cast 8 clients >= 3x': (zmq['cast_8_msgs_per_s']
                                 >= 3.0 * rabbit['cast_8_msgs_per_s']),
    }
    for goal, met in goals.items():
        print('goal %-22s %s' % (goal, 'MET' if met else 'NOT MET'))
    if args.json:
        print(json.dumps({'results': results, 'goals': goals}, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
