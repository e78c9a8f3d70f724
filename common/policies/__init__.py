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

"""Default policies of the Trellis API, for the enforcer and the tools.

``list_policies`` is the ``oslo.policy.policies`` entry point
(``oslopolicy-sample-generator --namespace trellis.api``).
"""

import itertools

from oslo_policy import policy

from trellis.common.policies import base
from trellis.common.policies import cluster
from trellis.common.policies import host
from trellis.common.policies import host_role
from trellis.common.policies import lab
from trellis.common.policies import network
from trellis.common.policies import role
from trellis.common.policies import service
from trellis.common.policies import version


def list_policies() -> list[policy.RuleDefault]:
    """Every default rule, personas first."""
    return list(itertools.chain(
        base.list_rules(),
        service.list_rules(),
        cluster.list_rules(),
        network.list_rules(),
        role.list_rules(),
        host.list_rules(),
        host_role.list_rules(),
        version.list_rules(),
        lab.list_rules(),
    ))
