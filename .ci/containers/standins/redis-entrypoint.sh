#!/bin/sh
# The official image compiles protected mode off; Debian's binary needs the option.
set -eu
if [ "$1" = redis-server ]; then
    shift
    exec redis-server "$@" --protected-mode no
fi
exec "$@"
