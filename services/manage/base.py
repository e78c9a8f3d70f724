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

"""What the trellis-manage commands share: bounded access to the bus.

oslo.messaging's rabbit driver opens the reply-queue connection of an RPC
``call`` with unlimited retries, whatever ``retry`` the call was given: a
call while the broker is down never returns. ``check_bus`` therefore
opens one send connection with ``retry=0`` first (an unreachable broker
fails at once), and ``bounded_call`` runs the call itself under a
deadline as a last guard, so a command always ends.
"""

from collections.abc import Callable
import threading
from typing import Any

from oslo_log import log
import oslo_messaging as messaging

from trellis.common import exception
from trellis.common import rpc
from trellis.common import urls
from trellis.common.conf import CONF
from trellis.common.i18n import _

LOG = log.getLogger(__name__)

# Seconds allowed for connecting to the bus, on top of an RPC timeout.
CONNECT_GRACE = 10.0


class ManageError(exception.TrellisException):
    """A trellis-manage command failed in a way the operator can act on."""

    _msg_fmt = _('%(error)s')
    code = 500


class NoAnswer(ManageError):
    _msg_fmt = _('No %(who)s answered within %(timeout)s s.')
    code = 504


def mask_url(url: str | None) -> str:
    """A transport URL fit for output: every password is ``***``."""
    if not url:
        return 'rabbit://'
    return urls.mask_password(url)


def bus_url() -> str:
    """The configured RPC transport URL, password masked."""
    return mask_url(CONF.transport_url)


def _unavailable(exc: BaseException) -> exception.MessagingUnavailable:
    # The driver's error text may quote the URL; keep passwords out.
    error = mask_url(str(exc) or type(exc).__name__)
    return exception.MessagingUnavailable(url=bus_url(), error=error)


def check_bus() -> None:
    """Fail at once with ``MessagingUnavailable`` if the bus is unreachable.

    Opens (and returns to the pool) one connection with ``retry=0``. Only
    the AMQP drivers have connections to check; others pass.
    """
    if not rpc.initialized():
        rpc.init(CONF)
    driver = getattr(rpc.TRANSPORT, '_driver', None)
    get_connection = getattr(driver, '_get_connection', None)
    if get_connection is None:
        return
    try:
        with get_connection(retry=0):
            pass
    except Exception as exc:
        raise _unavailable(exc) from exc


def bounded_call(func: Callable[[], Any], timeout: float, what: str) -> Any:
    """Run an RPC call; never wait more than ``timeout + CONNECT_GRACE``.

    :param what: who is asked, for messages ("trellis-conductor").
    :raises: NoAnswer if nobody answered within ``timeout``;
        MessagingUnavailable if the bus failed or could not be reached.
    """
    result: dict[str, Any] = {}

    def _run() -> None:
        try:
            result['value'] = func()
        except BaseException as exc:
            result['error'] = exc

    thread = threading.Thread(target=_run, name='manage-rpc', daemon=True)
    thread.start()
    thread.join(timeout + CONNECT_GRACE)
    if thread.is_alive():
        raise exception.MessagingUnavailable(
            url=bus_url(),
            error=_('no connection after %s s') % (timeout + CONNECT_GRACE))
    error = result.get('error')
    if isinstance(error, messaging.MessagingTimeout):
        raise NoAnswer(who=what, timeout=_fmt_seconds(timeout))
    if isinstance(error, messaging.RemoteError):
        raise ManageError(error=_('%(who)s failed: %(error)s') % {
            'who': what, 'error': error.value or error.exc_type})
    if error is not None and _is_bus_error(error):
        raise _unavailable(error) from error
    if error is not None:
        raise error
    return result.get('value')


def _is_bus_error(error: BaseException) -> bool:
    """Whether ``error`` means the bus failed (not the remote side)."""
    if isinstance(error, (messaging.MessageDeliveryFailure, ConnectionError,
                          OSError)):
        return True
    module = type(error).__module__ or ''
    return module.split('.')[0] in ('kombu', 'amqp')


def _fmt_seconds(value: float) -> str:
    return ('%d' % value) if float(value).is_integer() else ('%g' % value)
