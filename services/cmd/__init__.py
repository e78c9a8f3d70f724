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

"""Console entry points. Imported first by every daemon.

oslo.service must run on its threading backend (never eventlet); the
backend is chosen once, before anything else imports oslo.service.
"""

import sys

# Trellis runs on native threads only (DESIGN §11). oslo.service still
# depends on eventlet, and futurist imports it whenever it is installed;
# marking it absent keeps it out of every Trellis process.
sys.modules.setdefault('eventlet', None)

from oslo_service import backend  # noqa: E402

backend.init_backend(backend.BackendType.THREADING)
