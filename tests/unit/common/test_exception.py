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


"""Tests of Trellis exceptions."""

from tests import base
from trellis.common import exception


class TestTrellisException(base.TestCase):

    def test_formatted_message(self):
        exc = exception.EtcdUnavailable(url='http://e:2379', error='refused')
        self.assertEqual('etcd at http://e:2379 is unreachable or failed: '
                         'refused', str(exc))
        self.assertEqual(str(exc), exc.message)
        self.assertEqual({'url': 'http://e:2379', 'error': 'refused'},
                         exc.kwargs)

    def test_explicit_message(self):
        exc = exception.NotFound('Host h1 is not enrolled.')
        self.assertEqual('Host h1 is not enrolled.', str(exc))

    def test_missing_kwarg_keeps_the_format(self):
        exc = exception.LockNotAcquired()
        self.assertEqual('Lock %(name)s is held by another member.',
                         str(exc))

    def test_codes(self):
        self.assertEqual(500, exception.TrellisException().code)
        self.assertEqual(400, exception.ConfigInvalid(error='x').code)
        self.assertEqual(404, exception.ServiceNotFound(topic='t',
                                                        host='h').code)
        self.assertEqual(409, exception.LockNotAcquired(name='x').code)
        self.assertEqual(503, exception.MessagingUnavailable(
            url='u', error='e').code)
        self.assertEqual(503, exception.CoordinationUnavailable(
            url='u', error='e').code)

    def test_hierarchy(self):
        self.assertIsInstance(exception.ServiceNotFound(topic='t', host='h'),
                              exception.NotFound)
        self.assertIsInstance(exception.LockNotAcquired(name='x'),
                              exception.Conflict)
        for name in dir(exception):
            value = getattr(exception, name)
            if isinstance(value, type) and issubclass(value, Exception):
                self.assertTrue(issubclass(value,
                                           exception.TrellisException),
                                name)

    def test_coordination_names_backend(self):
        exc = exception.CoordinationUnavailable(
            url='etcd3+http://10.0.0.1:2379/', error='timed out')
        self.assertIn('etcd3+http://10.0.0.1:2379/', str(exc))
        self.assertIn('timed out', str(exc))
