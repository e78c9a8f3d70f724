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

"""Authentication of the Trellis API (``[api] auth_strategy``).

``wrap`` puts one of three WSGI middlewares in front of the Flask app:

- ``noauth``: development only. Every request runs as admin; the API
  logs a loud warning when it is built.
- ``http_basic``: ``Authorization: Basic`` checked against the bcrypt
  entries of ``[api] http_basic_auth_user_file`` (see ``HtpasswdFile``
  for the format and how roles are given). A missing or wrong credential
  is a JSON 401 with ``WWW-Authenticate: Basic``.
- ``keystone``: keystonemiddleware's ``auth_token``, configured by
  ``[keystone_authtoken]``.

Whatever the strategy, the identity headers a client sends (``X-User-Id``,
``X-Roles``, ``X-Project-Id``...) are removed first: only the auth layer
sets them, and ``context_from_environ`` builds the request context from
what it set. Version discovery and the OpenAPI document are public: they
are served without credentials, as an anonymous caller (no roles).

``LogContext`` makes every log line of a request carry its request id,
also the lines logged before the request context is built (a 401).
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import threading
from typing import Any
from typing import Callable
from typing import Iterable
from typing import NamedTuple

import bcrypt
from keystonemiddleware import auth_token
from oslo_config import cfg
from oslo_log import log

from trellis.common import context as trellis_context
from trellis.common import exception
from trellis.common.i18n import _

LOG = log.getLogger(__name__)

NOAUTH = 'noauth'
HTTP_BASIC = 'http_basic'
KEYSTONE = 'keystone'

# Set in the WSGI environ by the noauth middleware (a key no client can
# set: request headers arrive as HTTP_*).
NOAUTH_ENV = 'trellis.noauth'
# Roles of the noauth context and of an http_basic user given none.
NOAUTH_ROLES = ['admin', 'member', 'reader']
DEFAULT_BASIC_ROLES = ['admin']
BASIC_REALM = 'Trellis'

# Served without credentials: version discovery and the API description.
PUBLIC_PATHS = frozenset(['', '/v1', '/v1/openapi.json'])

# Identity set by keystonemiddleware or by us, never by a client: every
# header oslo.context or keystonemiddleware reads an identity from.
_IDENTITY_HEADER_RE = re.compile(
    r'^HTTP_(X_(USER|TENANT|PROJECT|DOMAIN|ROLE|SERVICE_|IDENTITY_STATUS|'
    r'IS_ADMIN_PROJECT|SYSTEM_SCOPE|TRUST|APPLICATION_CREDENTIAL|'
    r'AUTH_TYPE)|OPENSTACK_SYSTEM_SCOPE)')

_StartResponse = Callable[..., Any]
_App = Callable[[dict, _StartResponse], Iterable[bytes]]


def strip_identity_headers(environ: dict[str, Any]) -> list[str]:
    """Remove client-supplied identity headers; return the names removed.

    ``X-Auth-Token`` (a credential, for keystone) and the request id
    headers stay.
    """
    removed = [key for key in environ if _IDENTITY_HEADER_RE.match(key)]
    for key in removed:
        del environ[key]
    return removed


def context_from_environ(environ: dict[str, Any]
                         ) -> trellis_context.RequestContext:
    """The security context of a request, from what the auth layer set.

    Under ``noauth`` it is an admin context. Otherwise it carries the
    authenticated user, project, roles and scope; a request no auth layer
    vouched for (a public path) gets no roles, so every policy but the
    public ones refuses it.
    """
    if environ.get(NOAUTH_ENV):
        ctx = trellis_context.RequestContext.from_environ(environ,
                                                          overwrite=False)
        return trellis_context.RequestContext(
            is_admin=True, user_id='noauth', roles=list(NOAUTH_ROLES),
            system_scope='all', request_id=ctx.request_id,
            global_request_id=ctx.global_request_id, overwrite=True)
    return trellis_context.RequestContext.from_environ(environ,
                                                       overwrite=True)


def _error(start_response: _StartResponse, code: int, title: str,
           message: str, headers: list[tuple[str, str]] | None = None
           ) -> list[bytes]:
    """A JSON error of the API's format (see ``errors.error_body``)."""
    body = json.dumps({'error': {'code': code, 'title': title,
                                 'message': message}}).encode('utf-8')
    start_response('%d %s' % (code, title),
                   [('Content-Type', 'application/json'),
                    ('Content-Length', str(len(body)))] + (headers or []))
    return [body]


