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

# Install everything Trellis needs on Debian 12, idempotently:
#   1. the Debian packages of bindep.txt (for the given profiles; default
#      "dev test galera", i.e. all of them), with apt-get, as root;
#   2. a virtualenv at <repo>/.venv (or $TRELLIS_VENV) made with the
#      system python3, holding Trellis (editable) and test-requirements.
# It is quick when everything is already there: apt is not called when no
# package is missing, and pip is not called when requirements.txt,
# test-requirements.txt, setup.cfg and setup.py have not changed since the
# last successful install.
#
# Usage: bash tools/install-deps.sh [PROFILE...]

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${TRELLIS_VENV:-$REPO/.venv}
PROFILES=${*:-dev test galera}

log() { echo "install-deps: $*" >&2; }

# Package names of bindep.txt selected by PROFILES: lines for dpkg (or for
# any platform) with no profile, or with one of the requested profiles.
bindep_packages() {
    awk -v profiles=" $PROFILES " '
        /^[[:space:]]*(#|$)/ { next }
        {
            pkg = $1; selectors = ""
            if (match($0, /\[[^]]*\]/))
                selectors = substr($0, RSTART + 1, RLENGTH - 2)
            n = split(selectors, sel, /[[:space:]]+/)
            platform_ok = 1; has_platform = 0; has_profile = 0; profile_ok = 0
            for (i = 1; i <= n; i++) {
                if (sel[i] == "") continue
                if (sel[i] ~ /^platform:/) {
                    if (!has_platform) platform_ok = 0
                    has_platform = 1
                    if (sel[i] == "platform:dpkg" ||
                        sel[i] == "platform:debian")
                        platform_ok = 1
                } else {
                    has_profile = 1
                    if (index(profiles, " " sel[i] " ")) profile_ok = 1
                }
            }
            if (platform_ok && (!has_profile || profile_ok)) print pkg
        }' "$REPO/bindep.txt"
}

install_packages() {
    local missing=() pkg
    for pkg in $(bindep_packages); do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
                grep -q 'ok installed'; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        log "Debian packages: all present"
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        log "missing Debian packages: ${missing[*]}; run as root to install"
        exit 1
    fi
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q </dev/null
    apt-get install -y -q "${missing[@]}" </dev/null
}

requirements_stamp() {
    cat "$REPO/requirements.txt" "$REPO/test-requirements.txt" \
        "$REPO/setup.cfg" "$REPO/setup.py" "$REPO/pyproject.toml" |
        sha256sum | cut -d' ' -f1
}

install_venv() {
    local python=/usr/bin/python3 stamp_file="$VENV/.trellis-deps-stamp"
    local stamp
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c '' 2>/dev/null
    then
        log "creating virtualenv $VENV with $($python --version)"
        "$python" -m venv "$VENV"
    fi
    stamp=$(requirements_stamp)
    if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] &&
            "$VENV/bin/python" -c 'import trellis.common' 2>/dev/null; then
        log "virtualenv $VENV: up to date"
        return
    fi
    log "installing Trellis and test requirements into $VENV"
    # pip's build chatter goes to a log, shown only if the install fails.
    if ! { "$VENV/bin/pip" install -q --upgrade pip &&
           "$VENV/bin/pip" install -q -e "$REPO" \
               -r "$REPO/test-requirements.txt"; } \
            >"$VENV/pip-install.log" 2>&1 </dev/null; then
        tail -n 40 "$VENV/pip-install.log" >&2
        log "pip install failed; full log: $VENV/pip-install.log"
        exit 1
    fi
    echo "$stamp" >"$stamp_file"
}

install_packages
install_venv
