#!/bin/sh
# The conformance suite twice on one store: the second run starts from what
# the first left, as a provider reopened on its own data must pass too. One
# test for both, so that it runs beside the other tests (two tests sharing
# a store would each have to run alone).
# Usage: run_twice.sh OSID_CONFORMANCE STORE [FILE]
#   FILE, when given, is removed first (with its -wal and -shm), so that the
#   first run is on a new SQLite file.
#   STORE "postgres:": the database OSID_TEST_POSTGRES names; skipped (77)
#   when it is unset.
set -eu
conformance=$1
store=$2
if [ "$store" = "postgres:" ]; then
    if [ -z "${OSID_TEST_POSTGRES:-}" ]; then
        echo "OSID_TEST_POSTGRES is not set: no PostgreSQL server to check against (skipped)"
        exit 77
    fi
    store="postgres:$OSID_TEST_POSTGRES"
fi
if [ $# -ge 3 ]; then
    rm -f "$3" "$3-wal" "$3-shm"
fi
echo "== first run"
"$conformance" "$store"
echo "== again, on what the first run left"
exec "$conformance" "$store"
