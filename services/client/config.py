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

"""Where the client finds the API endpoint and the credentials.

Each setting is taken, first found, from: the command line, the
environment (``TRELLIS_URL``, ``TRELLIS_USERNAME``, ``TRELLIS_PASSWORD``,
``OS_TOKEN``...), then the client config file. The file (YAML) is the
first of ``--client-config``, ``$TRELLIS_CLIENT_CONFIG``,
``$XDG_CONFIG_HOME/trellis/client.yaml`` (``~/.config/...``) and
``/etc/trellis/client.yaml`` that exists::

    default: local
    clouds:
      local:
        url: http://127.0.0.1:6385
        username: admin
        password: secret      # or token: ...

The cloud is the one named by ``--os-cloud`` or ``$TRELLIS_CLOUD``, else
the file's ``default``, else its only cloud. A file without ``clouds``
is one cloud. A token wins over a username and password.
"""

import dataclasses
import os
import stat
from typing import Any
from typing import Mapping

import yaml

from trellis.services.client import exceptions

# Setting -> environment variable.
ENV_VARS = {
    'url': 'TRELLIS_URL',
    'username': 'TRELLIS_USERNAME',
    'password': 'TRELLIS_PASSWORD',
    'token': 'OS_TOKEN',
    'cacert': 'TRELLIS_CACERT',
    'insecure': 'TRELLIS_INSECURE',
}
CONFIG_ENV = 'TRELLIS_CLIENT_CONFIG'
CLOUD_ENV = 'TRELLIS_CLOUD'
FILE_NAME = os.path.join('trellis', 'client.yaml')
SYSTEM_FILE = os.path.join('/etc', FILE_NAME)
TRUE_WORDS = ('1', 'true', 'yes', 'on')


@dataclasses.dataclass
class Settings:
    """What the client needs to reach and authenticate to the API."""

    url: str
    username: str | None = None
    password: str | None = None
    token: str | None = None
    cacert: str | None = None
    insecure: bool = False
    timeout: float = 60.0
    source: str | None = None

    def __repr__(self) -> str:
        # Never show the secrets (tracebacks, debug output).
        return ('Settings(url=%r, username=%r, password=%s, token=%s, '
                'source=%r)' % (self.url, self.username,
                                '***' if self.password else None,
                                '***' if self.token else None, self.source))

    @property
    def auth(self) -> str:
        """``token``, ``basic`` or ``none``: how requests authenticate."""
        if self.token:
            return 'token'
        if self.username:
            return 'basic'
        return 'none'


def config_file_path(option: str | None = None,
                     environ: Mapping[str, str] | None = None
                     ) -> str | None:
    """The client config file to read, or None if there is none.

    A path given by ``--client-config`` or ``$TRELLIS_CLIENT_CONFIG`` must
    exist; the default locations are optional.
    """
    environ = os.environ if environ is None else environ
    explicit = option or environ.get(CONFIG_ENV)
    if explicit:
        if not os.path.isfile(explicit):
            raise exceptions.ConfigError(
                'The client config file %s does not exist.' % explicit)
        return explicit
    xdg = environ.get('XDG_CONFIG_HOME') or os.path.join(
        os.path.expanduser('~'), '.config')
    for path in (os.path.join(xdg, FILE_NAME), SYSTEM_FILE):
        if os.path.isfile(path):
            return path
    return None


def load_cloud(path: str, cloud: str | None = None) -> dict[str, Any]:
    """The settings of one cloud of the config file at ``path``."""
    try:
        with open(path) as f:
            data = yaml.safe_load(f)
    except OSError as exc:
        raise exceptions.ConfigError('Cannot read the client config file '
                                     '%s: %s' % (path, exc.strerror)) from exc
    except yaml.YAMLError as exc:
        raise exceptions.ConfigError('The client config file %s is not '
                                     'valid YAML: %s' % (path, exc)) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise exceptions.ConfigError('The client config file %s must hold '
                                     'a mapping.' % path)
    clouds = data.get('clouds')
    if clouds is None:
        if cloud:
            raise exceptions.ConfigError(
                'The client config file %s has no clouds; cannot use cloud '
                '%r.' % (path, cloud))
        return data
    if not isinstance(clouds, dict) or not clouds:
        raise exceptions.ConfigError('clouds in %s must be a non-empty '
                                     'mapping.' % path)
    name = cloud or data.get('default')
    if not name:
        if len(clouds) > 1:
            raise exceptions.ConfigError(
                'The client config file %s has several clouds (%s); choose '
                'one with --os-cloud or %s.' % (
                    path, ', '.join(sorted(clouds)), CLOUD_ENV))
        name = next(iter(clouds))
    if name not in clouds:
        raise exceptions.ConfigError('Cloud %r is not in %s (it has: %s).'
                                     % (name, path, ', '.join(
                                         sorted(clouds))))
    settings = clouds[name]
    if not isinstance(settings, dict):
        raise exceptions.ConfigError('Cloud %r in %s must be a mapping.'
                                     % (name, path))
    return settings


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in TRUE_WORDS
    return bool(value)


def _warn_if_readable(path: str, cloud: Mapping[str, Any]) -> str | None:
    """A warning when a file holding a secret is readable by others."""
    if not (cloud.get('password') or cloud.get('token')):
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return ('%s holds a secret but others may read it; run: chmod 600 %s'
                % (path, path))
    return None


def resolve(options: Any, environ: Mapping[str, str] | None = None,
            warnings: list[str] | None = None) -> Settings:
    """The settings from command-line ``options``, the environment, a file.

    :param options: an object with the attributes ``url``, ``username``,
        ``password``, ``token``, ``cacert``, ``insecure``, ``timeout``,
        ``os_cloud``, ``client_config`` (None when not given).
    :param warnings: if given, file permission warnings are appended.
    :raises: ConfigError when no endpoint is found or the file is bad.
    """
    environ = os.environ if environ is None else environ
    path = config_file_path(getattr(options, 'client_config', None),
                            environ)
    cloud_name = getattr(options, 'os_cloud', None) or environ.get(CLOUD_ENV)
    if cloud_name and not path:
        raise exceptions.ConfigError(
            'Cloud %r was asked for but there is no client config file (%s, '
            '~/.config/%s or %s).' % (cloud_name, CONFIG_ENV, FILE_NAME,
                                      SYSTEM_FILE))
    cloud = load_cloud(path, cloud_name) if path else {}
    if path and warnings is not None:
        warning = _warn_if_readable(path, cloud)
        if warning:
            warnings.append(warning)

    values: dict[str, Any] = {}
    for key, env_var in ENV_VARS.items():
        value = getattr(options, key, None)
        if value is None or value is False:
            value = environ.get(env_var) or None
        if value is None:
            value = cloud.get(key)
        values[key] = value
    if not values['url']:
        raise exceptions.ConfigError(
            'No Trellis API endpoint: give --url, set TRELLIS_URL, or write '
            'a client config file (%s or ~/.config/%s).' % (CONFIG_ENV,
                                                            FILE_NAME))
    if values['username'] and not values['password'] and not values['token']:
        raise exceptions.ConfigError(
            'A username (%s) was given without a password: give --password '
            'or set TRELLIS_PASSWORD.' % values['username'])
    timeout = getattr(options, 'timeout', None) or cloud.get('timeout')
    return Settings(
        url=str(values['url']),
        username=_str_or_none(values['username']),
        password=_str_or_none(values['password']),
        token=_str_or_none(values['token']),
        cacert=_str_or_none(values['cacert']),
        insecure=_as_bool(values['insecure'] or False),
        timeout=float(timeout or Settings.timeout),
        source=path)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
