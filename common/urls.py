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

"""Showing URLs to operators without their secrets."""

import re

# user:password@ after the scheme or after the comma of a multi-host URL
# (rabbit://u:p@h1:5672,u:p@h2:5672/).
_URL_PASSWORD = re.compile(r'(?P<lead>://|,)(?P<user>[^:/@,]*):[^@]*@')


def mask_password(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``.

    ``text`` may be a URL (several hosts included) or a message that
    quotes one, such as a driver's connection error.
    """
    return _URL_PASSWORD.sub(r'\g<lead>\g<user>:***@', text)
