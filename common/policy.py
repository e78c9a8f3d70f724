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

"""Policy enforcement (oslo.policy) for the Trellis API.

One enforcer per process, built on first use from ``[oslo_policy]``
(``policy_file`` may override any default of ``trellis.common.policies``).
``authorize`` is what API code calls; a refusal is a 403
``exception.PolicyNotAuthorized`` naming the rule, never a bare
oslo.policy error.
"""

import sys
import threading
from typing import Any

from oslo_config import cfg
from oslo_log import log
from oslo_policy import opts as policy_opts
from oslo_policy import policy

from trellis.common import exception
from trellis.common import policies
from trellis.common.conf import CONF

LOG = log.getLogger(__name__)

_ENFORCER: policy.Enforcer | None = None
_LOCK = threading.Lock()

# Secure RBAC: the new defaults apply unless an operator turns them off
# (oslo.policy >= 6 always checks a rule's scope_types).
policy_opts.set_defaults(CONF, enforce_new_defaults=True)


def init(conf: cfg.ConfigOpts = CONF,
         suppress_deprecation_warnings: bool = False) -> policy.Enforcer:
    """Build the process's enforcer once and register the defaults."""
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is None:
            enforcer = policy.Enforcer(conf)
            enforcer.suppress_deprecation_warnings = (
                suppress_deprecation_warnings)
            enforcer.register_defaults(policies.list_policies())
            _ENFORCER = enforcer
        return _ENFORCER


def get_enforcer() -> policy.Enforcer:
    """The enforcer; also the ``oslo.policy.enforcer`` entry point.

    The oslopolicy tools call it with their own arguments on the command
    line; those are dropped before the Trellis options are parsed, so
    ``--config-file`` still selects the operator's configuration.
    """
    if _ENFORCER is None and not CONF.config_file and 'oslopolicy' in (
            sys.argv[0] if sys.argv else ''):
        CONF(_config_args(sys.argv[1:]), project='trellis')
    return init()


def _config_args(argv: list[str]) -> list[str]:
    """Keep only the oslo.config arguments of an oslopolicy tool's argv."""
    keep: list[str] = []
    args = iter(argv)
    for arg in args:
        name = arg.split('=', 1)[0]
        if name in ('--config-file', '--config-dir'):
            keep.append(arg)
            if '=' not in arg:
                keep.append(next(args, ''))
    return keep


def reset() -> None:
    """Forget the enforcer (tests, or after the policy file changed)."""
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is not None:
            _ENFORCER.clear()
        _ENFORCER = None


def authorize(rule: str, target: dict[str, Any], context: Any) -> None:
    """Check ``rule`` for ``context`` on ``target``; raise 403 if denied.

    :raises: PolicyNotAuthorized when the rule (or the token's scope)
        does not allow the operation.
    """
    enforcer = init()
    try:
        enforcer.authorize(rule, target, context, do_raise=True)
    except policy.InvalidScope as exc:
        LOG.debug('Policy %s refused the scope of request %s', rule,
                  getattr(context, 'request_id', None))
        raise exception.PolicyNotAuthorized(rule=rule) from exc
    except policy.PolicyNotAuthorized as exc:
        LOG.debug('Policy %s refused request %s', rule,
                  getattr(context, 'request_id', None))
        raise exception.PolicyNotAuthorized(rule=rule) from exc

