#!/usr/bin/env bash
# Installs (when missing) and starts a Docker engine, then waits until it answers.
# Idempotent: a running engine is left alone.
set -euo pipefail

log() { printf '[start-docker] %s\n' "$*"; }

if docker info >/dev/null 2>&1; then
  log "engine already answers"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

# A killed dockerd leaves its pid file behind and the next start refuses to run.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  log "removing stale /var/run/docker.pid"
  rm -f /var/run/docker.pid
fi

log "starting dockerd"
nohup dockerd >/var/log/dockerd.log 2>&1 &

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine answers: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within 60 s; last lines of /var/log/dockerd.log:"
tail -n 20 /var/log/dockerd.log >&2
exit 1
