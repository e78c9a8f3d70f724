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

"""Seconds from the death of a service until ``service list`` shows it down.

Starts (unless given URLs) a private etcd and RabbitMQ, then, N times per
case, a real ``trellis-conductor`` from a config file, in its own process
group. Once ``list_services`` shows it up (and a random part of a
keep-alive interval later, so that the kill lands anywhere in the refresh
cycle), it is killed, and ``list_services`` is polled every 50 ms until
the service shows down. Cases:

- SIGKILL to the whole process group, with the default lease TTL (10 s);
- SIGKILL likewise with a short TTL (``--ttl``, 3 s by default);
- SIGTERM to the launcher only (``kill PID``; graceful stop, the lease
  is revoked);
- SIGTERM to the whole process group, as ``systemctl stop`` does with the
  units' ``KillMode=control-group`` (launcher and worker both get it).

Prints every sample and the median and max of each case; at the end it
times one ``trellis-manage service list`` call, if that command works.
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from typing import Any

import benchutil

# Same process environment as a Trellis daemon (threading backend).
import trellis.services.cmd  # noqa: F401

DEFAULT_TTL = 10
POLL_INTERVAL = 0.05


def _row(client: Any, topic: str, host: str) -> Any:
    from trellis.common import service_registry
    for row in service_registry.list_services(client, topic):
        if row.host == host:
            return row
    return None


def wait_up(client: Any, topic: str, host: str,
            proc: benchutil.ServiceProcess, timeout: float) -> float:
    """Poll until the service is listed up; seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not proc.group_alive():
            raise benchutil.BenchError('the service exited early:\n%s'
                                       % proc.tail())
        row = _row(client, topic, host)
        if row is not None and row.up:
            return time.monotonic() - started
        time.sleep(POLL_INTERVAL)
    raise benchutil.BenchError('the service was not listed up within %ss:'
                               '\n%s' % (timeout, proc.tail()))


def wait_down(client: Any, topic: str, host: str,
              proc: benchutil.ServiceProcess, since: float,
              timeout: float) -> tuple[float | None, float | None, int]:
    """Poll every 50 ms until shown down.

    :returns: seconds from ``since`` until shown down (None: never), until
        the process group was first seen gone (None: not while polling),
        and the number of polls.
    """
    polls = 0
    gone_after = None
    while time.monotonic() - since < timeout:
        polls += 1
        if gone_after is None and not proc.group_alive():
            gone_after = time.monotonic() - since
        row = _row(client, topic, host)
        if row is None or not row.up:
            return time.monotonic() - since, gone_after, polls
        time.sleep(POLL_INTERVAL)
    return None, gone_after, polls


def one_sample(args: argparse.Namespace, backends: benchutil.Backends,
               client: Any, prefix: str, case: str, signum: int,
               to_group: bool, ttl: int, index: int,
               procs: list[benchutil.ServiceProcess]) -> float | None:
    from trellis.common import rpc

    host = 'bench-down-%s-%s-%d' % (benchutil.unique_suffix(),
                                    case.lower(), index)
    conf_path = benchutil.write_config(
        os.path.join(backends.base_dir, '%s.conf' % host),
        transport_url=backends.transport_url, etcd_url=backends.etcd_url,
        etcd_prefix=prefix, host=host, lease_ttl=ttl)
    proc = benchutil.ServiceProcess(
        [benchutil.console_script('trellis-conductor'),
         '--config-file', conf_path],
        os.path.join(backends.base_dir, '%s.log' % host))
    procs.append(proc.start())
    try:
        up_after = wait_up(client, rpc.CONDUCTOR_TOPIC, host, proc,
                           args.start_timeout)
        # Kill somewhere in the keep-alive cycle (a third of the TTL),
        # not always right after registration.
        pause = 0.5 + random.uniform(0, ttl / 3.0)
        time.sleep(pause)
        killed_at = time.monotonic()
        if to_group:
            proc.signal_group(signum)
        else:
            proc.signal(signum)
        down_after, gone_after, polls = wait_down(
            client, rpc.CONDUCTOR_TOPIC, host, proc, killed_at,
            ttl + args.extra_timeout)
        exited = gone_after is not None or proc.wait_gone(args.extra_timeout)
        if gone_after is None:
            gone_after = time.monotonic() - killed_at
        print('  %-13s ttl=%-3d #%d: up after %.2fs, killed %.2fs later; '
              'shown down after %s (%d polls); process group %s %.2fs'
              % (case, ttl, index + 1, up_after, pause,
                 '%.3fs' % down_after if down_after is not None
                 else 'NEVER (gave up)', polls,
                 'gone after' if exited else 'STILL ALIVE after',
                 gone_after), flush=True)
        return down_after
    finally:
        proc.stop()
        procs.remove(proc)