class LogContext:
    """WSGI middleware: the request id in every log line of a request.

    oslo.log takes the context of a log line from the thread's current
    context. A bare context with the request id is made current as soon
    as the request arrives (inside oslo.middleware's ``RequestId``), so
    lines logged before the full context exists, or on a thread that
    served another request before, never carry a wrong id.
    """

    def __init__(self, application: _App) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: _StartResponse
                 ) -> Iterable[bytes]:
        trellis_context.RequestContext(
            request_id=environ.get('openstack.request_id'),
            global_request_id=environ.get('openstack.global_request_id'),
            overwrite=True)
        return self.application(environ, start_response)


class _PublicRoutes:
    """Strips identity headers; public paths skip the authentication."""

    def __init__(self, application: _App, authenticated: _App) -> None:
        self.application = application
        self.authenticated = authenticated

    def __call__(self, environ: dict, start_response: _StartResponse
                 ) -> Iterable[bytes]:
        removed = strip_identity_headers(environ)
        if removed:
            LOG.debug('Dropped identity headers sent by the client: %s',
                      ', '.join(sorted(removed)))
        if environ.get('PATH_INFO', '').rstrip('/') in PUBLIC_PATHS:
            return self.application(environ, start_response)
        return self.authenticated(environ, start_response)


class NoAuthMiddleware:
    """Every request runs as admin (development only)."""

    def __init__(self, application: _App) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: _StartResponse
                 ) -> Iterable[bytes]:
        strip_identity_headers(environ)
        environ[NOAUTH_ENV] = True
        return self.application(environ, start_response)


class BasicUser(NamedTuple):
    name: str
    crypted: bytes
    roles: list[str]


class AuthFileError(exception.TrellisException):
    _msg_fmt = _('The HTTP basic user file %(path)s is unusable: '
                 '%(reason)s')
    code = 500


_BCRYPT_PREFIXES = (b'$2a$', b'$2b$', b'$2y$')
_ROLE_RE = re.compile(r'^[A-Za-z0-9_.\-]+$')


def parse_user_line(line: str) -> BasicUser:
    """One ``user:bcrypt-hash[:role,role]`` line of an htpasswd file.

    :raises: ValueError saying what is wrong (never quoting the hash).
    """
    fields = line.split(':')
    if len(fields) not in (2, 3) or not fields[0]:
        raise ValueError(_('expected "user:bcrypt-hash" or '
                           '"user:bcrypt-hash:role,role"'))
    name, crypted = fields[0], fields[1].encode('utf-8')
    if not crypted.startswith(_BCRYPT_PREFIXES):
        raise ValueError(_('the password of %s is not a bcrypt hash '
                           '(use htpasswd -B)') % name)
    roles = list(DEFAULT_BASIC_ROLES)
    if len(fields) == 3:
        roles = [r.strip() for r in fields[2].split(',') if r.strip()]
        if not roles or not all(_ROLE_RE.match(r) for r in roles):
            raise ValueError(_('the roles of %s must be a comma separated '
                               'list such as reader or member,reader')
                             % name)
    return BasicUser(name, crypted, roles)


