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

"""Tests of the schema machinery: formats, patches, error details."""

from tests import base as test_base
from trellis.services.api import schemas
from trellis.services.api.schemas import base
from trellis.services.api.schemas import host
from trellis.services.api.schemas import network


class TestFormats(test_base.TestCase):

    def _ok(self, fmt, value):
        return base.FORMAT_CHECKER.conforms(value, fmt)

    def test_mac(self):
        for good in ('52:54:00:aa:bb:cc', '52-54-00-AA-BB-CC'):
            self.assertTrue(self._ok('mac', good), good)
        for bad in ('52:54:00:aa:bb', '52:54-00:aa:bb:cc', 'zz:54:00:aa:bb:cc',
                    '525400aabbcc', ''):
            self.assertFalse(self._ok('mac', bad), bad)
        self.assertEqual('52:54:00:aa:bb:cc',
                         base.normalize_mac('52-54-00-AA-BB-CC'))
        self.assertIsNone(base.normalize_mac(None))

    def test_ip_and_cidr(self):
        self.assertTrue(self._ok('ip', '192.0.2.1'))
        self.assertTrue(self._ok('ip', '2001:db8::1'))
        self.assertFalse(self._ok('ip', '192.0.2.256'))
        self.assertFalse(self._ok('ipv4', '2001:db8::1'))
        self.assertTrue(self._ok('ipv6', '2001:db8::1'))
        self.assertTrue(self._ok('cidr', '192.0.2.0/24'))
        self.assertTrue(self._ok('cidr', '2001:db8::/64'))
        for bad in ('192.0.2.1/24', '192.0.2.0', '192.0.2.0/33', 'x/24'):
            self.assertFalse(self._ok('cidr', bad), bad)

    def test_uuid(self):
        self.assertTrue(self._ok('uuid',
                                 '2c1e4f52-4d8c-4f9e-9f1a-111111111111'))
        self.assertFalse(self._ok('uuid', 'nope'))


class TestSchemas(test_base.TestCase):

    def test_all_schemas_are_valid_and_closed(self):
        for resource in schemas.RESOURCES:
            for schema in (resource.create, resource.update,
                           resource.response, resource.list_response):
                if schema is None:
                    continue
                base.check_schema(schema)
                self.assertIs(False, schema['additionalProperties'],
                              resource.name)

    def test_update_schema(self):
        update = base.update_schema(host.CREATE)
        self.assertNotIn('required', update)
        self.assertEqual([], base.errors_of(update, {}))
        self.assertEqual([], base.errors_of(update, {
            'arch': None, 'bmc': {'password': None}}))
        # A required field cannot be cleared.
        self.assertEqual(['$.name'], [d['field'] for d in base.errors_of(
            update, {'name': None})])
        self.assertNotIn('required', update['properties']['bmc'])

    def test_merge_patch(self):
        target = {'a': 1, 'b': {'c': 2, 'd': 3}, 'e': [1, 2]}
        self.assertEqual({'b': {'c': 2, 'x': 9}, 'e': [3], 'f': 'g'},
                         base.merge_patch(target, {
                             'a': None, 'b': {'d': None, 'x': 9},
                             'e': [3], 'f': 'g'}))
        self.assertEqual(1, target['a'])
        self.assertEqual({'x': 1}, base.merge_patch(None, {'x': 1}))


class TestDetails(test_base.TestCase):

    def test_every_error_with_json_paths(self):
        details = base.errors_of(host.CREATE, {
            'bmc': {'port': 'x', 'extra': 1},
            'interfaces': [{'name': 'e0'}, {'name': 'e1', 'mac': 'bad'}]})
        self.assertEqual(['$.bmc.driver', '$.bmc.extra', '$.bmc.port',
                          '$.interfaces[1].mac', '$.name'],
                         [d['field'] for d in details])

    def test_read_only_named(self):
        details = base.errors_of(host.CREATE, {'name': 'h',
                                               'status': 'init'},
                                 host.RESOURCE.read_only)
        self.assertIn('read-only', details[0]['message'])

    def test_secret_never_in_messages(self):
        secret = 'hunter2-' * 40
        details = base.errors_of(host.CREATE, {
            'name': 'h', 'bmc': {'driver': 'ipmi', 'password': secret}})
        self.assertEqual(['$.bmc.password'], [d['field'] for d in details])
        self.assertNotIn('hunter2', str(details))
        details = base.errors_of(host.CREATE, {
            'name': 'h', 'bmc': {'driver': 'ipmi', 'password': 5}})
        self.assertNotIn('5', details[0]['message'].replace('$', ''))
        exc = base.ValidationFailed('host', details)
        self.assertEqual(400, exc.code)
        self.assertIs(details, exc.details)

    def test_type_error_said_once(self):
        details = base.errors_of(network.CREATE, {'name': 'n', 'type': 5})
        self.assertEqual(1, len(details))

    def test_network_semantics(self):
        self.assertEqual([], network.semantic_errors({
            'cidr': '192.0.2.0/24', 'gateway': '192.0.2.1',
            'ip_ranges': [{'start': '192.0.2.10', 'end': '192.0.2.20'},
                          {'start': '192.0.2.21', 'end': '192.0.2.30'}]}))
        errors = network.semantic_errors({
            'cidr': '192.0.2.0/24',
            'ip_ranges': [{'start': '192.0.2.10', 'end': '192.0.2.20'},
                          {'start': '192.0.2.20', 'end': '192.0.2.30'},
                          {'start': '2001:db8::1', 'end': '192.0.2.1'}]})
        self.assertEqual(['$.ip_ranges[1]', '$.ip_ranges[2]'],
                         [e['field'] for e in errors])
