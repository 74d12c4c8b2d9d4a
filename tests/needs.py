"""What a test needs from this machine (Chromium, node, PostgreSQL) and does not find: on CI, where
scripts/test.sh installs it, that is a failure; elsewhere the test is skipped, saying what to install."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(on_ci: str, here: str) -> NoReturn:
    """Fail with `on_ci` on CI (the CI variable is set), else skip with `here`."""
    if os.environ.get("CI"):
        pytest.fail(on_ci)
    pytest.skip(here)
