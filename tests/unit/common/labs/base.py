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


"""Lab files for the tests: a valid three-controller bare-metal lab."""

import os

from tests import base

LABS_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..',
                        'etc', 'trellis', 'labs')

# Line numbers matter: the tests name them.
DEPLOY = """\
cluster: lab1
TYPE: baremetal
FLAVOR: cluster
adapter: ipmi
hosts:
- name: ctl1
  roles:
  - CONTROLLER_LB
  ipmi_ip: 10.0.6.11
  ipmi_user: admin
  ipmi_pass: pw-ctl1
  mac_addresses:
  - 52:54:00:00:01:01
  - 52:54:00:00:01:02
- name: ctl2
  roles:
  - CONTROLLER_LB
  ipmi_ip: 10.0.6.12
  ipmi_user: admin
  ipmi_pass: pw-ctl2
  mac_addresses:
  - 52:54:00:00:02:01
- name: ctl3
  roles:
  - CONTROLLER_LB
  ipmi_ip: 10.0.6.13
  ipmi_user: admin
  ipmi_pass: pw-ctl3
  mac_addresses:
  - 52:54:00:00:03:01
- name: cmp1
  roles:
  - COMPUTER
  ipmi_ip: 10.0.6.21
  ipmi_user: admin
  ipmi_pass: pw-cmp1
  mac_addresses:
  - 52:54:00:00:04:01
daisy_ip: 10.0.7.3
"""

NETWORK = """\
networks:
- name: MANAGEMENT
  cidr: 10.0.7.0/24
  gateway: 10.0.7.1
  ip_ranges:
  - start: 10.0.7.10
    end: 10.0.7.50
- name: PUBLICAPI
  cidr: 10.0.8.0/24
  gateway: 10.0.8.1
  ip_ranges:
  - start: 10.0.8.10
    end: 10.0.8.50
- name: EXTERNAL
  cidr: 172.16.0.0/24
  gateway: 172.16.0.1
  vlan: 100
  ip_ranges:
  - start: 172.16.0.10
    end: 172.16.0.20
interfaces:
- name: MANAGEMENT
  interface: eno1
- name: PUBLICAPI
  interface: eno1
- name: EXTERNAL
  interface: eno2
internal_vip: 10.0.7.100
public_vip: 10.0.8.100
"""

NODES = """\
{
  "cluster": "tri1",
  "nodes": [
    {
      "name": "node0",
      "pm_type": "pxe_ipmitool",
      "pm_addr": "10.0.9.10",
      "pm_user": "admin",
      "pm_password": "pw-node0",
      "mac": ["52:54:00:00:09:01"],
      "cpu": "4",
      "memory": "8192",
      "disk": "40",
      "arch": "x86_64",
      "capabilities": "profile:control,boot_option:local"
    },
    {
      "name": "node1",
      "pm_type": "ipmi",
      "pm_addr": "10.0.9.11",
      "pm_user": "admin",
      "pm_password": "pw-node1",
      "mac": ["52:54:00:00:09:02"],
      "capabilities": "profile:compute"
    }
  ]
}
"""


def daisy_files(deploy: str = DEPLOY, network: str = NETWORK) -> list:
    return [{'name': 'deploy.yml', 'content': deploy},
            {'name': 'network.yml', 'content': network}]


def nodes_files(nodes: str = NODES) -> list:
    return [{'name': 'nodes.json', 'content': nodes}]


def shipped(lab: str) -> list:
    """The files of a lab shipped under etc/trellis/labs."""
    directory = os.path.join(LABS_DIR, lab)
    if os.path.isfile(directory):
        names, directory = [os.path.basename(directory)], \
            os.path.dirname(directory)
    else:
        names = sorted(os.listdir(directory))
    files = []
    for name in names:
        with open(os.path.join(directory, name), encoding='utf-8') as f:
            files.append({'name': name, 'content': f.read()})
    return files


class LabTestCase(base.TestCase):

    def assertLabError(self, exc, file: str, line: int | None,
                       message_part: str, path: str | None = None) -> None:
        """``exc`` (LabInvalid) has an error at file:line mentioning
        ``message_part``."""
        found = [e for e in exc.errors
                 if e.file == file and e.line == line
                 and message_part in e.message
                 and (path is None or e.path == path)]
        self.assertTrue(found, 'no %s:%s %r (path %s) in:\n%s' % (
            file, line, message_part, path,
            '\n'.join(str(e) for e in exc.errors)))

