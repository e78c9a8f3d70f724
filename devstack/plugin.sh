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

# devstack plugin of Trellis: installs it from $TRELLIS_DIR, writes
# $TRELLIS_CONF with devstack's RabbitMQ, etcd3 and database, syncs the
# database and runs the six services with run_process.

# Save trace setting
_XTRACE_TRELLIS=$(set +o | grep xtrace)
set +o xtrace

function install_trellis {
    git_clone $TRELLIS_REPO $TRELLIS_DIR $TRELLIS_BRANCH
    setup_develop $TRELLIS_DIR
}

function configure_trellis {
    sudo install -d -o $STACK_USER -m 755 $TRELLIS_CONF_DIR
    install -d -m 700 $TRELLIS_STATE_PATH
    rm -f $TRELLIS_CONF

    iniset $TRELLIS_CONF DEFAULT debug $ENABLE_DEBUG_LOG_LEVEL
    iniset $TRELLIS_CONF DEFAULT transport_url $(get_transport_url)
    iniset $TRELLIS_CONF DEFAULT host $(hostname -s)

    iniset $TRELLIS_CONF etcd url "http://$ETCD_HOST:$ETCD_PORT"
    iniset $TRELLIS_CONF etcd prefix $TRELLIS_ETCD_PREFIX
    iniset $TRELLIS_CONF service lease_ttl $TRELLIS_LEASE_TTL

    if is_service_enabled mysql postgresql; then
        iniset $TRELLIS_CONF database connection \
            $(database_connection_url trellis)
    else
        iniset $TRELLIS_CONF database connection \
            "sqlite:///$TRELLIS_STATE_PATH/trellis.sqlite"
    fi

    iniset $TRELLIS_CONF api host_ip $SERVICE_LISTEN_ADDRESS
    iniset $TRELLIS_CONF api port $TRELLIS_SERVICE_PORT
    iniset $TRELLIS_CONF api public_endpoint \
        "$SERVICE_PROTOCOL://$TRELLIS_SERVICE_HOST:$TRELLIS_SERVICE_PORT"

    # devstack has Keystone: the API checks its tokens (the default,
    # http_basic, would refuse to start without a user file).
    if is_service_enabled keystone; then
        iniset $TRELLIS_CONF api auth_strategy keystone
        configure_keystone_authtoken_middleware $TRELLIS_CONF trellis
    else
        iniset $TRELLIS_CONF api auth_strategy noauth
    fi
}

function create_trellis_accounts {
    if is_service_enabled keystone; then
        create_service_user "trellis" "admin"
    fi
}

function init_trellis {
    if is_service_enabled mysql postgresql; then
        recreate_database trellis
    fi
    $TRELLIS_BIN_DIR/trellis-manage --config-file $TRELLIS_CONF db sync
}

function start_trellis {
    local svc
    for svc in $TRELLIS_SERVICES; do
        run_process $svc "$TRELLIS_BIN_DIR/$svc --config-file $TRELLIS_CONF"
    done
    if is_service_enabled trellis-api; then
        echo "Waiting for trellis-api to answer on port $TRELLIS_SERVICE_PORT"
        if ! wait_for_service $SERVICE_TIMEOUT \
                "$SERVICE_PROTOCOL://$TRELLIS_SERVICE_HOST:$TRELLIS_SERVICE_PORT/"; then
            die $LINENO "trellis-api did not start"
        fi
    fi
}

function stop_trellis {
    local svc
    for svc in $TRELLIS_SERVICES; do
        stop_process $svc
    done
}

function cleanup_trellis {
    sudo rm -rf $TRELLIS_CONF_DIR $TRELLIS_STATE_PATH
}

if is_service_enabled trellis-api trellis-conductor trellis-scheduler \
        trellis-discovery trellis-installer trellis-galera-watcher; then

    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Trellis"
        install_trellis

    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Trellis"
        create_trellis_accounts
        configure_trellis
        init_trellis

    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting Trellis"
        start_trellis
        $TRELLIS_BIN_DIR/trellis-manage --config-file $TRELLIS_CONF \
            service list || true
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_trellis
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_trellis
    fi
fi

# Restore xtrace
$_XTRACE_TRELLIS
