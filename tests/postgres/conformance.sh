#!/bin/sh
# The conformance suite against the PostgreSQL provider, on the database
# that OSID_TEST_POSTGRES names (a libpq connection string; scripts/test
# starts a throwaway cluster and sets it). Skipped (77) when it is unset.
# Usage: conformance.sh OSID_CONFORMANCE
if [ -z "${OSID_TEST_POSTGRES:-}" ]; then
    echo "OSID_TEST_POSTGRES is not set: no PostgreSQL server to check against (skipped)"
    exit 77
fi
exec "$1" "postgres:$OSID_TEST_POSTGRES"
