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

"""Trellis exceptions.

Every exception the services raise on purpose derives from
``TrellisException``; its message is meant for the operator and says what
was wrong and, where it can, what to do. The module is in the RPC
allowed-exceptions list, so these exceptions cross RPC intact.
"""

from typing import Any

from trellis.common.i18n import _


class TrellisException(Exception):
    """Base class: a formatted, operator-facing message and an HTTP code."""

    _msg_fmt = _('An unknown error occurred.')
    code = 500

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        self.kwargs = kwargs
        if message is None:
            try:
                message = self._msg_fmt % kwargs
            except (KeyError, TypeError):
                # A wrong format string must not hide the real error.
                message = self._msg_fmt
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self)


class ConfigInvalid(TrellisException):
    _msg_fmt = _('Invalid configuration: %(error)s')
    code = 400


class NotFound(TrellisException):
    _msg_fmt = _('Resource could not be found.')
    code = 404


class Conflict(TrellisException):
    _msg_fmt = _('Conflict.')
    code = 409


class Invalid(TrellisException):
    _msg_fmt = _('Invalid input.')
    code = 400


class EtcdUnavailable(TrellisException):
    _msg_fmt = _('etcd at %(url)s is unreachable or failed: %(error)s')
    code = 503


class MessagingUnavailable(TrellisException):
    _msg_fmt = _('The message bus at %(url)s is unreachable: %(error)s')
    code = 503


class ServiceNotFound(NotFound):
    _msg_fmt = _('No service %(topic)s is registered on host %(host)s.')


class LockNotAcquired(Conflict):
    _msg_fmt = _('Lock %(name)s is held by another member.')


class CoordinationUnavailable(TrellisException):
    _msg_fmt = _('The coordination backend at %(url)s is unreachable or '
                 'failed: %(error)s')
    code = 503


# Database layer (trellis.common.db).

class ClusterNotFound(NotFound):
    _msg_fmt = _('Cluster %(cluster)s could not be found.')


class HostNotFound(NotFound):
    _msg_fmt = _('Host %(host)s could not be found.')


class InterfaceNotFound(NotFound):
    _msg_fmt = _('Interface %(interface)s could not be found.')


class NetworkNotFound(NotFound):
    _msg_fmt = _('Network %(network)s could not be found.')


class RoleNotFound(NotFound):
    _msg_fmt = _('Role %(role)s could not be found.')


class HostRoleNotFound(NotFound):
    _msg_fmt = _('Host role assignment %(host_role)s could not be found.')


class VersionNotFound(NotFound):
    _msg_fmt = _('Version %(version)s could not be found.')


class DeploymentNotFound(NotFound):
    _msg_fmt = _('Deployment %(deployment)s could not be found.')


class MarkerNotFound(Invalid):
    _msg_fmt = _('Marker %(marker)s could not be found; it must be the '
                 'UUID of an item of the previous page.')


class InvalidSortKey(Invalid):
    _msg_fmt = _('Cannot sort on %(key)s.')


class InvalidFilter(Invalid):
    _msg_fmt = _('Cannot filter %(resource)s on %(key)s.')


class UUIDAlreadyExists(Conflict):
    _msg_fmt = _('A %(resource)s with UUID %(uuid)s already exists.')


class ClusterAlreadyExists(Conflict):
    _msg_fmt = _('A cluster named %(name)s already exists.')


class HostNameAlreadyExists(Conflict):
    _msg_fmt = _('A host named %(name)s already exists.')


class BmcAddressAlreadyExists(Conflict):
    _msg_fmt = _('A host with BMC address %(address)s is already enrolled '
                 '(host %(host)s).')


class DmiUuidAlreadyExists(Conflict):
    _msg_fmt = _('A host with DMI UUID %(dmi_uuid)s is already enrolled '
                 '(host %(host)s).')


class MacAddressAlreadyExists(Conflict):
    _msg_fmt = _('A host with MAC %(mac)s is already enrolled '
                 '(host %(host)s).')


class InterfaceAlreadyExists(Conflict):
    _msg_fmt = _('Host %(host)s already has an interface named %(name)s.')


class NetworkAlreadyExists(Conflict):
    _msg_fmt = _('Cluster %(cluster)s already has a network named %(name)s.')


class RoleAlreadyExists(Conflict):
    _msg_fmt = _('Cluster %(cluster)s already has a role named %(name)s.')


class HostRoleAlreadyExists(Conflict):
    _msg_fmt = _('Host %(host)s already has role %(role)s.')


class VersionAlreadyExists(Conflict):
    _msg_fmt = _('A %(type)s version named %(name)s already exists.')


class ClusterDeploymentInProgress(Conflict):
    _msg_fmt = _('Cluster %(cluster)s has a %(state)s deployment '
                 '(%(deployment)s); wait for it to finish or abort it '
                 'before deleting the cluster.')


class RoleInUse(Conflict):
    _msg_fmt = _('Role %(role)s is still assigned to %(count)s host(s) '
                 '(%(hosts)s); unassign it first.')


class VersionNameAmbiguous(Conflict):
    _msg_fmt = _('Several versions are named %(name)s (types: %(types)s); '
                 'use the UUID.')


class DuplicateEntry(Conflict):
    _msg_fmt = _('A %(resource)s with the same %(columns)s already exists.')


class PolicyNotAuthorized(TrellisException):
    _msg_fmt = _('Policy does not allow %(rule)s to be performed.')
    code = 403
