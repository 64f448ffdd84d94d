#!/usr/bin/env bash
# Builds offline stand-ins for the images the labs use (redis:7, python:3.10, node:20) when they
# are missing. Images cannot be pulled on the build machines, so a Debian root file system made
# with debootstrap is imported and small Dockerfiles make it behave like the official images.
# Usage: .ci/build-standins.sh [--force]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
base=labs-standin/base:bookworm
force=${1:-}

log() { printf '[standins] %s\n' "$*"; }
has_image() { docker image inspect "$1" >/dev/null 2>&1; }

# What a stand-in must hold beyond being there: an image made by an older version of this script
# lacks what was added since (Flask, for the jobs-api lab), and is made again.
complete() {
  case "$1" in
    python:3.10) docker run --rm --network none --entrypoint python3 "$1" -c 'import flask, hotqueue, redis' >/dev/null 2>&1 ;;
    *) true ;;
  esac
}

missing=()
for img in redis:7 python:3.10 node:20; do
  if [ "$force" = "--force" ] || ! has_image "$img"; then
    missing+=("$img")
  elif ! complete "$img"; then
    log "$img lacks what the labs need now (Flask for python:3.10): building it again"
    missing+=("$img")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  log "redis:7, python:3.10 and node:20 present and complete; nothing to build"
  exit 0
fi
log "to build: ${missing[*]}"

# The Debian mirror this machine's apt already uses (the only one reachable).
mirror() {
  local uri
  uri=$(grep -h -E '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
          | awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)
  if [ -z "$uri" ]; then
    uri=$(grep -h -E '^\s*deb\s' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n 1 || true)
  fi
  printf '%s' "$uri"
}

if [ "$force" = "--force" ] || ! has_image "$base"; then
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq debootstrap >/dev/null
  fi
  root=$(mktemp -d /tmp/labs-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap bookworm into $root"
  debootstrap --variant=minbase \
    --include=python3,python3-redis,python3-pip,python-is-python3,redis-server,nodejs,procps,ca-certificates \
    bookworm "$root" "$(mirror)" >/tmp/labs-debootstrap.log 2>&1 \
    || { tail -n 30 /tmp/labs-debootstrap.log >&2; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  log "importing $base"
  tar -C "$root" -c . | docker import - "$base" >/dev/null
fi

ctx=$(mktemp -d /tmp/labs-standin-ctx.XXXXXX)
trap 'rm -rf "$ctx" "${root:-}"' EXIT
cp "$here"/standins/* "$ctx"/
cp "$repo/test/fixtures/hotqueue/hotqueue.py" "$ctx"/
mkdir -p "$ctx/hotqueue-0.2.8.dist-info"
printf 'Metadata-Version: 2.1\nName: hotqueue\nVersion: 0.2.8\nSummary: offline stand-in with the documented API\n' \
  >"$ctx/hotqueue-0.2.8.dist-info/METADATA"
printf 'labs-standin\n' >"$ctx/hotqueue-0.2.8.dist-info/INSTALLER"
printf 'hotqueue.py,,\nhotqueue-0.2.8.dist-info/METADATA,,\n' >"$ctx/hotqueue-0.2.8.dist-info/RECORD"

for img in "${missing[@]}"; do
  case "$img" in
    redis:7) file=redis.Dockerfile ;;
    python:3.10) file=python.Dockerfile ;;
    node:20)
      file=node.Dockerfile
      # ioredis for the node stand-in, from the npm registry on the host.
      (cd "$ctx" && npm install --silent --no-audit --no-fund --no-package-lock ioredis@5 >/dev/null)
      ;;
  esac
  log "building $img"
  docker build -q -f "$ctx/$file" -t "$img" "$ctx" >/dev/null
done
log "done: $(docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^(redis:7|python:3.10|node:20) ' | tr '\n' ' ')"
