#!/usr/bin/env bash
# Make sure NATS (JetStream) on 127.0.0.1:4222 and PostgreSQL on 127.0.0.1:5432 are up:
# install them from Debian's packages when absent, start them when stopped, wait until they answer.
# Also install Prometheus (the server and promtool) and Alertmanager (and amtool) when absent: the
# observability and alerting tests run their own on free loopback ports, so the packaged services
# are not started.
set -euo pipefail

log() { printf '[ensure-services] %s\n' "$*"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exec 3>&- 3<&-; }
wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 0.5; done
  log "$name did not open 127.0.0.1:$port within 30 s"; return 1
}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# Install Debian packages without letting them start their service (prometheus on :9090,
# prometheus-alertmanager on :9093/:9094): a policy-rc.d denying starts, for the install only.
updated=0
[ ${#missing[@]} -eq 0 ] || updated=1
install_without_starting() {
  [ "$updated" -eq 1 ] || { as_root apt-get update -qq; updated=1; }
  local created_policy=0 install_status=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" || install_status=$?
  [ "$created_policy" -eq 0 ] || as_root rm -f /usr/sbin/policy-rc.d
  [ "$install_status" -eq 0 ] || { log "apt-get install $* failed ($install_status)"; exit "$install_status"; }
}

if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
  log "installing prometheus (server and promtool, for the observability tests)"
  install_without_starting prometheus
fi

# Alertmanager (Debian: /usr/bin/prometheus-alertmanager and amtool), for the alerting tests and
# `npm run observe`; the tests run their own on a free loopback port.
if ! command -v prometheus-alertmanager >/dev/null 2>&1 || ! command -v amtool >/dev/null 2>&1; then
  log "installing prometheus-alertmanager (Alertmanager and amtool, for the alerting tests)"
  install_without_starting prometheus-alertmanager
fi

NATS_BIN=$(command -v nats-server || echo /usr/sbin/nats-server)
if ! port_open 4222; then
  log "starting nats-server with JetStream on 127.0.0.1:4222"
  as_root mkdir -p /var/lib/nats-server
  as_root start-stop-daemon --start --oknodo --background --exec "$NATS_BIN" -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
fi
wait_port 4222 nats-server

if ! port_open 5432; then
  cluster_version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [ -z "$cluster_version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    log "creating PostgreSQL $version cluster"
    as_root pg_createcluster "$version" main
    cluster_version=$version
  fi
  log "starting PostgreSQL $cluster_version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start || as_root pg_ctlcluster "$cluster_version" main start
fi
wait_port 5432 postgresql

# Tests connect as root over TCP with trust auth (the machine's default); make sure the role exists.
if ! psql -h 127.0.0.1 -U root -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; then
  log "creating PostgreSQL role root"
  as_root su postgres -c "psql -Atc \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'root') THEN CREATE ROLE root SUPERUSER LOGIN; END IF; END\\\$\\\$\"" >/dev/null
fi
psql -h 127.0.0.1 -U root -d postgres -Atc 'SELECT 1' >/dev/null || {
  log "cannot connect to PostgreSQL as root on 127.0.0.1:5432 (tests need trust auth for root, or set TEST_DATABASE_URL)"; exit 1; }
log "NATS and PostgreSQL are up"
