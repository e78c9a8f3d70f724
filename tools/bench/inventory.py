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

"""Inventory figures of the REST API (issue 3).

Against the API served for real (the app under cheroot in a separate
process, or a ``trellis-api`` daemon with ``--daemon``), on a SQLite file
in a temporary folder (or ``--db-url``, or a private MariaDB started
through ``tools/servers.py`` with ``--mariadb``):

1. create ``--hosts`` hosts (10,000), each with two interfaces and a BMC,
   through ``POST /v1/hosts`` from ``--workers`` clients: the rate;
2. list them in pages of ``--page-size`` (1,000) following ``next``,
   ``--list-repeat`` times: p50/p99 per page;
3. show ``--shows`` hosts (1,000) picked at random (by uuid and by name):
   p50/p99;
4. import a ``--import-hosts`` (1,000) host Daisy ``deploy.yml`` plus its
   ``network.yml``, generated here, through ``POST /v1/labs/import``:
   the time (once, then again unchanged).

Each figure is printed with its goal (list page p50 < 150 ms, show p50 <
10 ms, import < 10 s) and whether it is met. Everything started here is
stopped at the end, on Ctrl-C or SIGTERM; every loop is bounded.
"""

import argparse
import concurrent.futures
import ipaddress
import os
import random
import signal
import sys
import threading
import time
from typing import Any

import benchutil  # tools/bench/benchutil.py
import requests

GOAL_LIST_P50_MS = 150.0
GOAL_SHOW_P50_MS = 10.0
GOAL_IMPORT_S = 10.0
TIMEOUT = 120
READY_TIMEOUT = 60.0


# -- the API server --------------------------------------------------------

