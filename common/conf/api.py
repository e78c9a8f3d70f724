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

"""Options of the ``[api]`` group: the REST API server."""

from oslo_config import cfg

from trellis.common.i18n import _

group = cfg.OptGroup('api', title=_('REST API options'))

opts = [
    cfg.HostAddressOpt('host_ip',
                       default='127.0.0.1',
                       help=_('Address the API server listens on.')),
    cfg.PortOpt('port',
                default=6785,
                help=_('TCP port the API server listens on.')),
    cfg.IntOpt('threads',
               default=16, min=1, max=1024,
               help=_('Worker threads of the API server; each serves one '
                      'request at a time.')),
    cfg.StrOpt('public_endpoint',
               help=_('Public URL of this API, for version discovery when '
                      'it is behind a proxy. Unset means the URL the '
                      'request came in on.')),
    cfg.StrOpt('auth_strategy',
               default='http_basic',
               choices=[('noauth', _('No authentication: every request is '
                                     'served as admin. Development only; '
                                     'the API warns loudly at start.')),
                        ('http_basic', _('HTTP basic authentication against '
                                         'the bcrypt entries of '
                                         '[api] http_basic_auth_user_file.')),
                        ('keystone', _('OpenStack Keystone tokens, checked '
                                       'by keystonemiddleware '
                                       '([keystone_authtoken]).'))],
               help=_('How the API authenticates requests. The default, '
                      'http_basic, refuses to start until '
                      'http_basic_auth_user_file exists: an API is never '
                      'open by accident. The local control plane '
                      '(tools/control-plane.sh) writes that file with a '
                      'generated password.')),
    cfg.StrOpt('http_basic_auth_user_file',
               default='/etc/trellis/htpasswd',
               help=_('The users of auth_strategy http_basic: an htpasswd '
                      'file of "user:bcrypt-hash" lines (htpasswd -B), '
                      'optionally followed by ":role1,role2" (reader, '
                      'member or admin); a user without roles is admin. '
                      'Re-read when it changes. Keep it mode 0600.')),
    cfg.IntOpt('max_request_body_size',
               default=1024 * 1024, min=1024,
               help=_('Largest request body, in bytes, the API accepts '
                      '(except lab imports); a larger one is refused with '
                      '413.')),
    cfg.IntOpt('max_lab_body_size',
               default=16 * 1024 * 1024, min=1024,
               help=_('Largest lab import body (POST /v1/labs/import: the '
                      'lab files as JSON), in bytes; a larger one is '
                      'refused with 413.')),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list:
    return opts
