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

"""hosts.bmc_port: the TCP port of a host's BMC (API field bmc.port).

Revision ID: a3c9e2f4b7d1
Revises: f6b1c0a1d2e3
Create Date: 2026-11-22 04:05:00.000000
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'a3c9e2f4b7d1'
down_revision = 'f6b1c0a1d2e3'


def upgrade() -> None:
    op.add_column('hosts', sa.Column('bmc_port', sa.Integer(),
                                     nullable=True))
