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

"""JSON Schemas (Draft 2020-12) of the REST API resources.

One module per resource defines its create body, its update (JSON merge
patch) body and its response shape as a :class:`base.Resource`. The API
validates request bodies with them and ``GET /v1/openapi.json`` is built
from the very same objects, so the two cannot drift apart.
"""

from trellis.services.api.schemas import cluster
from trellis.services.api.schemas import host
from trellis.services.api.schemas import host_role
from trellis.services.api.schemas import network
from trellis.services.api.schemas import role
from trellis.services.api.schemas import version

RESOURCES = (cluster.RESOURCE, network.RESOURCE, role.RESOURCE,
             host.RESOURCE, host_role.RESOURCE, version.RESOURCE)
