"""The load test's protocol client (benchmarks/stclient.py) tells a fragment's run from the full run it waits for.

A full run CI saw end at once: the teacher's tab polled the dashboard's fragments, one was running when the tab
opened the dashboard again, our rerun cut it short (FINISHED_EARLY_FOR_RERUN), and the client took that for the end
of its own run, so it read the page before it was drawn ("answers stored" missing: 12 == -1)."""

from __future__ import annotations

import sys
import pathlib

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "benchmarks"))
stclient = pytest.importorskip("stclient")
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

FINISHED = ForwardMsg.ScriptFinishedStatus


def _started(fragment: str = "") -> ForwardMsg:
    msg = ForwardMsg()
    msg.new_session.page_script_hash = "p"
    if fragment:
        msg.metadata.run.fragment_ids.append(fragment)
    return msg


def _finished(status) -> ForwardMsg:
    msg = ForwardMsg()
    msg.script_finished = status
    return msg


def _client():
    tab = stclient.StClient("http://127.0.0.1:1")
    tab.run = stclient.Run(0.0)                    # what rerun() sets before sending our full rerun
    return tab


def test_a_fragment_run_cut_short_by_our_rerun_is_not_the_end_of_our_run():
    tab = _client()
    tab._pending_fragment = 1.0
    tab._handle(_started("frag-1"))               # the fragment's run was already going
    tab._handle(_finished(FINISHED.FINISHED_EARLY_FOR_RERUN))
    assert tab.run.finished is None and tab._pending_fragment is None
    tab._handle(_started())                       # then our full run
    tab._handle(_finished(FINISHED.FINISHED_SUCCESSFULLY))
    assert tab.run.finished is not None and tab.run.status == FINISHED.FINISHED_SUCCESSFULLY


def test_a_fragment_run_that_ends_counts_as_a_poll_and_a_full_run_still_ends_ours():
    tab = _client()
    tab._pending_fragment = 0.0
    tab._handle(_started("frag-1"))
    tab._handle(_finished(FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY))
    assert len(tab.fragment_runs) == 1 and tab.run.finished is None
    tab._handle(_started())
    tab._handle(_finished(FINISHED.FINISHED_EARLY_FOR_RERUN))        # our run cut short by the app's st.rerun
    assert tab.run.finished is not None and tab.busy
