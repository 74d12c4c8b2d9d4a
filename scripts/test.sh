#!/usr/bin/env bash
# Set up .venv with the test tools, make sure Chromium is there, lint, and run the tests in parallel.
#   scripts/test.sh           every test: math, library, AppTest page tests, the Ray engine, headless Chromium
#   scripts/test.sh --fast    the math, library and AppTest tests only (no browser, no Ray, nothing marked slow)
# Extra arguments go to pytest, e.g. scripts/test.sh --fast -k seeds. WORKERS=n sets the number of pytest-xdist
# workers (default: 3 for the whole suite: on 2 cores the browser tests are CPU-bound, mostly in Chromium, and a
# fourth worker only adds a server and a browser to warm up; 2 for --fast; 0 runs in-process).
# A failing test is written to artifacts/failed-tests.txt the moment it fails (the summary comes only at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

fast=0
if [ "${1:-}" = "--fast" ]; then
    fast=1
    shift
fi

bash scripts/setup.sh dev

# Browser tests drive the system's Chromium through Playwright (never `playwright install`).
if [ "$fast" = 0 ] && ! command -v chromium >/dev/null 2>&1; then
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

echo "ruff check ."
.venv/bin/ruff check .

# The browser views' JS (convlab/view, ui/netview, ui/leaving.js): eslint from npm, installed from the committed package-lock.json
# into ./node_modules (gitignored); its unit tests run with node's own test runner (tests/view/test_view_js.py).
if command -v npm >/dev/null 2>&1; then
    echo "eslint (the lesson view's JS)"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    ./node_modules/.bin/eslint convlab/view ui/netview ui/leaving.js tests/js eslint.config.js
elif [ -n "${CI:-}" ]; then
    echo "Node 20+ and npm are needed on CI for the JS lint and tests" >&2
    exit 1
else
    echo "npm is not installed: eslint of the lesson view's JS is skipped (install Node 20+)." >&2
fi

if [ "$fast" = 1 ]; then
    exec .venv/bin/python -m pytest -n "${WORKERS:-2}" -m "not browser and not ray and not slow" "$@"
fi
# --dist loadgroup keeps the Ray tests on one worker (one local Ray); every worker that gets a browser test
# starts its own server and Chromium (tests/browser/conftest.py).
exec .venv/bin/python -m pytest -n "${WORKERS:-3}" --dist loadgroup "$@"
