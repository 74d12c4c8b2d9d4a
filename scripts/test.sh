#!/usr/bin/env bash
# Set up .venv with the test tools, make sure Chromium is there, and run every test.
# Extra arguments go to pytest, e.g. scripts/test.sh -k seeds
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev

# Browser tests drive the system's Chromium through Playwright (never `playwright install`).
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Chromium for the browser tests ..."
        (apt-get install -y -qq chromium >/dev/null 2>&1) || (apt-get update -qq && apt-get install -y -qq chromium)
    else
        echo "Chromium is not installed: the browser tests will be skipped (install the 'chromium' package)." >&2
    fi
fi

# The class store's tests also run against a real PostgreSQL: tests/postgres.py starts a throwaway cluster
# (initdb + pg_ctl in a temporary directory) from Debian's binaries, so only the package is needed.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing PostgreSQL for the class store's tests ..."
        export DEBIAN_FRONTEND=noninteractive
        (apt-get install -y -qq postgresql >/dev/null 2>&1) || (apt-get update -qq && apt-get install -y -qq postgresql)
    else
        echo "PostgreSQL is not installed: the store's PostgreSQL tests will be skipped (install 'postgresql')." >&2
    fi
fi

exec .venv/bin/python -m pytest "$@"
