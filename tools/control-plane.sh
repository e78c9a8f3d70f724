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

# The whole Trellis control plane on one machine, for development.
#
#   bash tools/control-plane.sh start    install deps, start a private etcd
#                                        and RabbitMQ, write trellis.conf
#                                        (SQLite), db sync, start the six
#                                        services, print the service list
#   bash tools/control-plane.sh stop     SIGTERM the services, then the
#                                        servers (all by PID)
#   bash tools/control-plane.sh status   the servers and the service list
#
# Everything lives in one folder: $TRELLIS_DEV_DIR (default
# /var/lib/trellis-dev): servers/ (etcd, RabbitMQ data and logs),
# trellis.conf, trellis.sqlite, run/<service>.pid and logs/<service>.log.
# The API uses HTTP basic auth: htpasswd holds the bcrypt hash of a
# generated admin password (made once, kept across restarts); the client
# credentials are in client.yaml (both mode 0600). `source trellis.rc`
# points the trellis CLI at them.
# Servers listen on free loopback ports, so several copies (different
# folders) can run on one machine.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${TRELLIS_VENV:-$REPO/.venv}
DIR=${TRELLIS_DEV_DIR:-/var/lib/trellis-dev}
CONF=$DIR/trellis.conf
SERVICES="trellis-api trellis-conductor trellis-scheduler trellis-discovery
trellis-installer trellis-galera-watcher"
START_TIMEOUT=${TRELLIS_START_TIMEOUT:-60}
# Above [service] stop_timeout (30 s): in-flight requests may finish.
STOP_TIMEOUT=${TRELLIS_STOP_TIMEOUT:-40}

