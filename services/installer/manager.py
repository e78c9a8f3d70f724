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

"""The trellis-installer RPC endpoint: thin, logic lives in domain modules."""

import oslo_messaging as messaging

from trellis.common import manager
from trellis.common import rpc


class InstallerManager(manager.Manager):
    """Endpoint of the trellis-installer topic."""

    # NOTE: keep in step with rpcapi.InstallerAPI.RPC_API_VERSION.
    RPC_API_VERSION = '1.0'
    target = messaging.Target(version=RPC_API_VERSION)

    def __init__(self, host: str, topic: str = rpc.INSTALLER_TOPIC) -> None:
        super().__init__(host, topic)
