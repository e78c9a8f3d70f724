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

"""Service liveness in etcd: who is registered, who is up.

Two keys per service (DESIGN §4):

- ``services/<topic>/<host>``: bound to the service's lease. It exists
  exactly while the service is alive; SIGKILL makes it vanish when the
  lease expires, a clean stop revokes the lease and it vanishes at once.
- ``service_records/<topic>/<host>``: a persistent record (first
  registration, pid, version, last seen, stopped at) so that a service
  that is down is still listed, with the time it was last seen.
"""

import dataclasses
import os
import time
from typing import Any

from oslo_log import log

from trellis.common import etcd
from trellis.common import version

LOG = log.getLogger(__name__)

LIVE_PREFIX = 'services/'
RECORD_PREFIX = 'service_records/'


@dataclasses.dataclass
class ServiceStatus:
    """One row of ``service list``."""

    topic: str
    host: str
    up: bool
    last_seen: float | None
    started_at: float | None
    pid: int | None
    version: str | None
    stopped_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class ServiceRegistration:
    """Registers one running service and keeps it alive until ``stop``."""

    def __init__(self, client: etcd.EtcdClient, topic: str, host: str,
                 ttl: int, keepalive_interval: float | None = None) -> None:
        self._client = client
        self.topic = topic
        self.host = host
        self.ttl = ttl
        self.keepalive_interval = keepalive_interval
        self._lease: etcd.Lease | None = None
        self._info: dict[str, Any] = {}

    @property
    def path(self) -> str:
        return '%s%s/%s' % (LIVE_PREFIX, self.topic, self.host)

    @property
    def record_path(self) -> str:
        return '%s%s/%s' % (RECORD_PREFIX, self.topic, self.host)

    @property
    def lease(self) -> etcd.Lease | None:
        return self._lease

    def start(self) -> None:
        """Grant the lease, write both keys, start refreshing."""
        now = time.time()
        self._info = {'topic': self.topic, 'host': self.host,
                      'pid': os.getpid(), 'version': version.version_string(),
                      'started_at': now}
        self._lease = self._client.lease(self.ttl)
        self._client.put(self.path, self._info, lease=self._lease)
        self._write_record(last_seen=now)
        self._lease.keep_alive(self.keepalive_interval,
                               on_refresh=self._on_refresh)
        LOG.info('Registered %s on %s in etcd (lease %x, ttl %ss)',
                 self.topic, self.host, self._lease.id, self.ttl)

    def _write_record(self, **extra: Any) -> None:
        record = dict(self._info, stopped_at=None)
        record.update(extra)
        self._client.put(self.record_path, record)

    def _on_refresh(self) -> None:
        self._write_record(last_seen=time.time())

    def stop(self) -> None:
        """Revoke the lease (the live key goes at once); keep the record."""
        if self._lease is None:
            return
        lease, self._lease = self._lease, None
        now = time.time()
        try:
            lease.revoke()
            self._write_record(last_seen=now, stopped_at=now)
            LOG.info('Deregistered %s on %s from etcd', self.topic,
                     self.host)
        except Exception as exc:
            LOG.warning('Could not deregister %s on %s from etcd (it will '
                        'show down when its lease expires): %s',
                        self.topic, self.host, exc)


def list_services(client: etcd.EtcdClient,
                  topic: str | None = None) -> list[ServiceStatus]:
    """Every service ever registered, up or down, sorted by topic/host."""
    suffix = (topic + '/') if topic else ''
    live = client.get_prefix_json(LIVE_PREFIX + suffix)
    records = client.get_prefix_json(RECORD_PREFIX + suffix)
    now = time.time()
    rows = {}
    for path, record in records.items():
        key = path[len(RECORD_PREFIX):]
        rows[key] = ServiceStatus(
            topic=record.get('topic'), host=record.get('host'), up=False,
            last_seen=record.get('last_seen'),
            started_at=record.get('started_at'), pid=record.get('pid'),
            version=record.get('version'),
            stopped_at=record.get('stopped_at'))
    for path, info in live.items():
        key = path[len(LIVE_PREFIX):]
        row = rows.get(key)
        if row is None:
            row = ServiceStatus(topic=info.get('topic'),
                                host=info.get('host'), up=True,
                                last_seen=None, started_at=None, pid=None,
                                version=None)
            rows[key] = row
        row.up = True
        row.last_seen = now
        row.stopped_at = None
        row.started_at = info.get('started_at')
        row.pid = info.get('pid')
        row.version = info.get('version')
    return sorted(rows.values(), key=lambda r: (r.topic or '', r.host or ''))


def forget_service(client: etcd.EtcdClient, topic: str, host: str) -> bool:
    """Remove the record of a service that is down for good."""
    return client.delete('%s%s/%s' % (RECORD_PREFIX, topic, host))
