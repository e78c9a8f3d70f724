#!/bin/bash
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

# The test command of Trellis (README, .ci/run). On a fresh Debian 12
# machine, as root:
#   1. installs the Debian packages and the .venv (tools/install-deps.sh);
#   2. starts private etcd, RabbitMQ and MariaDB servers under a temporary
#      folder (tools/servers.py; stopped on exit) and exports their URLs as
#      TRELLIS_TEST_* for the functional fixtures;
#   3. runs the unit tests, then the functional tests;
#   4. ends with the line "N passed, N failed", and exits non-zero when a
#      test failed, a suite could not run, or no test ran at all.
#
# Usage: bash tools/run-tests.sh [unit|functional]
# Environment: TRELLIS_VENV (default <repo>/.venv), TRELLIS_SKIP_INSTALL=1
# to skip step 1, TRELLIS_FUNCTIONAL_CONCURRENCY (default 2).

set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1
VENV=${TRELLIS_VENV:-$REPO/.venv}

case "${1:-all}" in
    all) SUITES="unit functional" ;;
    unit|functional) SUITES=$1 ;;
    *) echo "usage: $0 [unit|functional]" >&2; exit 2 ;;
esac

if [ "${TRELLIS_SKIP_INSTALL:-0}" != 1 ]; then
    bash "$REPO/tools/install-deps.sh" || {
        echo "run-tests: installing dependencies failed" >&2
        echo "0 passed, 0 failed"; exit 1; }
fi
export PATH="$VENV/bin:$PATH"
export PYTHONUNBUFFERED=1

WORK=$(mktemp -d /tmp/trellis-run-tests.XXXXXX)
chmod 711 "$WORK"    # MariaDB runs as user mysql and must reach its folder
SERVERS_DIR="$WORK/servers"
cleanup() {
    if [ -f "$SERVERS_DIR/servers.json" ]; then
        python3 "$REPO/tools/servers.py" stop --base-dir "$SERVERS_DIR" \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PASSED=0
FAILED=0
SKIPPED=0
ERRORS=0

# Run one stestr suite; add its counts to the totals.
run_suite() {
    local suite=$1 log="$WORK/$1.log" rc passed failed skipped
    shift
    echo "=== $suite tests ===" >&2
    OS_TEST_PATH="./tests/$suite" stestr --test-path "./tests/$suite" \
        run "$@" </dev/null 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    passed=$(sed -n 's/^ - Passed: \([0-9]*\)$/\1/p' "$log" | tail -1)
    failed=$(sed -n 's/^ - Failed: \([0-9]*\)$/\1/p' "$log" | tail -1)
    skipped=$(sed -n 's/^ - Skipped: \([0-9]*\)$/\1/p' "$log" | tail -1)
    PASSED=$((PASSED + ${passed:-0}))
    FAILED=$((FAILED + ${failed:-0}))
    SKIPPED=$((SKIPPED + ${skipped:-0}))
    if [ "$rc" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
        # Discovery/import errors or a crashed worker: no failure counted,
        # yet the suite did not pass.
        echo "run-tests: the $suite suite exited $rc without a test" \
             "failure (import or discovery error?); see above" >&2
        ERRORS=$((ERRORS + 1))
        FAILED=$((FAILED + 1))
    fi
}

for suite in $SUITES; do
    case $suite in
        unit)
            run_suite unit
            ;;
        functional)
            if ! exports=$(python3 "$REPO/tools/servers.py" start \
                    etcd rabbitmq mariadb --base-dir "$SERVERS_DIR"); then
                echo "run-tests: could not start the test servers" >&2
                ERRORS=$((ERRORS + 1))
                FAILED=$((FAILED + 1))
                continue
            fi
            eval "$exports"
            run_suite functional \
                --concurrency "${TRELLIS_FUNCTIONAL_CONCURRENCY:-2}"
            ;;
    esac
done

cleanup
trap - EXIT
echo "Skipped: $SKIPPED; suites with errors: $ERRORS" >&2
echo "$PASSED passed, $FAILED failed"
if [ "$FAILED" -ne 0 ] || [ "$PASSED" -eq 0 ]; then
    exit 1
fi
exit 0
