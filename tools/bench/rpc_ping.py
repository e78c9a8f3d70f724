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

"""RPC ``ping`` round trip: Trellis's client and server vs bare oslo.messaging.

Starts (unless given URLs) a private etcd and RabbitMQ, then two servers
as separate processes on that RabbitMQ:

- Trellis: a real ``trellis-conductor`` started from a config file;
- bare: this script with ``--serve-bare``, a minimal
  ``oslo_messaging.get_rpc_server(..., executor='threading')`` whose
  ``ping`` endpoint returns the same dict shape.

From this process it calls both, directed to the server's host
(``server=host``), in alternating blocks so that machine noise hits both
alike: ``ConductorAPI().ping(ctx, host=...)`` after ``rpc.init()`` against
``get_rpc_client(...).prepare(server=...).call({}, 'ping')``. Warm-up calls
are not counted. Prints p50, p99, mean and max of each, and the p50 ratio
against the goal (Trellis within 1.25x of bare).
"""

import argparse
import os
import signal
import sys
import threading
import time
from typing import Any
from typing import Callable

import benchutil

# Same process environment as a Trellis daemon, for both clients and both
# servers: native threads only, eventlet kept out, oslo.service on its
# threading backend (services/cmd/__init__.py does this before anything
# imports oslo.service).
import trellis.services.cmd  # noqa: F401

GOAL_RATIO = 1.25
BARE_TOPIC_PREFIX = 'trellis-bench-bare'
# The bare pair names its exchange; Trellis's is also 'trellis' (its
# control_exchange), so both go through the same kind of broker path.
BARE_EXCHANGE = 'trellis'
ENV_URL = 'TRELLIS_BENCH_TRANSPORT_URL'


# -- the bare server (a separate process) ------------------------------------

class BarePingEndpoint:
    """The minimal endpoint: answers the same dict shape as Trellis."""

    def __init__(self, host: str, topic: str, version: str) -> None:
        import oslo_messaging as messaging
        self.target = messaging.Target(version='1.0')
        self.host = host
        self.topic = topic
        self.version = version
        self._started_at = time.monotonic()

    def ping(self, ctxt: Any) -> dict[str, Any]:
        return {'host': self.host, 'topic': self.topic,
                'version': self.version,
                'uptime': round(time.monotonic() - self._started_at, 3)}


def serve_bare(topic: str, host: str) -> int:
    """Run the bare oslo.messaging RPC server until SIGTERM/SIGINT."""
    from oslo_config import cfg
    import oslo_messaging as messaging

    url = os.environ[ENV_URL]
    cfg.CONF([], project='trellis-bench', default_config_files=[])
    transport = messaging.get_rpc_transport(cfg.CONF, url=url)
    target = messaging.Target(exchange=BARE_EXCHANGE, topic=topic,
                              server=host)
    endpoint = BarePingEndpoint(host, topic, 'bench')
    server = messaging.get_rpc_server(transport, target, [endpoint],
                                      executor='threading')
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    server.start()
    print('bare server %s/%s consuming' % (topic, host), flush=True)
    while not done.wait(1.0):
        pass
    server.stop()
    server.wait()
    transport.cleanup()
    return 0


# -- the benchmark -----------------------------------------------------------

def wait_ready(name: str, call: Callable[[float], Any],
               proc: benchutil.ServiceProcess, timeout: float) -> float:
    """Call until the server answers; return the seconds it took."""
    import oslo_messaging as messaging
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise benchutil.BenchError('%s exited early:\n%s'
                                       % (name, proc.tail()))
        try:
            call(1.0)
            return time.monotonic() - started
        except messaging.MessagingTimeout:
            continue
    raise benchutil.BenchError('%s did not answer ping within %ss:\n%s'
                               % (name, timeout, proc.tail()))


def time_calls(call: Callable[[], Any], count: int,
               out: list[float]) -> None:
    for _ in range(count):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000.0)


def print_table(results: dict[str, list[float]]) -> dict[str, dict]:
    stats = {}
    print('%-22s %6s %8s %8s %8s %8s' % ('(ms)', 'n', 'p50', 'p99', 'mean',
                                         'max'))
    for name, samples in results.items():
        s = benchutil.summarize(samples)
        stats[name] = s
        print('%-22s %6d %8.3f %8.3f %8.3f %8.3f'
              % (name, s['n'], s['p50'], s['p99'], s['mean'], s['max']))
    return stats


def run(args: argparse.Namespace) -> int:
    with benchutil.Backends(args) as backends, \
            benchutil.processes() as procs:
        return _run(args, backends, procs)


