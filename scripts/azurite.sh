#!/usr/bin/env bash
# Shared by demo.sh and test.sh: installs Azurite from package.json when missing, starts it on loopback
# (in-memory, so every run starts clean) and stops it when the calling script exits.
# Source it; it defines start_azurite.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AZURITE_BIN="$REPO_ROOT/node_modules/.bin/azurite"
AZURITE_PID=""

ensure_azurite_installed() {
  if [ ! -x "$AZURITE_BIN" ]; then
    echo "Installing Azurite from package.json (npm ci)…"
    (cd "$REPO_ROOT" && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi)
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop_azurite() {
  if [ -n "$AZURITE_PID" ] && kill -0 "$AZURITE_PID" 2>/dev/null; then
    kill "$AZURITE_PID" 2>/dev/null || true
    # Its state is in memory only, so nothing is lost if a slow shutdown is cut short after 10 s.
    for _ in $(seq 1 50); do
      kill -0 "$AZURITE_PID" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "$AZURITE_PID" 2>/dev/null || true
    wait "$AZURITE_PID" 2>/dev/null || true
  fi
}

start_azurite() {
  if port_open 10000 && port_open 10001 && port_open 10002; then
    echo "Azurite already listening on 127.0.0.1:10000-10002; using it."
    return 0
  fi
  ensure_azurite_installed
  "$AZURITE_BIN" --silent --inMemoryPersistence --skipApiVersionCheck --loose \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >/dev/null 2>&1 &
  AZURITE_PID=$!
  trap stop_azurite EXIT
  for _ in $(seq 1 100); do
    if port_open 10000 && port_open 10001 && port_open 10002; then
      echo "Azurite started (pid $AZURITE_PID)."
      return 0
    fi
    sleep 0.2
  done
  echo "Azurite did not start on 127.0.0.1:10000-10002" >&2
  return 1
}