def time_manage_list(backends: benchutil.Backends, prefix: str) -> str:
    """One ``trellis-manage service list`` call, timed (for reference)."""
    try:
        manage = benchutil.console_script('trellis-manage')
    except benchutil.BenchError as err:
        return 'not available (%s)' % err
    conf_path = benchutil.write_config(
        os.path.join(backends.base_dir, 'manage.conf'),
        transport_url=backends.transport_url, etcd_url=backends.etcd_url,
        etcd_prefix=prefix, host='bench-manage')
    started = time.monotonic()
    try:
        result = subprocess.run(
            [manage, '--config-file', conf_path, 'service', 'list'],
            capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return 'did not finish within 60s'
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ['?'])[-1]
        return 'failed (exit %d after %.2fs): %s' % (result.returncode,
                                                     elapsed, last)
    return '%.2fs (whole command, including Python start-up)' % elapsed


def run(args: argparse.Namespace) -> int:
    with benchutil.Backends(args) as backends, \
            benchutil.processes() as procs:
        return _run(args, backends, procs)


def _run(args: argparse.Namespace, backends: benchutil.Backends,
         procs: list[benchutil.ServiceProcess]) -> int:
    from trellis.common import etcd

    prefix = '/trellis-bench-%s' % benchutil.unique_suffix()
    client = etcd.EtcdClient(backends.etcd_url, prefix=prefix)
    # (label, signal, to the whole group?, lease TTL)
    cases = [('SIGKILL-group', signal.SIGKILL, True, DEFAULT_TTL),
             ('SIGKILL-group', signal.SIGKILL, True, args.ttl),
             ('SIGTERM', signal.SIGTERM, False, DEFAULT_TTL),
             ('SIGTERM-group', signal.SIGTERM, True, DEFAULT_TTL)]
    if args.ttl == DEFAULT_TTL:
        del cases[1]
    print('# %s; etcd %s; %d runs per case; list_services polled every '
          '%dms' % (benchutil.machine_note(), backends.etcd_url,
                    args.repeat, POLL_INTERVAL * 1000), flush=True)
    results: list[tuple[str, int, list[float], int]] = []
    try:
        for case, signum, to_group, ttl in cases:
            samples: list[float] = []
            failed = 0
            for index in range(args.repeat):
                down = one_sample(args, backends, client, prefix, case,
                                  signum, to_group, ttl, index, procs)
                if down is None:
                    failed += 1
                else:
                    samples.append(down)
            results.append((case, ttl, samples, failed))
        print('# %s' % benchutil.machine_note())
        print('%-34s %3s %9s %9s %9s' % ('seconds until shown down', 'n',
                                         'median', 'max', 'min'))
        for case, ttl, samples, failed in results:
            what = '%s, lease ttl %ds' % (case, ttl)
            s = benchutil.summarize(samples)
            print('%-34s %3d %9.3f %9.3f %9.3f%s'
                  % (what, s['n'], s['median'], s['max'],
                     min(samples) if samples else float('nan'),
                     '  (%d never shown down)' % failed if failed else ''))
        print('trellis-manage service list: %s'
              % time_manage_list(backends, prefix))
        return 0 if all(not r[3] for r in results) else 1
    finally:
        try:
            client.delete_prefix('')
        except Exception as err:
            print('# could not clean etcd prefix %s: %s' % (prefix, err),
                  file=sys.stderr)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    benchutil.add_backend_args(parser)
    parser.add_argument('--repeat', '-n', type=int, default=5,
                        help='Runs per case (default 5).')
    parser.add_argument('--ttl', type=int, default=3,
                        help='The short lease TTL in seconds (default 3; '
                             'the service accepts 2 to 300).')
    parser.add_argument('--start-timeout', type=float, default=60.0,
                        help='Seconds a service gets to show up (60).')
    parser.add_argument('--extra-timeout', type=float, default=30.0,
                        help='Seconds beyond the TTL to wait for "down", '
                             'and for the processes to exit (30).')
    args = parser.parse_args(argv)
    if not 1 <= args.repeat <= 100 or not 2 <= args.ttl <= 300:
        parser.error('--repeat must be 1..100 and --ttl 2..300')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return benchutil.run_main(run, args)


if __name__ == '__main__':
    sys.exit(main())