class HtpasswdFile:
    """The users of ``http_basic``: an htpasswd file with optional roles.

    Each line is ``user:bcrypt-hash`` as ``htpasswd -B`` writes it, with
    an optional third field of comma separated roles::

        admin:$2y$12$...                 # no roles field: admin
        alice:$2y$12$...:member
        bob:$2y$12$...:reader

    Blank lines and lines starting with ``#`` are ignored. Persona roles
    include the ones below them (admin > member > reader) through the
    policy rules, so one role per user is enough. The file is read again
    when it changes (mtime, size or inode), so users can be added or
    removed without a restart; a file that became unreadable or malformed
    refuses every request until it is fixed.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._users: dict[str, BasicUser] = {}
        self._error: str | None = None
        self.users()
        if self._error:
            raise AuthFileError(path=path, reason=self._error)

    def _load(self) -> dict[str, BasicUser]:
        users: dict[str, BasicUser] = {}
        with open(self.path, encoding='utf-8') as f:
            mode = os.fstat(f.fileno()).st_mode
            for number, raw in enumerate(f, 1):
                line = raw.strip()
                if not line or line.startswith('#'):
                    continue
                try:
                    user = parse_user_line(line)
                except ValueError as exc:
                    raise ValueError(_('line %(n)d: %(why)s') % {
                        'n': number, 'why': exc}) from None
                users[user.name] = user
        if stat.S_IMODE(mode) & 0o077:
            LOG.warning('The HTTP basic user file %s is readable by other '
                        'users (mode %o); make it 0600.', self.path,
                        stat.S_IMODE(mode))
        if not users:
            LOG.warning('The HTTP basic user file %s has no users: every '
                        'request will be refused.', self.path)
        return users

    def users(self) -> dict[str, BasicUser]:
        """The current users, read again if the file changed.

        :raises: AuthFileError when the file cannot be read or parsed.
        """
        try:
            st = os.stat(self.path)
            stamp: tuple | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError as exc:
            stamp, error = None, exc.strerror or str(exc)
        with self._lock:
            if stamp is None:
                self._stamp, self._error = None, error
            elif stamp != self._stamp:
                try:
                    self._users, self._error = self._load(), None
                except (OSError, UnicodeDecodeError, ValueError) as exc:
                    self._users = {}
                    self._error = getattr(exc, 'strerror', None) or str(exc)
                self._stamp = stamp
                if self._error:
                    LOG.error('The HTTP basic user file %s is unusable, '
                              'every request is refused: %s', self.path,
                              self._error)
                else:
                    LOG.info('Read %d users from %s', len(self._users),
                             self.path)
            if self._error:
                raise AuthFileError(path=self.path, reason=self._error)
            return self._users


class BasicAuthMiddleware:
    """HTTP basic authentication against an ``HtpasswdFile``.

    bcrypt is slow on purpose (tens of milliseconds a check). So that a
    client sending the same credentials on every request does not pay it
    each time, a successful check is remembered as an HMAC of the
    password under a random key that lives only in this process's memory,
    bound to the user's current hash: changing a password in the file
    ends it. Failed checks are never cached.
    """

    CACHE_SIZE = 1024

    def __init__(self, application: _App, path: str) -> None:
        self.application = application
        self.users = HtpasswdFile(path)
        self._key = secrets.token_bytes(32)
        self._verified: dict[tuple[str, bytes], bytes] = {}
        self._dummy: bytes | None = None
        self._cache_lock = threading.Lock()

    def _dummy_hash(self) -> bytes:
        """A hash of the cost of the file's first user, made once."""
        if self._dummy is None:
            users = list(self.users.users().values())
            rounds = 12
            if users:
                try:
                    rounds = int(users[0].crypted.split(b'$')[2])
                except (IndexError, ValueError):
                    pass
            rounds = min(max(rounds, 4), 31)
            self._dummy = bcrypt.hashpw(secrets.token_bytes(16),
                                        bcrypt.gensalt(rounds))
        return self._dummy

    def _digest(self, password: bytes) -> bytes:
        return hmac.new(self._key, password, hashlib.sha256).digest()

    def check(self, name: str, password: bytes) -> BasicUser | None:
        """The user if ``password`` is theirs, else None."""
        user = self.users.users().get(name)
        if user is None:
            # As slow as a known user's check: response times must not
            # tell which user names exist.
            bcrypt.checkpw(password[:72], self._dummy_hash())
            return None
        key = (name, user.crypted)
        digest = self._digest(password)
        with self._cache_lock:
            known = self._verified.get(key)
        if known is not None and hmac.compare_digest(known, digest):
            return user
        try:
            ok = bcrypt.checkpw(password, user.crypted)
        except ValueError:
            # Longer than bcrypt's 72 bytes, or a hash bcrypt rejects.
            ok = False
        if not ok:
            return None
        with self._cache_lock:
            if len(self._verified) >= self.CACHE_SIZE:
                self._verified.clear()
            self._verified[key] = digest
        return user

    def _known(self, name: str | None) -> bool:
        try:
            return name in self.users.users()
        except AuthFileError:
            return False

    @staticmethod
    def credentials(environ: dict[str, Any]) -> tuple[str, bytes] | None:
        """User and password of a ``Basic`` Authorization header."""
        header = environ.get('HTTP_AUTHORIZATION', '')
        scheme, _sep, token = header.strip().partition(' ')
        if scheme.lower() != 'basic' or not token.strip():
            return None
        try:
            pair = base64.b64decode(token.strip(), validate=True)
            name, sep, password = pair.partition(b':')
            if not sep:
                return None
            return name.decode('utf-8'), password
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None

    def __call__(self, environ: dict, start_response: _StartResponse
                 ) -> Iterable[bytes]:
        strip_identity_headers(environ)
        credentials = self.credentials(environ)
        try:
            user = self.check(*credentials) if credentials else None
        except AuthFileError:
            # Logged by HtpasswdFile; the client learns no server path.
            return _error(start_response, 500, 'Internal Server Error',
                          _('Authentication is unavailable: the server '
                            'logs of request %s say why.') %
                          environ.get('openstack.request_id'))
        if user is None:
            # A user name is logged only if it is one: a password typed
            # in the user field must not reach the logs.
            name = credentials[0] if credentials else None
            LOG.info('HTTP basic authentication failed for %s %s (%s)',
                     environ.get('REQUEST_METHOD'), environ.get('PATH_INFO'),
                     'no credentials' if not credentials else
                     'user %s' % name if self._known(name) else
                     'unknown user')
            return _error(
                start_response, 401, 'Unauthorized',
                _('This request needs valid HTTP basic credentials.'),
                [('WWW-Authenticate', 'Basic realm="%s"' % BASIC_REALM)])
        # The password goes no further than here.
        environ.pop('HTTP_AUTHORIZATION', None)
        environ.update({
            'HTTP_X_IDENTITY_STATUS': 'Confirmed',
            'HTTP_X_USER_ID': user.name,
            'HTTP_X_USER_NAME': user.name,
            'HTTP_X_ROLES': ','.join(user.roles),
            # Trellis operators manage whole clouds: system scope.
            'HTTP_OPENSTACK_SYSTEM_SCOPE': 'all',
        })
        return self.application(environ, start_response)


