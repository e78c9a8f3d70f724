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

"""Which one ready node takes all the traffic (Fuel CCP's "leader").

One writer avoids certification deadlocks and stale reads. The leader is
kept while it stays ready, so traffic moves only when it must.
"""


def choose_leader(current: str | None,
                  ready: dict[str, int | None],
                  alive: set[str] | frozenset = frozenset()) -> str | None:
    """The leader to use given the ready nodes and their last seqno.

    :param current: the leader in etcd, if any.
    :param ready: ``{addr: wsrep_last_committed}`` of every ready node.
    :param alive: nodes that are live members without being ready (a
        donor): the current leader is kept while it is one of them and
        no other node is ready, rather than sending traffic nowhere.
    :returns: ``current`` if it is still ready, else the ready node with
        the highest committed seqno (ties: the lowest address), else the
        current leader if it is alive, else None.
    """
    if current is not None and current in ready:
        return current
    if not ready:
        return current if current is not None and current in alive else None

    def _rank(addr: str) -> tuple[int, str]:
        seqno = ready[addr]
        return (-(seqno if seqno is not None else -1), addr)

    return min(ready, key=_rank)
