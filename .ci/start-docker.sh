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

# A killed dockerd leaves its pid file behind and the next start refuses to run; the containerd it
# managed leaves one too, and the new dockerd then waits for a containerd that is not there. A pid
# may belong to a zombie or to another process by now, so check that a live process of that name has it.
live() {
  local pid=$1 name=$2 stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  case "$stat" in *"($name)"\ [RSDT]*) return 0 ;; *) return 1 ;; esac
}
for entry in /var/run/docker.pid:dockerd /var/run/docker/containerd/containerd.pid:containerd; do
  file=${entry%%:*}
  if [ -f "$file" ] && ! live "$(cat "$file")" "${entry##*:}"; then
    log "removing stale $file"
    rm -f "$file"
  fi
done

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
