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

"""An in-memory stand-in for ``trellis.common.etcd.EtcdClient``."""

import threading

from trellis.common import etcd


class FakeLease:
    def __init__(self, ttl: int) -> None:
        self.ttl = ttl
        self.id = id(self)
        self.lost = threading.Event()
        self.revoked = False

    def keep_alive(self, interval=None, on_refresh=None) -> None:
        pass

    def stop_keep_alive(self) -> None:
        pass

    def revoke(self) -> None:
        self.revoked = True
        self.lost.set()


class FakeEtcd:
    """Keys relative to a prefix, values as text, transactions evaluated."""

    def __init__(self, prefix: str = '/trellis') -> None:
        self.prefix = prefix
        self.data: dict[str, str] = {}
        self.leases: dict[str, FakeLease] = {}

    def key(self, path: str) -> str:
        return '%s/%s' % (self.prefix, path.lstrip('/'))

    def get(self, path: str) -> str | None:
        return self.data.get(self.key(path))

    def get_prefix(self, path: str) -> dict[str, str]:
        start = self.key(path)
        return {k[len(self.prefix) + 1:]: v
                for k, v in sorted(self.data.items()) if k.startswith(start)}

    def put(self, path, value, lease=None) -> None:
        self.data[self.key(path)] = etcd.encode_value(value)
        if lease is not None:
            self.leases[self.key(path)] = lease

    def create(self, path, value, lease=None) -> bool:
        if self.key(path) in self.data:
            return False
        self.put(path, value, lease)
        return True

    def delete(self, path) -> bool:
        return self.data.pop(self.key(path), None) is not None

    def delete_prefix(self, path) -> bool:
        start = self.key(path)
        gone = [k for k in self.data if k.startswith(start)]
        for k in gone:
            del self.data[k]
        return bool(gone)

    def lease(self, ttl: int) -> FakeLease:
        return FakeLease(ttl)

    def expire(self, lease: FakeLease) -> None:
        """Drop every key bound to ``lease``, as etcd does on expiry."""
        for k, owner in list(self.leases.items()):
            if owner is lease:
                self.data.pop(k, None)
                del self.leases[k]
        lease.lost.set()

    # Transactions: the txn_* helpers build tuples evaluated here.
    def txn_missing(self, path):
        return ('missing', path)

    def txn_value_equals(self, path, value):
        return ('equals', path, etcd.encode_value(value))

    def txn_put(self, path, value, lease=None):
        return ('put', path, value, lease)

    def txn_delete(self, path):
        return ('delete', path)

    def transaction(self, compare, success, failure=None) -> bool:
        ok = all(self.get(c[1]) is None if c[0] == 'missing'
                 else self.get(c[1]) == c[2] for c in compare)
        for op in (success if ok else failure or []):
            if op[0] == 'put':
                self.put(op[1], op[2], op[3])
            else:
                self.delete(op[1])
        return ok