def _run(args: argparse.Namespace, backends: benchutil.Backends,
         procs: list[benchutil.ServiceProcess]) -> int:
    import oslo_messaging as messaging

    from trellis.common import context
    from trellis.common import etcd
    from trellis.common import rpc
    from trellis.common.conf import CONF
    from trellis.services.conductor import rpcapi

    suffix = benchutil.unique_suffix()
    host = 'bench-ping-%s' % suffix
    prefix = '/trellis-bench-%s' % suffix
    base = backends.base_dir
    conf_path = benchutil.write_config(
        os.path.join(base, 'rpc_ping-conductor.conf'),
        transport_url=backends.transport_url, etcd_url=backends.etcd_url,
        etcd_prefix=prefix, host=host)

    # The two servers, each its own process on the same RabbitMQ.
    conductor = benchutil.ServiceProcess(
        [benchutil.console_script('trellis-conductor'),
         '--config-file', conf_path],
        os.path.join(base, 'rpc_ping-conductor.log'))
    procs.append(conductor.start())
    bare_topic = '%s-%s' % (BARE_TOPIC_PREFIX, suffix)
    os.environ[ENV_URL] = backends.transport_url
    bare = benchutil.ServiceProcess(
        [sys.executable, os.path.abspath(__file__), '--serve-bare',
         '--bare-topic', bare_topic, '--bare-host', host],
        os.path.join(base, 'rpc_ping-bare.log'))
    procs.append(bare.start())

    bare_transport = None
    try:
        # The clients, both in this process, on the same global CONF.
        CONF([], project='trellis', default_config_files=[conf_path])
        rpc.init(CONF)
        ctx = context.get_admin_context()
        trellis_api = rpcapi.ConductorAPI()
        bare_transport = messaging.get_rpc_transport(
            CONF, url=backends.transport_url)
        bare_client = messaging.get_rpc_client(
            bare_transport,
            messaging.Target(exchange=BARE_EXCHANGE, topic=bare_topic),
            timeout=10)

        def trellis_ping() -> Any:
            return trellis_api.ping(ctx, host=host)

        def bare_ping() -> Any:
            return bare_client.prepare(server=host).call({}, 'ping')

        up_t = wait_ready('trellis-conductor',
                          lambda t: trellis_api.ping(ctx, host=host,
                                                     timeout=t),
                          conductor, args.start_timeout)
        up_b = wait_ready('bare server',
                          lambda t: bare_client.prepare(
                              server=host, timeout=t).call({}, 'ping'),
                          bare, args.start_timeout)
        print('# servers answering: trellis-conductor after %.1fs, bare '
              'after %.1fs' % (up_t, up_b), flush=True)
        answer_t, answer_b = trellis_ping(), bare_ping()
        if sorted(answer_t) != sorted(answer_b):
            raise benchutil.BenchError('answers differ in shape: %r vs %r'
                                       % (answer_t, answer_b))
        print('# trellis answer: %r' % (answer_t,))

        print('# %s; RabbitMQ %s' % (benchutil.machine_note(),
                                     benchutil.mask_url(
                                         backends.transport_url)))
        print('# warm-up: %d calls each (not counted)' % args.warmup,
              flush=True)
        scratch: list[float] = []
        for _ in range(2):
            time_calls(trellis_ping, args.warmup // 2, scratch)
            time_calls(bare_ping, args.warmup // 2, scratch)

        results: dict[str, list[float]] = {'trellis': [], 'bare': []}
        calls = {'trellis': trellis_ping, 'bare': bare_ping}
        order = ['trellis', 'bare']
        started = time.monotonic()
        deadline = started + args.max_seconds
        block_no = 0
        while (len(results['trellis']) < args.calls
               and time.monotonic() < deadline):
            for name in order if block_no % 2 == 0 else order[::-1]:
                todo = min(args.block, args.calls - len(results[name]))
                time_calls(calls[name], todo, results[name])
            block_no += 1
        elapsed = time.monotonic() - started
        print('# measured: %d calls each in %d alternating blocks of %d, '
              '%.1fs; %s' % (len(results['trellis']), block_no, args.block,
                             elapsed, benchutil.machine_note()))
        if len(results['trellis']) < args.calls:
            print('# WARNING: stopped after --max-seconds=%s'
                  % args.max_seconds)
        stats = print_table({'trellis (ConductorAPI)': results['trellis'],
                             'bare oslo.messaging': results['bare']})
        p50_t = stats['trellis (ConductorAPI)']['p50']
        p50_b = stats['bare oslo.messaging']['p50']
        ratio = p50_t / p50_b
        print('p50 ratio trellis/bare: %.3f (goal <= %.2f: %s)'
              % (ratio, GOAL_RATIO,
                 'met' if ratio <= GOAL_RATIO else 'NOT met'))
        return 0
    finally:
        if bare_transport is not None:
            bare_transport.cleanup()
        rpc.cleanup()
        for proc in procs:
            proc.stop()
        if args.etcd_url:
            # A shared etcd: leave nothing behind under our prefix.
            try:
                client = etcd.EtcdClient(backends.etcd_url, prefix=prefix)
                client.delete_prefix('')
            except Exception as err:
                print('# could not clean etcd prefix %s: %s'
                      % (prefix, err), file=sys.stderr)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    benchutil.add_backend_args(parser)
    parser.add_argument('--calls', type=int, default=2000,
                        help='Measured calls per client (default 2000).')
    parser.add_argument('--warmup', type=int, default=100,
                        help='Uncounted calls per client first (100).')
    parser.add_argument('--block', type=int, default=20,
                        help='Calls per block; blocks alternate between '
                             'the clients (20).')
    parser.add_argument('--max-seconds', type=float, default=600.0,
                        help='Stop measuring after this long (600).')
    parser.add_argument('--start-timeout', type=float, default=60.0,
                        help='Seconds a server gets to answer (60).')
    parser.add_argument('--serve-bare', action='store_true',
                        help=argparse.SUPPRESS)
    parser.add_argument('--bare-topic', help=argparse.SUPPRESS)
    parser.add_argument('--bare-host', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.calls, args.block) < 1 or args.warmup < 0:
        parser.error('--calls and --block must be >= 1, --warmup >= 0')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.serve_bare:
        return serve_bare(args.bare_topic, args.bare_host)
    return benchutil.run_main(run, args)


if __name__ == '__main__':
    sys.exit(main())