log() { echo "control-plane: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pid_alive() {
    local pid=$1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
        ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

service_pid() {
    local pidfile="$DIR/run/$1.pid" pid
    [ -f "$pidfile" ] || return 1
    pid=$(cat "$pidfile")
    pid_alive "$pid" || return 1
    echo "$pid"
}

manage() {
    "$VENV/bin/trellis-manage" --config-file "$CONF" "$@"
}

write_conf() {
    local exports=$1 etcd_url transport_url api_port
    etcd_url=$(sed -n "s/^export TRELLIS_TEST_ETCD_URL=//p" <<<"$exports")
    transport_url=$(sed -n "s/^export TRELLIS_TEST_TRANSPORT_URL=//p" \
        <<<"$exports")
    api_port=$(python3 -c "import sys; sys.path.insert(0, '$REPO/tools'); \
import servers; print(servers.free_port())")
    umask 077
    cat >"$CONF.tmp" <<EOF
# Written by tools/control-plane.sh at every start; edits are lost.
[DEFAULT]
transport_url = $transport_url

[database]
connection = sqlite:///$DIR/trellis.sqlite

[etcd]
url = $etcd_url

[service]
lease_ttl = 10

[api]
host_ip = 127.0.0.1
port = $api_port
auth_strategy = http_basic
http_basic_auth_user_file = $DIR/htpasswd
EOF
    mv "$CONF.tmp" "$CONF"
    log "trellis.conf: $CONF (API on http://127.0.0.1:$api_port/)"
}

# The API's admin user: a generated password (kept once made), its bcrypt
# hash in $DIR/htpasswd and the CLI's client.yaml + trellis.rc, all 0600.
write_credentials() {
    "$VENV/bin/python" - "$CONF" "$DIR" <<'EOF'
import configparser
import os
import secrets
import sys

import bcrypt
import yaml

conf_file, base = sys.argv[1], sys.argv[2]
users = os.path.join(base, 'htpasswd')
client = os.path.join(base, 'client.yaml')
conf = configparser.ConfigParser(interpolation=None)
conf.read(conf_file)
url = 'http://%s:%s' % (conf['api']['host_ip'], conf['api']['port'])


def write(path, text):
    fd = os.open(path + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    os.replace(path + '.tmp', path)


try:
    with open(client) as f:
        password = yaml.safe_load(f)['clouds']['trellis-dev']['password']
    with open(users) as f:
        entries = dict(line.strip().split(':', 1) for line in f
                       if line.strip() and not line.startswith('#'))
    crypted = entries['admin'].split(':')[0]
    if not bcrypt.checkpw(password.encode(), crypted.encode()):
        password = None
except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError):
    password = None
if password is None:
    password = secrets.token_urlsafe(24)
    crypted = bcrypt.hashpw(password.encode(), bcrypt.gensalt(12)).decode()
    write(users, 'admin:%s:admin\n' % crypted)
write(client, yaml.safe_dump({'default': 'trellis-dev', 'clouds': {
    'trellis-dev': {'url': url, 'username': 'admin',
                    'password': password}}}, default_flow_style=False))
write(os.path.join(base, 'trellis.rc'),
      'export TRELLIS_CLIENT_CONFIG=%s\n' % client)
EOF
    log "API credentials: $DIR/client.yaml (user admin, mode 0600);" \
        "source $DIR/trellis.rc for the trellis CLI"
}

# True when every service is registered up in etcd for this host.
all_up() {
    "$VENV/bin/python" - "$CONF" <<'EOF' 2>/dev/null
import sys

from trellis.common.conf import CONF
from trellis.common import etcd, rpc, service_registry

CONF(['--config-file', sys.argv[1]], project='trellis')
client = etcd.EtcdClient.from_conf(CONF)
up = {s.topic for s in service_registry.list_services(client)
      if s.up and s.host == CONF.host}
sys.exit(0 if set(rpc.ALL_TOPICS) <= up else 1)
EOF
}

start() {
    local exports svc pid deadline
    bash "$REPO/tools/install-deps.sh" dev
    mkdir -p "$DIR/run" "$DIR/logs"
    chmod 700 "$DIR"
    if ! exports=$(python3 "$REPO/tools/servers.py" start etcd rabbitmq \
            --base-dir "$DIR/servers"); then
        die "could not start etcd/RabbitMQ (logs under $DIR/servers)"
    fi
    running=
    for svc in $SERVICES; do
        service_pid "$svc" >/dev/null && running=1
    done
    # Services already running keep the configuration they started with.
    if [ -z "$running" ] || [ ! -f "$CONF" ]; then
        write_conf "$exports"
    fi
    write_credentials || die "could not write the API credentials"
    manage db sync || die "trellis-manage db sync failed"
    for svc in $SERVICES; do
        if pid=$(service_pid "$svc"); then
            log "$svc already running (pid $pid)"
            continue
        fi
        setsid "$VENV/bin/$svc" --config-file "$CONF" \
            >>"$DIR/logs/$svc.log" 2>&1 </dev/null &
        echo $! >"$DIR/run/$svc.pid"
        log "$svc started (pid $!, log $DIR/logs/$svc.log)"
    done
    deadline=$((SECONDS + START_TIMEOUT))
    until all_up; do
        for svc in $SERVICES; do
            service_pid "$svc" >/dev/null ||
                die "$svc exited; see $DIR/logs/$svc.log"
        done
        [ $SECONDS -lt $deadline ] ||
            die "not all services registered within ${START_TIMEOUT}s;" \
                "logs in $DIR/logs"
        sleep 0.5
    done
    log "all six services are up"
    manage service list
}

stop_pid() {
    local name=$1 pid=$2 deadline
    kill -TERM "$pid" 2>/dev/null || return 0
    deadline=$((SECONDS + STOP_TIMEOUT))
    while pid_alive "$pid" && [ $SECONDS -lt $deadline ]; do
        sleep 0.2
    done
    if pid_alive "$pid"; then
        log "$name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s; SIGKILL"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    fi
}

stop() {
    local svc pid pids=()
    for svc in $SERVICES; do
        if pid=$(service_pid "$svc"); then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$svc:$pid")
        fi
        rm -f "$DIR/run/$svc.pid"
    done
    # All got SIGTERM at once; now wait for each (SIGKILL the stubborn).
    for entry in "${pids[@]}"; do
        stop_pid "${entry%%:*}" "${entry##*:}"
        log "${entry%%:*} stopped"
    done
    if [ -f "$DIR/servers/servers.json" ]; then
        python3 "$REPO/tools/servers.py" stop --base-dir "$DIR/servers"
    fi
}

status() {
    local svc pid rc=0 servers_up=1
    python3 "$REPO/tools/servers.py" status --base-dir "$DIR/servers" ||
        { rc=1; servers_up=; }
    for svc in $SERVICES; do
        if pid=$(service_pid "$svc"); then
            echo "$svc running (pid $pid)"
        else
            echo "$svc not running"
            rc=1
        fi
    done
    if [ -n "$servers_up" ] && [ -f "$CONF" ]; then
        manage service list || rc=1
    fi
    return $rc
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
