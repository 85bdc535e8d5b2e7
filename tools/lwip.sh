#!/usr/bin/env bash
# Fetches lwIP's source from Debian into OUT/src (tools/debsrc.sh says how).
#   tools/lwip.sh OUT            (the Makefile uses build/lwip)
exec "$(dirname "$0")/debsrc.sh" lwip "$1" src/core/tcp.c
