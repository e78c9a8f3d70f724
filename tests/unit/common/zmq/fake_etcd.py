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


"""An in-memory stand-in for ``EtcdClient``, enough for the matchmaker."""

import itertools
import json
import threading

from trellis.common import exception


class FakeLease:
    def __init__(self, etcd: 'FakeEtcd', lease_id: int, ttl: int) -> None:
        self._etcd = etcd
        self.id = lease_id
        self.ttl = ttl
        self.lost = threading.Event()
        self.kept_alive = False

    def keep_alive(self, interval=None, on_refresh=None) -> None:
        self.kept_alive = True

    def refresh(self) -> int:
        self._etcd.check()
        if self.id not in self._etcd.leases:
            self.lost.set()
            return 0
        return self.ttl

    def revoke(self) -> None:
        self._etcd.check()
        self._etcd.expire(self)


class FakeWatch:
    def __init__(self, etcd: 'FakeEtcd', entry: tuple) -> None:
        self._etcd = etcd
        self._entry = entry
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        if self._entry in self._etcd.watches:
            self._etcd.watches.remove(self._entry)


class FakeEtcd:
    """Keys relative to a prefix, leases, prefix watches; can go down."""

    def __init__(self) -> None:
        self.data: dict[str, tuple[str, int | None]] = {}
        self.leases: set[int] = set()
        self.watches: list[tuple[str, object]] = []
        self.down = False
        self._ids = itertools.count(1)

    def check(self) -> None:
        if self.down:
            raise exception.EtcdUnavailable(url='http://fake:2379',
                                            error='connection refused')

    def lease(self, ttl: int) -> FakeLease:
        self.check()
        lease = FakeLease(self, next(self._ids), ttl)
        self.leases.add(lease.id)
        return lease

    def put(self, path: str, value, lease=None) -> None:
        self.check()
        if not isinstance(value, str):
            value = json.dumps(value, sort_keys=True)
        self.data[path] = (value, lease.id if lease else None)
        self._notify({'type': 'PUT', 'key': path, 'value': value})

    def get_prefix(self, path: str) -> dict[str, str]:
        self.check()
        return {k: v for k, (v, _) in sorted(self.data.items())
                if k.startswith(path)}

    def delete(self, path: str) -> bool:
        self.check()
        if self.data.pop(path, None) is None:
            return False
        self._notify({'type': 'DELETE', 'key': path, 'value': None})
        return True

    def watch(self, path: str, callback, prefix: bool = False) -> FakeWatch:
        self.check()
        entry = (path, callback)
        self.watches.append(entry)
        return FakeWatch(self, entry)

    def expire(self, lease: FakeLease) -> None:
        """The lease ends: its keys go, with DELETE events."""
        self.leases.discard(lease.id)
        lease.lost.set()
        for path, (_, lease_id) in list(self.data.items()):
            if lease_id == lease.id:
                del self.data[path]
                self._notify({'type': 'DELETE', 'key': path, 'value': None})

    def _notify(self, event: dict) -> None:
        if self.down:
            return
        for path, callback in list(self.watches):
            if event['key'].startswith(path):
                callback(dict(event))
