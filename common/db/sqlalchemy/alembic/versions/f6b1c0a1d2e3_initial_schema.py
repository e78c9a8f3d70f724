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

"""Initial schema: clusters, hosts, interfaces, networks, roles, versions.

host_roles and deployments too. The tables match
trellis.common.db.sqlalchemy.models exactly (a unit test checks it).

Revision ID: f6b1c0a1d2e3
Revises:
Create Date: 2026-11-22 03:15:16.350508
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'f6b1c0a1d2e3'
down_revision = None


def upgrade() -> None:
    op.create_table(
        'clusters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('target', sa.String(length=255), nullable=True),
        sa.Column('config', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name', name='uniq_clusters0name'),
        sa.UniqueConstraint('uuid', name='uniq_clusters0uuid'),
        mysql_charset='utf8mb4',
        mysql_engine='InnoDB',
    )
    op.create_table(
        'versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('type', sa.String(length=16), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('file', sa.String(length=1024), nullable=True),
        sa.Column('checksum', sa.String(length=255), nullable=True),
        sa.Column('size', sa.BigInteger(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name', 'type', name='uniq_versions0name0type'),
        sa.UniqueConstraint('uuid', name='uniq_versions0uuid'),
        mysql_charset='utf8mb4',
        mysql_engine='InnoDB',
    )
    op.create_table(
        'deployments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('cluster_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('options', sa.Text(), nullable=True),
        sa.Column('state', sa.String(length=32), nullable=False),
        sa.Column('current_step', sa.String(length=64), nullable=True),
        sa.Column('owner', sa.String(length=255), nullable=True),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid', name='uniq_deployments0uuid'),
        mysql_charset='utf8mb4',
        mysql_engine='InnoDB',
    )
    op.create_index('deployments_cluster_id_idx', 'deployments',
                    ['cluster_id'])
    op.create_index('deployments_state_idx', 'deployments', ['state'])
    op.create_table(
        'hosts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=True),
        sa.Column('dmi_uuid', sa.String(length=36), nullable=True),
        sa.Column('cluster_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('discover_state', sa.String(length=32), nullable=True),
        sa.Column('os_status', sa.String(length=32), nullable=False),
        sa.Column('os_progress', sa.Integer(), nullable=False),
        sa.Column('messages', sa.Text(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('maintenance', sa.Boolean(), nullable=False),
        sa.Column('maintenance_reason', sa.Text(), nullable=True),
        sa.Column('power_state', sa.String(length=32), nullable=True),
        sa.Column('bmc_driver', sa.String(length=32), nullable=True),
        sa.Column('bmc_address', sa.String(length=255), nullable=True),
        sa.Column('bmc_username', sa.String(length=255), nullable=True),
        sa.Column('bmc_password', sa.String(length=255), nullable=True),
        sa.Column('cpu', sa.Text(), nullable=True),
        sa.Column('memory', sa.Text(), nullable=True),
        sa.Column('disks', sa.Text(), nullable=True),
        sa.Column('system', sa.Text(), nullable=True),
        sa.Column('pci', sa.Text(), nullable=True),
        sa.Column('arch', sa.String(length=32), nullable=True),
        sa.Column('position', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id'],
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('bmc_address', name='uniq_hosts0bmc_address'),
        sa.UniqueConstraint('dmi_uuid', name='uniq_hosts0dmi_uuid'),
        sa.UniqueConstraint('name', name='uniq_hosts0name'),
        sa.UniqueConstraint('uuid', name='uniq_hosts0uuid'),
        mysql_charset='utf8mb4',
        mysql_engine='InnoDB',
    )
    op.create_index('hosts_cluster_id_idx', 'hosts', ['cluster_id'])
    op.create_index('hosts_os_status_idx', 'hosts', ['os_status'])
    op.create_index('hosts_status_idx', 'hosts', ['status'])
    op.create_table(
        'networks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('cluster_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('network_type', sa.String(length=32), nullable=False),
        sa.Column('cidr', sa.String(length=64), nullable=True),
        sa.Column('gateway', sa.String(length=64), nullable=True),
        sa.Column('vlan_id', sa.Integer(), nullable=True),
        sa.Column('ip_ranges', sa.Text(), nullable=True),
        sa.Column('mtu', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('cluster_id', 'name',
                            name='uniq_networks0cluster_id0name'),
        sa.UniqueConstraint('uuid', name='uniq_networks0uuid'),
        mysql_charset='utf8mb4',
        mysql_engine='InnoDB',
    )
    op.create_table(
        'roles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('cluster_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('messages', sa.Text(), nullable=True),
        sa.Column('vip', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('cluster_id', 'name',
                            name='uniq_roles0cluster_id0name'),
        sa.UniqueConstraint('uuid', name='uniq_roles0uuid'),
        mysql_charset='utf8mb4',
        mysql_engine='InnoDB',
    )
    op.create_table(
        'host_roles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('host_id', sa.Integer(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('role_status', sa.String(length=32), nullable=False),
        sa.Column('role_progress', sa.Integer(), nullable=False),
        sa.Column('role_messages', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['host_id'], ['hosts.id'],
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['role_id'], ['roles.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('host_id', 'role_id',
                            name='uniq_host_roles0host_id0role_id'),
        sa.UniqueConstraint('uuid', name='uniq_host_roles0uuid'),
        mysql_charset='utf8mb4',
        mysql_engine='InnoDB',
    )
    op.create_index('host_roles_role_id_idx', 'host_roles', ['role_id'])
    op.create_table(
        'interfaces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('host_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('mac', sa.String(length=32), nullable=True),
        sa.Column('pxe', sa.Boolean(), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.Column('netmask', sa.String(length=64), nullable=True),
        sa.Column('gateway', sa.String(length=64), nullable=True),
        sa.Column('type', sa.String(length=16), nullable=False),
        sa.Column('slaves', sa.Text(), nullable=True),
        sa.Column('mode', sa.String(length=32), nullable=True),
        sa.Column('vlan_id', sa.Integer(), nullable=True),
        sa.Column('speed', sa.Integer(), nullable=True),
        sa.Column('assigned_networks', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['host_id'], ['hosts.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('host_id', 'name',
                            name='uniq_interfaces0host_id0name'),
        sa.UniqueConstraint('mac', name='uniq_interfaces0mac'),
        sa.UniqueConstraint('uuid', name='uniq_interfaces0uuid'),
        mysql_charset='utf8mb4',
        mysql_engine='InnoDB',
    )
