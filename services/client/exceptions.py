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

"""Errors of the Trellis client, each with the text an operator reads.

The CLI prints ``str(error)`` and exits non-zero; no traceback.
"""

from typing import Any


class ClientError(Exception):
    """Base of every error the client reports."""

    exit_code = 1


class ConfigError(ClientError):
    """The endpoint or the credentials cannot be found or read."""


class ConnectionFailed(ClientError):
    """The API could not be reached (refused, DNS, TLS, timeout)."""


class APIError(ClientError):
    """The API answered with an error status.

    :param status: the HTTP status code.
    :param message: the API's ``error.message`` (or the body's text).
    :param title: the API's ``error.title`` (the reason phrase).
    :param details: the API's ``error.details`` (field errors...).
    :param request_id: ``X-Openstack-Request-Id`` of the response.
    """

    def __init__(self, status: int, message: str, title: str | None = None,
                 details: Any = None, request_id: str | None = None
                 ) -> None:
        self.status = status
        self.message = message
        self.title = title
        self.details = details
        self.request_id = request_id
        super().__init__(self._text())

    def _text(self) -> str:
        text = '%s (HTTP %s)' % (self.message or self.title or 'Error',
                                 self.status)
        if self.request_id:
            text += ' (Request-ID: %s)' % self.request_id
        for line in detail_lines(self.details):
            text += '\n  ' + line
        return text


def detail_lines(details: Any) -> list[str]:
    """``error.details`` as lines: ``field: message`` for field errors."""
    if not details:
        return []
    if isinstance(details, dict):
        details = [details]
    if not isinstance(details, list):
        return [str(details)]
    lines = []
    for item in details:
        if isinstance(item, dict):
            where = item.get('field') or item.get('path') or ''
            if item.get('file'):
                where = str(item['file']) + (
                    ':%s' % item['line'] if item.get('line') else '') + (
                    ' %s' % where if where else '')
            message = item.get('message', '')
            others = {k: v for k, v in item.items()
                      if k not in ('field', 'path', 'file', 'line',
                                   'message')}
            line = '%s: %s' % (where, message) if where else str(message)
            if others:
                line += ' (%s)' % ', '.join(
                    '%s=%s' % kv for kv in sorted(others.items()))
            lines.append(line)
        else:
            lines.append(str(item))
    return lines