def serve(config_file: str) -> int:
    """``--serve``: the API app under cheroot, until SIGTERM."""
    from trellis.services import cmd  # noqa: F401  (threading backend)

    # isort: split
    from trellis.common import service
    from trellis.common.conf import CONF
    from trellis.services.api import app as api_app
    from trellis.services.api import server

    service.prepare_service(['trellis-bench-api', '--config-file',
                             config_file], CONF)
    http = server.make_server(api_app.create_app(CONF), CONF.api.host_ip,
                              CONF.api.port, CONF.api.threads)
    stop = threading.Event()

    def on_term(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    thread = threading.Thread(target=http.serve, daemon=True)
    thread.start()
    while not stop.wait(0.5) and thread.is_alive():
        pass
    http.stop()
    thread.join(10)
    return 0


def migrate(db_url: str) -> None:
    """Bring the database at ``db_url`` to the head revision."""
    from oslo_db.sqlalchemy import enginefacade

    from trellis.common.db.sqlalchemy import migration

    manager = enginefacade.transaction_context()
    manager.configure(connection=db_url)
    engine = manager.writer.get_engine()
    try:
        migration.upgrade('head', engine)
    finally:
        engine.dispose()


def write_api_config(path: str, *, db_url: str, etcd_url: str,
                     etcd_prefix: str, port: int, threads: int,
                     log_file: str, transport_url: str = '',
                     auth: str = 'noauth', htpasswd: str = '') -> str:
    lines = ['[DEFAULT]', 'log_file = %s' % log_file,
             'host = bench-api-%s' % benchutil.unique_suffix()]
    if transport_url:
        lines.append('transport_url = %s' % transport_url)
    lines += ['', '[database]', 'connection = %s' % db_url,
              '', '[etcd]', 'url = %s' % etcd_url,
              'prefix = %s' % etcd_prefix,
              '', '[api]', 'host_ip = 127.0.0.1', 'port = %d' % port,
              'threads = %d' % threads, 'auth_strategy = %s' % auth]
    if htpasswd:
        lines.append('http_basic_auth_user_file = %s' % htpasswd)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path


def write_htpasswd(path: str, user: str, password: str) -> str:
    import bcrypt

    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write('%s:%s\n' % (user, hashed))
    return path


def wait_ready(session: requests.Session, url: str,
               proc: benchutil.ServiceProcess | None) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise benchutil.BenchError('the API exited:\n' + proc.tail())
        try:
            if session.get(url + '/', timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise benchutil.BenchError('the API did not answer at %s within %ss'
                               % (url, READY_TIMEOUT))


# -- request bodies -------------------------------------------------------

def mac(index: int, nic: int, base: int = 0x52) -> str:
    value = (index << 4) | nic
    return '%02x:54:%02x:%02x:%02x:%02x' % (
        base, (value >> 24) & 0xff, (value >> 16) & 0xff,
        (value >> 8) & 0xff, value & 0xff)


def bmc_address(index: int, base: str = '10.128.0.0') -> str:
    return str(ipaddress.IPv4Address(base) + index + 1)


def host_body(index: int, prefix: str) -> dict[str, Any]:
    """A host with a BMC and two interfaces (the first one PXE)."""
    return {
        'name': '%s-%05d' % (prefix, index),
        'bmc': {'driver': 'ipmi', 'address': bmc_address(index),
                'username': 'admin', 'password': 'bench-secret'},
        'arch': 'x86_64',
        'interfaces': [
            {'name': 'eth0', 'mac': mac(index, 0), 'pxe': True,
             'type': 'ether'},
            {'name': 'eth1', 'mac': mac(index, 1), 'pxe': False,
             'type': 'ether'},
        ],
    }


# -- phases ---------------------------------------------------------------

class Client:
    """One HTTP session per thread, with the run's credentials."""

    def __init__(self, url: str, auth: tuple[str, str] | None) -> None:
        self.url = url.rstrip('/')
        self.auth = auth
        self._local = threading.local()

    def session(self) -> requests.Session:
        session = getattr(self._local, 'session', None)
        if session is None:
            session = self._local.session = requests.Session()
            session.auth = self.auth
            session.headers['Accept'] = 'application/json'
        return session

    def request(self, method: str, path: str, **kwargs: Any
                ) -> tuple[requests.Response, float]:
        """The response and its time in seconds."""
        url = path if path.startswith('http') else self.url + path
        started = time.perf_counter()
        response = self.session().request(method, url, timeout=TIMEOUT,
                                          **kwargs)
        return response, time.perf_counter() - started


def check(response: requests.Response, *codes: int) -> requests.Response:
    if response.status_code not in codes:
        raise benchutil.BenchError('%s %s: %s %s' % (
            response.request.method, response.request.url,
            response.status_code, response.text[:500]))
    return response


def create_hosts(client: Client, count: int, workers: int, prefix: str,
                 deadline: float) -> tuple[list[dict], float]:
    """Create ``count`` hosts; return (uuid/name of each, seconds)."""
    lock = threading.Lock()
    created: list[dict] = []
    next_index = iter(range(count))

    def work() -> None:
        while time.monotonic() < deadline:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            response, _ = client.request('POST', '/v1/hosts',
                                         json=host_body(index, prefix))
            body = check(response, 201).json()
            with lock:
                created.append({'uuid': body['uuid'], 'name': body['name']})

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(work) for _ in range(workers)]:
            future.result()
    return created, time.perf_counter() - started


def list_pages(client: Client, page_size: int, repeat: int,
               deadline: float) -> tuple[list[float], int]:
    """Walk every page ``repeat`` times; return page times and host count."""
    times: list[float] = []
    total = 0
    for _ in range(repeat):
        total = 0
        path = '/v1/hosts?limit=%d' % page_size
        pages = 0
        while path and time.monotonic() < deadline:
            response, elapsed = client.request('GET', path)
            body = check(response, 200).json()
            times.append(elapsed)
            total += len(body['hosts'])
            path = body.get('next')
            pages += 1
            if pages > 10000:
                raise benchutil.BenchError('pagination does not end')
    return times, total


def show_hosts(client: Client, hosts: list[dict], count: int,
               deadline: float, seed: int = 42) -> list[float]:
    rng = random.Random(seed)
    times: list[float] = []
    for i in range(count):
        if time.monotonic() > deadline:
            break
        host = rng.choice(hosts)
        ident = host['uuid'] if i % 2 == 0 else host['name']
        response, elapsed = client.request('GET', '/v1/hosts/%s' % ident)
        check(response, 200)
        times.append(elapsed)
    return times


# -- the lab files --------------------------------------------------------

# (plane, cidr, NIC): every plane on eth0 but EXTERNAL, on eth1.
LAB_PLANES = (('MANAGEMENT', '10.20.0.0/16', 'eth0'),
              ('PUBLICAPI', '10.30.0.0/16', 'eth0'),
              ('STORAGE', '10.40.0.0/16', 'eth0'),
              ('TENANT', '10.50.0.0/16', 'eth0'),
              ('EXTERNAL', '10.60.0.0/16', 'eth1'))
LAB_CONTROLLERS = 3
# The generated lab: 3 controllers, 20 computes, and Ceph STORAGE nodes
# for the rest (kept so that figures stay comparable between runs).
LAB_COMPUTERS = 20


def lab_role(index: int) -> str:
    if index < LAB_CONTROLLERS:
        return 'CONTROLLER_HA'
    if index < LAB_CONTROLLERS + LAB_COMPUTERS:
        return 'COMPUTER'
    return 'STORAGE'


def daisy_lab(count: int, cluster: str) -> list[dict[str, str]]:
    """A bare-metal Daisy ``deploy.yml`` and ``network.yml`` of ``count``
    hosts with IPMI and two MACs each, as ``POST /v1/labs/import`` takes
    them (``[{"name", "content"}]``).

    Names, MACs and IPMI addresses do not overlap the created hosts'.
    """
    lines = ['cluster: %s' % cluster, 'TYPE: baremetal', 'FLAVOR: cluster',
             'adapter: ipmi', 'hosts:']
    for index in range(count):
        lines += ['- name: %s-%04d' % (cluster, index),
                  '  roles:', '  - %s' % lab_role(index),
                  '  ipmi_ip: %s' % bmc_address(index, '10.200.0.0'),
                  '  ipmi_user: admin',
                  '  ipmi_pass: bench-secret',
                  '  mac_addresses:',
                  "  - '%s'" % mac(index, 0, base=0x5a),
                  "  - '%s'" % mac(index, 1, base=0x5a)]
    deploy = '\n'.join(lines) + '\n'

    lines = ['networks:']
    for name, cidr, _nic in LAB_PLANES:
        net = ipaddress.IPv4Network(cidr)
        lines += ['- name: %s' % name,
                  '  cidr: %s' % cidr,
                  '  gateway: %s' % (net.network_address + 1),
                  '  ip_ranges:',
                  '  - start: %s' % (net.network_address + 100),
                  '    end: %s' % (net.network_address + 100 + 4000)]
    lines.append('interfaces:')
    for name, _cidr, nic in LAB_PLANES:
        lines += ['- name: %s' % name, '  interface: %s' % nic]
    lines += ['internal_vip: 10.20.0.10', 'public_vip: 10.30.0.10']
    network = '\n'.join(lines) + '\n'
    return [{'name': 'deploy.yml', 'content': deploy},
            {'name': 'network.yml', 'content': network}]


def import_lab(client: Client, files: list[dict[str, str]]
               ) -> tuple[requests.Response, float]:
    """``POST /v1/labs/import`` of the files (the cluster is in them)."""
    return client.request('POST', '/v1/labs/import', json={'files': files})


def host_changes(response: requests.Response) -> dict[str, int]:
    """The host counts of an import's change report (non-zero ones)."""
    summary = response.json().get('summary', {}).get('host', {})
    return {k: v for k, v in summary.items() if v}


# -- output ---------------------------------------------------------------

def goal(value: float, limit: float) -> str:
    return 'met' if value < limit else 'MISSED'


def print_summary(label: str, seconds: list[float]) -> dict[str, float]:
    stats = benchutil.summarize([s * 1000.0 for s in seconds])
    print('%-34s %6d %9.2f %9.2f %9.2f %9.2f' % (
        label, stats['n'], stats['p50'], stats['p99'], stats['mean'],
        stats['max']), flush=True)
    return stats


# -- main -----------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    benchutil.add_backend_args(parser)
    parser.add_argument('--serve', metavar='CONFIG_FILE',
                        help=argparse.SUPPRESS)
    parser.add_argument('--url', help='Measure this running API instead '
                        'of starting one (it must be empty of bench-*).')
    parser.add_argument('--username', default=os.environ.get(
        'TRELLIS_USERNAME'), help='HTTP basic user (with --url).')
    parser.add_argument('--password', default=os.environ.get(
        'TRELLIS_PASSWORD'), help='HTTP basic password (with --url).')
    parser.add_argument('--db-url', help='SQLAlchemy URL of an empty '
                        'database (default: a SQLite file in the base '
                        'folder).')
    parser.add_argument('--mariadb', action='store_true',
                        help='Start a private MariaDB (tools/servers.py) '
                        'and use a new database in it.')
    parser.add_argument('--daemon', action='store_true',
                        help='Serve with a trellis-api daemon (needs '
                        'RabbitMQ) instead of the app under cheroot.')
    parser.add_argument('--auth', choices=('noauth', 'http_basic'),
                        default='noauth',
                        help='[api] auth_strategy of the started API.')
    parser.add_argument('--api-threads', type=int, default=16)
    parser.add_argument('--hosts', type=int, default=10000)
    parser.add_argument('--workers', type=int, default=4,
                        help='Concurrent clients creating hosts.')
    parser.add_argument('--page-size', type=int, default=1000)
    parser.add_argument('--list-repeat', type=int, default=3)
    parser.add_argument('--shows', type=int, default=1000)
    parser.add_argument('--import-hosts', type=int, default=1000)
    parser.add_argument('--skip-import', action='store_true')
    parser.add_argument('--max-seconds', type=float, default=1200,
                        help='Bound of the whole run.')
    return parser.parse_args(argv)


def run(args: argparse.Namespace, client: Client) -> int:
    deadline = time.monotonic() + args.max_seconds
    missed = 0
    prefix = 'bench-%s' % os.urandom(2).hex()
    print('# %s' % benchutil.machine_note())

    hosts, seconds = create_hosts(client, args.hosts, args.workers,
                                  prefix, deadline)
    print('created %d hosts (2 interfaces each) in %.1fs with %d '
          'clients: %.1f hosts/s' % (len(hosts), seconds, args.workers,
                                     len(hosts) / seconds), flush=True)
    if len(hosts) < args.hosts:
        raise benchutil.BenchError('only %d hosts created before '
                                   '--max-seconds' % len(hosts))

    print('%-34s %6s %9s %9s %9s %9s' % ('(ms)', 'n', 'p50', 'p99',
                                         'mean', 'max'))
    page_times, listed = list_pages(client, args.page_size,
                                    args.list_repeat, deadline)
    stats = print_summary('list page of %d (x%d walks)'
                          % (args.page_size, args.list_repeat), page_times)
    if listed < len(hosts):
        print('# listed %d hosts, expected >= %d' % (listed, len(hosts)))
        missed += 1
    print('  list page p50 %.1f ms (goal < %.0f ms: %s)' % (
        stats['p50'], GOAL_LIST_P50_MS, goal(stats['p50'],
                                             GOAL_LIST_P50_MS)))
    missed += stats['p50'] >= GOAL_LIST_P50_MS

    show_times = show_hosts(client, hosts, args.shows, deadline)
    stats = print_summary('show one host', show_times)
    print('  show p50 %.2f ms (goal < %.0f ms: %s)' % (
        stats['p50'], GOAL_SHOW_P50_MS, goal(stats['p50'],
                                             GOAL_SHOW_P50_MS)))
    missed += stats['p50'] >= GOAL_SHOW_P50_MS

    if not args.skip_import:
        files = daisy_lab(args.import_hosts, prefix + '-lab')
        response, seconds = import_lab(client, files)
        hosts_done = host_changes(check(response, 200, 201))
        print('import of a %d-host deploy.yml + network.yml: %.2fs, hosts '
              '%s (goal < %.0f s: %s)' % (args.import_hosts, seconds,
                                          hosts_done, GOAL_IMPORT_S,
                                          goal(seconds, GOAL_IMPORT_S)))
        missed += seconds >= GOAL_IMPORT_S
        if hosts_done.get('created') != args.import_hosts:
            raise benchutil.BenchError('the import did not create every '
                                       'host: %s' % hosts_done)
        response, again = import_lab(client, files)
        print('the same files again: %.2fs, hosts %s' % (
            again, host_changes(check(response, 200, 201))))
    print('# %s at the end' % benchutil.machine_note())
    return 1 if missed else 0


def _db_url(args: argparse.Namespace, backends: benchutil.Backends,
            started: list) -> str:
    if args.db_url:
        return args.db_url
    if args.mariadb:
        servers = benchutil._import_servers()
        # mariadbd runs as mysql: it must be able to enter the folder.
        mode = os.stat(backends.base_dir).st_mode
        os.chmod(backends.base_dir, mode | 0o711)
        try:
            server = servers.start_mariadb(os.path.join(backends.base_dir,
                                                        'servers'))
        except servers.ServerError as exc:
            raise benchutil.BenchError(str(exc)) from exc
        started.append(server)
        print('# started a private MariaDB on port %d' % server.port)
        return servers.mariadb_create_database(server, 'trellis_bench')
    return 'sqlite:///%s' % os.path.join(backends.base_dir,
                                         'trellis.sqlite')


def start_api(args: argparse.Namespace, backends: benchutil.Backends,
              db_url: str, procs: list) -> Client:
    """Write the config, start the API process and wait until it answers."""
    servers = benchutil._import_servers()
    port = servers.free_port()
    auth = None
    htpasswd = ''
    if args.auth == 'http_basic':
        auth = ('bench', os.urandom(12).hex())
        htpasswd = write_htpasswd(
            os.path.join(backends.base_dir, 'htpasswd'), *auth)
    config = write_api_config(
        os.path.join(backends.base_dir, 'trellis.conf'),
        db_url=db_url, etcd_url=backends.etcd_url,
        etcd_prefix='/trellis-bench-%s' % benchutil.unique_suffix(),
        port=port, threads=args.api_threads,
        log_file=os.path.join(backends.base_dir, 'api.log'),
        transport_url=backends.transport_url, auth=args.auth,
        htpasswd=htpasswd)
    if args.daemon:
        argv = [benchutil.console_script('trellis-api'), '--config-file',
                config]
    else:
        argv = [sys.executable, os.path.abspath(__file__), '--serve',
                config]
    proc = benchutil.ServiceProcess(
        argv, os.path.join(backends.base_dir, 'api.out')).start()
    procs.append(proc)
    client = Client('http://127.0.0.1:%d' % port, auth)
    wait_ready(client.session(), client.url, proc)
    print('# API (%s, %s, %d threads) at %s, pid %d' % (
        'trellis-api daemon' if args.daemon else 'app on cheroot',
        args.auth, args.api_threads, client.url, proc.pid), flush=True)
    return client


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        return serve(args.serve)
    return benchutil.run_main(_run_with_servers, args, error_status=2)


def _run_with_servers(args: argparse.Namespace) -> int:
    """Against ``--url``, or an API this run starts with its servers."""
    if args.url:
        auth = ((args.username, args.password) if args.username else None)
        return run(args, Client(args.url, auth))
    with benchutil.Backends(args, need_etcd=True,
                            need_rabbit=args.daemon) as backends:
        started: list = []
        try:
            db_url = _db_url(args, backends, started)
            print('# database: %s' % benchutil.mask_url(db_url))
            migrate(db_url)
            # The API stops first, then the database, then Backends.
            with benchutil.processes() as procs:
                return run(args, start_api(args, backends, db_url, procs))
        finally:
            for server in started:
                try:
                    server.stop()
                except Exception as exc:
                    print('# could not stop %r: %s' % (server, exc),
                          file=sys.stderr)


if __name__ == '__main__':
    sys.exit(main())
