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


"""Property-based fuzzing of the API from its own OpenAPI description.

The API is served for real (the app under cheroot on a free port, with
HTTP basic authentication, on a SQLite database migrated to head and a
private etcd). schemathesis reads
``/v1/openapi.json`` from that server and, for every operation, generates
valid requests (positive mode) and invalid ones (negative mode). Every
response must:

- not be a server error (5xx);
- have a documented status code and content type;
- have a body that validates against the documented response schema.

A cluster, network, role, host (with a role) and version are created
first, so that item operations also run, with generated bodies and
queries, on resources that exist (then deleted last, children first).

Bounded and reproducible: a fixed number of examples per operation and
mode, ``derandomize`` (the same requests on every run), no example
database, no shrinking, and a time budget for the whole run. Every
failure of every operation is collected and reported at once.
"""

import ipaddress
import os
import time

import bcrypt
import fixtures
import hypothesis
from hypothesis import strategies as st
import requests
import schemathesis
from schemathesis import checks as st_checks
from testtools import content

from tests import base
from tests.functional import fixtures as func_fixtures
from tests.functional.services.api import base as api_base
from trellis.common import policy
from trellis.services.api import app

TIMEOUT = 10
# Examples per operation and generation mode; with ~40 operations and two
# modes this keeps the run well under two minutes on a 2-core machine.
MAX_EXAMPLES = int(os.environ.get('TRELLIS_FUZZ_EXAMPLES', '20'))
# Wall-clock budget of the fuzzing loop (~60 s are used on an idle
# 2-core machine). Runs left when it is spent get MIN_EXAMPLES each: every
# operation is still fuzzed, the test just stays bounded on a slow box.
TIME_BUDGET = float(os.environ.get('TRELLIS_FUZZ_BUDGET', '120'))
MIN_EXAMPLES = 3
OPENAPI_PATH = '/v1/openapi.json'

# What every response is checked for.
CHECKS = [st_checks.not_a_server_error,
          st_checks.status_code_conformance,
          st_checks.content_type_conformance,
          st_checks.response_schema_conformance]

SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    suppress_health_check=list(hypothesis.HealthCheck),
    report_multiple_bugs=True,
    print_blob=False,
)


def _mac(value: int) -> str:
    return ':'.join('%02x' % b for b in value.to_bytes(6, 'big'))


def _cidr(pair: tuple[int, int]) -> str:
    return str(ipaddress.IPv4Network(pair, strict=False))


_IPV4 = st.integers(0, 2 ** 32 - 1).map(
    lambda v: str(ipaddress.IPv4Address(v)))
_IPV6 = st.integers(0, 2 ** 128 - 1).map(
    lambda v: str(ipaddress.IPv6Address(v)))

# The API's own string formats (services/api/schemas/base.py): without
# these, valid requests would carry arbitrary strings where a MAC, an
# address or a network is expected, and positive cases would be 400s.
FORMATS = {
    'mac': st.integers(0, 2 ** 48 - 1).map(_mac),
    'ip': st.one_of(_IPV4, _IPV6),
    'cidr': st.tuples(st.integers(0, 2 ** 32 - 1),
                      st.integers(8, 32)).map(_cidr),
}
for _name, _strategy in FORMATS.items():
    schemathesis.openapi.format(_name, _strategy)






# Resources created before fuzzing, so that item operations also run on
# ones that exist: (path parameter, how to create it, the field to use).
# UUIDs, not names: a fuzzed PATCH may rename a resource.
SEEDS = (
    ('cluster', 'POST', '/v1/clusters', {'name': 'fuzz-cluster'}),
    ('network', 'POST', '/v1/clusters/fuzz-cluster/networks',
     {'name': 'fuzz-net', 'type': 'MANAGEMENT', 'cidr': '10.0.0.0/24'}),
    ('role', 'POST', '/v1/clusters/fuzz-cluster/roles', {'name': 'COMPUTER'}),
    ('host', 'POST', '/v1/hosts',
     {'name': 'fuzz-host', 'cluster_uuid': 'fuzz-cluster',
      'bmc': {'driver': 'ipmi', 'address': '192.0.2.1',
              'username': 'admin', 'password': 'fuzz-secret'},
      'interfaces': [{'name': 'eth0', 'mac': '52:54:00:00:00:01',
                      'pxe': True}]}),
    ('role_name', 'PUT', '/v1/hosts/fuzz-host/roles/COMPUTER', None),
    ('version', 'POST', '/v1/versions', {'name': 'fuzz-version',
                                         'type': 'os'}),
)
# DELETEs on seeded resources run last, children before parents.
DELETE_ORDER = ('role_name', 'host', 'network', 'role', 'version',
                'cluster')
SEEDED_METHOD_ORDER = ('GET', 'PUT', 'POST', 'PATCH')
USER = 'fuzz'


def write_htpasswd(path: str, user: str, password: str) -> str:
    """An htpasswd file with one admin user (no roles means admin)."""
    crypted = bcrypt.hashpw(password.encode(), bcrypt.gensalt(4))
    with open(path, 'w') as f:
        f.write('%s:%s\n' % (user, crypted.decode()))
    os.chmod(path, 0o600)
    return path


