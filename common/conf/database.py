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

"""The ``[database]`` group: oslo.db's options with Trellis's defaults."""

from oslo_config import cfg
from oslo_db import options as db_options

DEFAULT_CONNECTION = 'sqlite:////var/lib/trellis/trellis.sqlite'


def register_opts(conf: cfg.ConfigOpts) -> None:
    # oslo.db owns these options; Trellis only picks the embedded default
    # (SQLite, DESIGN §4). MariaDB/MySQL use mysql+pymysql:// URLs.
    db_options.set_defaults(conf, connection=DEFAULT_CONNECTION)


def list_opts() -> list:
    return []
