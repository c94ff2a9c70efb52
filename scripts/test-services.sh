#!/usr/bin/env bash
# Services the test suite uses beyond Python: a real PostgreSQL server and a headless Chromium.
# Installs them from Debian's packages when running as root (CI, fresh machines), starts a throwaway
# PostgreSQL database, and prints the environment the tests read (eval "$(scripts/test-services.sh)").
# Without root or apt it prints nothing, and those tests skip outside CI.
set -euo pipefail
log() { echo "test-services: $*" >&2; }

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  need=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]} (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${need[@]}" >&2
  fi
fi

if command -v chromium >/dev/null 2>&1; then
  echo "export COMPUTEGATE_TEST_CHROMIUM=$(command -v chromium)"
fi

if [ "$(id -u)" = "0" ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -q "^$version main$"; then
    pg_createcluster "$version" main >&2
  fi
  pg_ctlcluster "$version" main start >&2 2>/dev/null || true
  for _ in $(seq 1 30); do
    su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
    sleep 1
  done
  port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
  su postgres -c "psql -qAtc \"select 1 from pg_roles where rolname='cgtest'\"" | grep -q 1 \
    || su postgres -c "psql -qc \"create role cgtest login password 'cgtest'\"" >&2
  su postgres -c "psql -qc 'drop database if exists cgtest'" >&2
  su postgres -c "psql -qc 'create database cgtest owner cgtest'" >&2
  echo "export COMPUTEGATE_TEST_POSTGRES_URL=postgresql://cgtest:cgtest@127.0.0.1:${port}/cgtest"
  log "PostgreSQL $version on port $port"
fi