class TestAPIFuzz(base.TestCase):
    """schemathesis over every operation of the served API."""

    timeout = int(TIME_BUDGET) + 120

    def setUp(self):
        super().setUp()
        etcd = self.useFixture(func_fixtures.EtcdFixture())
        tempdir = self.useFixture(fixtures.TempDir()).path
        self.conf([], project='trellis', default_config_files=[])
        self.config(url=etcd.url, prefix=etcd.prefix, group='etcd')
        database = self.useFixture(api_base.SQLiteDatabase())
        self.config(connection=database.url, group='database')
        self.auth = (USER, os.urandom(8).hex())
        htpasswd = write_htpasswd(os.path.join(tempdir, 'htpasswd'),
                                  *self.auth)
        self.config(auth_strategy='http_basic',
                    http_basic_auth_user_file=htpasswd, group='api')
        policy.reset()
        self.addCleanup(policy.reset)
        self.url = self.useFixture(
            api_base.ServedAPI(app.create_app(self.conf))).url
        self.session = requests.Session()
        self.session.auth = self.auth
        self.addCleanup(self.session.close)

    def _load_schema(self):
        response = self.session.get(self.url + OPENAPI_PATH, timeout=TIMEOUT)
        self.assertEqual(200, response.status_code, response.text)
        document = response.json()
        return schemathesis.openapi.from_dict(document)

    def _seed(self, path_names):
        """Create the SEEDS the description has parameters for.

        :returns: {path parameter name: value} of what was created.
        """
        known = {}
        for param, method, path, body in SEEDS:
            if param not in path_names:
                continue
            response = self.session.request(method, self.url + path,
                                            json=body, timeout=TIMEOUT)
            self.assertIn(response.status_code, (200, 201),
                          '%s %s: %s' % (method, path, response.text))
            known[param] = ('COMPUTER' if param == 'role_name'
                            else response.json()['uuid'])
        return known

    def _fuzz(self, operation, mode, path_parameters=None,
              settings=SETTINGS):
        """Run one operation in one mode; return the failure text or None."""
        strategy = operation.as_strategy(generation_mode=mode,
                                         path_parameters=path_parameters)
        label = '%s [%s%s]' % (operation.label, mode.value,
                               ', seeded' if path_parameters else '')

        @settings
        @hypothesis.given(case=strategy)
        def run(case):
            case.call_and_validate(base_url=self.url, session=self.session,
                                   checks=CHECKS, timeout=TIMEOUT)

        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            if mode is schemathesis.GenerationMode.NEGATIVE:
                # Nothing in the operation can be made invalid (no
                # parameters, no body): there is no negative case.
                return None
            return '%s: no request could be generated' % label
        except (Exception, BaseExceptionGroup) as exc:
            return '%s: %s' % (label, exc)
        return None

    def _plan(self, operations, known):
        """(operation, mode, path parameters) runs, DELETEs of seeded
        resources last and children first."""
        generated, seeded, deletes = [], [], []
        for operation in operations:
            for mode in (schemathesis.GenerationMode.POSITIVE,
                         schemathesis.GenerationMode.NEGATIVE):
                generated.append((operation, mode, None))
            names = [p.name for p in operation.path_parameters]
            if names and all(n in known for n in names):
                params = {n: known[n] for n in names}
                run = (operation, schemathesis.GenerationMode.POSITIVE,
                       params)
                if operation.method.upper() == 'DELETE':
                    deletes.append((DELETE_ORDER.index(names[-1]), run))
                else:
                    seeded.append(run)
        # Reads first, then assignments, creations and patches (a patch
        # may move the seeded host out of its cluster, dropping its role).
        seeded.sort(key=lambda run: SEEDED_METHOD_ORDER.index(
            run[0].method.upper()))
        return seeded + generated + [run for _, run in sorted(
            deletes, key=lambda item: item[0])]

    def test_no_server_error_and_responses_match_schema(self):
        schema = self._load_schema()
        operations = [result.ok() for result in schema.get_all_operations()]
        self.assertNotEqual([], operations)
        path_names = {p.name for op in operations
                      for p in op.path_parameters}
        known = self._seed(path_names)
        self.addDetail('seeded', content.text_content(repr(known)))
        deadline = time.monotonic() + TIME_BUDGET
        reduced = SETTINGS.__class__(SETTINGS, max_examples=MIN_EXAMPLES)
        failures, shortened = [], []
        for operation, mode, params in self._plan(operations, known):
            settings = SETTINGS
            if time.monotonic() > deadline:
                settings = reduced
                shortened.append('%s [%s]' % (operation.label, mode.value))
            failure = self._fuzz(operation, mode, params, settings)
            if failure:
                failures.append(failure)
        if shortened:
            self.addDetail('fuzzed-with-%d-examples' % MIN_EXAMPLES,
                           content.text_content('\n'.join(shortened)))
        self.assertEqual([], failures, '\n\n'.join(failures))
