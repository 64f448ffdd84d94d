#!/bin/sh
# Behaves like the official redis image's entrypoint for what the labs use: flags alone
# (`--save 1 1`) or a .conf file become arguments of redis-server. Debian's redis-server
# refuses clients from other containers in protected mode, which the official image turns off.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = "redis-server" ]; then
  set -- "$@" --protected-mode no
fi
exec "$@"
