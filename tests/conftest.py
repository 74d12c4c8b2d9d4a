import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
# tests import the oracle (tests/oracle.py) and the browser kit (tests/browser/chromium.py) by name
for path in (ROOT, HERE, os.path.join(HERE, "browser")):
    if path not in sys.path:
        sys.path.insert(0, path)

import atexit  # noqa: E402
import functools  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402
from needs import missing  # noqa: E402

torch.set_num_threads(1)   # tiny tensors: threads only add overhead, and CI has 2 cores

# The class store (ui.store) of the tests, AppTest and the test servers they start: a fresh SQLite in a temporary
# directory, never the user's own data directory or a database named in their environment.
os.environ["CONVLAB_DATA_DIR"] = tempfile.mkdtemp(prefix="convlab-test-data-")
atexit.register(shutil.rmtree, os.environ["CONVLAB_DATA_DIR"], True)
os.environ.pop("CONVLAB_DATABASE_URL", None)

# AppTest runs app.py in the test process, and app.py starts the server's background warm-up (ui.warmup: every
# bundled model and data set, the deep pages' default views) once per process: about 10 s of CPU in every xdist
# worker that nothing in a test waits for (tests/app/test_warmup.py runs its steps itself). The test servers of the
# browser tests turn it back on (tests/browser/conftest.py): they start as a student's server does.
os.environ["CONVLAB_WARM_UP"] = "0"


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster (tests/postgres.py) for the whole session; skipped, saying why, only where
    PostgreSQL is not installed (scripts/test.sh installs it with apt-get when it can)."""
    from postgres import Cluster
    try:
        cluster = Cluster()
    except (FileNotFoundError, PermissionError) as why:
        missing(f"PostgreSQL is needed on CI: {why}", f"PostgreSQL tests skipped: {why}")
    with cluster:
        yield cluster


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _scan_components_once()


def _scan_components_once():
    """Each new AppTest scans the metadata of every installed package for Streamlit components (streamlit's
    BidiComponentManager.discover_and_register_components): about 0.2 s of CPU per AppTest, a third of a typical page
    test. The installed packages do not change during a test run, so the scan runs once per process and each
    AppTest registers the same manifests from it. Done once streamlit is imported (every worker collects ui's
    doctests), so a run of the library tests alone never imports streamlit for it."""
    if "streamlit" not in sys.modules:
        return
    from streamlit.components.v2 import manifest_scanner
    if getattr(manifest_scanner.scan_component_manifests, "convlab_once", False):
        return
    once = functools.cache(manifest_scanner.scan_component_manifests)

    def scan_once(*args, **kwargs):
        return list(once(*args, **kwargs))            # a new list each time, as the real scan returns

    scan_once.convlab_once = True
    manifest_scanner.scan_component_manifests = scan_once


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser/ is a browser test (scripts/test.sh --fast leaves them out)."""
    for item in items:
        if f"{os.sep}browser{os.sep}" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class _XdistGroups:
    """--dist loadgroup with pytest 9: pytest-xdist 3.8 names a test's xdist_group by appending "@group" to
    item._nodeid, which pytest 9 no longer reads (a node's id is item._id), so every test was scheduled on its own
    and the groups (the Ray tests, the browser tests that share one page load) were split over the workers. This
    appends it where pytest 9 reads it (a no-op where xdist's own suffix took)."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        if not getattr(config.option, "loadgroup", False):
            return
        for item in items:
            names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                            for m in item.iter_markers("xdist_group")})
            if names and "@" not in item.nodeid.rsplit("]", 1)[-1] and hasattr(item, "_id"):
                from _pytest.nodeid import coerce_node_id
                item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")


FAILED_LIST = os.path.join(ROOT, "artifacts", "failed-tests.txt")
FAILED_DETAILS = os.path.join(ROOT, "artifacts", "failed-tests-details.txt")


def pytest_configure(config):
    config.pluginmanager.register(_XdistGroups(), "convlab-xdist-groups")
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        for name in (FAILED_LIST, FAILED_DETAILS):
            if os.path.exists(name):
                os.remove(name)         # a new run: only its own failures


def pytest_runtest_logreport(report):
    """A failing test's id goes to artifacts/failed-tests.txt as soon as it fails (pytest prints its summary only at
    the end): a long run that is stopped, or one read while it goes on, still says what failed and on which worker."""
    if report.failed and getattr(report, "node", None) is None:      # not the controller's copy of a worker's
        import time
        os.makedirs(os.path.dirname(FAILED_LIST), exist_ok=True)
        with open(FAILED_LIST, "a") as out:
            out.write(f"{time.strftime('%H:%M:%S')} {os.environ.get('PYTEST_XDIST_WORKER', 'main')} "
                      f"{report.nodeid} [{report.when}]\n")
        with open(FAILED_DETAILS, "a") as out:          # and why: a run cut off before its summary still says
            out.write(f"===== {time.strftime('%H:%M:%S')} {report.nodeid} [{report.when}]\n"
                      f"{report.longreprtext[-20000:]}\n\n")
            for title, text in report.sections:       # e.g. the test server's threads (tests/browser/conftest.py)
                if "threads" in title or "addresses" in title:
                    out.write(f"----- {title}\n{text[-20000:]}\n\n")
