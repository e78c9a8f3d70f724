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

"""The request context carried through RPC and into the database layer."""

from typing import Any

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """A security context for one request, API call or background job.

    It carries the oslo.context fields (request id, user, project, roles)
    across RPC and gives oslo.db's enginefacade a place to keep the
    session of the current transaction.
    """

    def to_policy_values(self) -> dict[str, Any]:
        values = super().to_policy_values()
        values['is_admin'] = self.is_admin
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any], **kwargs: Any
                  ) -> 'RequestContext':
        kwargs.setdefault('is_admin', values.get('is_admin', False))
        return super().from_dict(values, **kwargs)


def get_admin_context() -> RequestContext:
    """A context for the services' own work (not on a user's behalf)."""
    return RequestContext(is_admin=True, overwrite=False)
