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

"""Tests of trellis.common.urls."""

from tests import base
from trellis.common import urls


class TestMaskPassword(base.TestCase):

    def test_every_host_of_a_multi_host_url(self):
        self.assertEqual(
            'rabbit://u:***@h1:5672,v:***@h2:5672/vh',
            urls.mask_password('rabbit://u:p1@h1:5672,v:p2@h2:5672/vh'))

    def test_url_quoted_in_a_message(self):
        self.assertEqual(
            'cannot reach mysql+pymysql://root:***@127.0.0.1:3306/db: '
            'refused',
            urls.mask_password('cannot reach mysql+pymysql://root:s3cr3t@'
                               '127.0.0.1:3306/db: refused'))

    def test_nothing_to_mask(self):
        for text in ('http://127.0.0.1:2379', 'rabbit://user@h/', 'plain'):
            self.assertEqual(text, urls.mask_password(text))