class KeystoneConfigError(exception.TrellisException):
    _msg_fmt = _('[api] auth_strategy is keystone but [keystone_authtoken] '
                 'is not configured: set auth_type, auth_url and the '
                 'service user\'s credentials (or at least '
                 'www_authenticate_uri).')
    code = 500


def register_keystone_opts(conf: cfg.ConfigOpts) -> None:
    """Register ``[keystone_authtoken]`` (also done by the middleware).

    Doing it first lets the options be read or overridden before the
    middleware is built.
    """
    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)


def keystone_middleware(application: _App, conf: cfg.ConfigOpts) -> _App:
    """keystonemiddleware's ``auth_token`` reading ``[keystone_authtoken]``.

    It validates ``X-Auth-Token`` with Keystone (``www_authenticate_uri``,
    ``auth_type`` and the service user's credentials must be set), answers
    401 itself and sets ``X-User-Id``, ``X-Project-Id``, ``X-Roles``,
    ``OpenStack-System-Scope``... for ``context_from_environ``.
    """
    register_keystone_opts(conf)
    group = conf.keystone_authtoken
    if not (group.www_authenticate_uri or group.auth_type):
        # keystonemiddleware would only fail on the first request.
        raise KeystoneConfigError()
    return auth_token.AuthProtocol(application,
                                   {'oslo_config_config': conf})


def wrap(application: _App, conf: cfg.ConfigOpts) -> _App:
    """``application`` behind the authentication of ``[api]
    auth_strategy``.

    :raises: AuthFileError when the http_basic user file is unusable, so
        the API does not start without the users it is meant to have.
    """
    strategy = conf.api.auth_strategy
    if strategy == NOAUTH:
        LOG.warning('*** [api] auth_strategy is noauth: the Trellis API '
                    'does NOT authenticate, every request is served with '
                    'admin rights. Development only: listen on a trusted '
                    'address ([api] host_ip) or use http_basic or '
                    'keystone. ***')
        return NoAuthMiddleware(application)
    if strategy == HTTP_BASIC:
        authenticated: _App = BasicAuthMiddleware(
            application, conf.api.http_basic_auth_user_file)
    elif strategy == KEYSTONE:
        authenticated = keystone_middleware(application, conf)
    else:  # oslo.config's choices make this unreachable
        raise ValueError('unknown [api] auth_strategy %r' % strategy)
    LOG.info('The Trellis API authenticates with %s', strategy)
    return _PublicRoutes(application, authenticated)

