#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install ConvLab's dependencies into it.
#   scripts/setup.sh          runtime only (requirements.txt)
#   scripts/setup.sh dev      runtime + test tools (requirements-dev.txt)
# Re-running is cheap: nothing is reinstalled unless the requirements files changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
req="requirements.txt"
[ "${1:-}" = "dev" ] && req="requirements-dev.txt"

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "ConvLab needs Python 3.11 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1)." >&2
    echo "Point PYTHON at a newer one, e.g. PYTHON=python3.12 $0" >&2
    exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv

stamp=".venv/.installed-$(cat requirements.txt "$req" | sha256sum | cut -c1-16)-${1:-runtime}"
if [ ! -f "$stamp" ]; then
    echo "Installing $req into .venv (torch is pinned to the 2.13.0 CPU build) ..."
    # pip's own chatter goes to a log; it is shown only if the install fails
    if ! .venv/bin/python -m pip install --disable-pip-version-check -r "$req" > .venv/pip.log 2>&1; then
        tail -n 40 .venv/pip.log >&2
        echo "pip install -r $req failed; the whole log is .venv/pip.log" >&2
        exit 1
    fi
    touch "$stamp"
fi
