"""Live experiments of the lesson pages: one pool job per page and session, watched while it runs.

A lesson starts an experiment (a convlab function that reports through on_progress and on_record) as a
ui.jobs.TaskJob in the shared pool; its records arrive in a Live store the page draws from every second,
so the curves grow while it trains. Like a training run, it goes on while the student visits other pages:
the sidebar of every page shows it and polls it (app.py calls sidebar_status), and coming back shows its
curves where they are. One experiment per session: starting another (on any page) or changing the settings
it was started with stops it, and the pool's watchdog stops it when the tab is closed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ui.jobs import POOL, TaskJob
from ui.widgets import friendly_errors

KEY = "_experiments"                 # session state: {page: Experiment}


class Live:
    """Records appended by the job's thread, read by the page's (thread-safe); picklable for the Ray engine,
    where the remote copy's records come back only with the result."""

    def __init__(self):
        self._lock = threading.Lock()
        self._records: list[dict] = []

    def add(self, record: dict) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[dict]:
        with self._lock:
            return list(self._records)

    def __getstate__(self) -> dict:
        return {"records": self.records()}

    def __setstate__(self, state: dict) -> None:
        self._lock = threading.Lock()
        self._records = list(state["records"])


@dataclass
class Experiment:
    page: str
    settings: tuple              # what it was started with: other settings make it stale
    job: TaskJob
    live: Live

    def records(self) -> list[dict]:
        """Everything reported so far (the result's full list once done)."""
        result = self.job.result
        return result.records if result is not None and hasattr(result, "records") else self.live.records()


def _all() -> dict[str, Experiment]:
    return st.session_state.setdefault(KEY, {})


def start(page: str, settings: tuple, fn: Callable, *args: Any, **kwargs: Any) -> Experiment:
    """Stop this session's experiments that still run (one at a time, here or on another page) and this page's
    previous one, and queue fn(*args, on_progress=..., on_record=..., **kwargs)."""
    stop(page)
    for other, exp in list(_all().items()):
        if not exp.job.finished:
            stop(other)
    live = Live()
    job = TaskJob(fn, *args, on_record=live.add, **kwargs)
    exp = _all()[page] = Experiment(page, settings, job, live)
    POOL.submit(job)
    return exp


def current(page: str, settings: tuple) -> Experiment | None:
    """This page's experiment if it was started with these settings; a stale one is stopped and dropped."""
    exp = _all().get(page)
    if exp is not None and exp.settings != settings:
        stop(page)
        return None
    return exp


def stop(page: str) -> None:
    exp = _all().pop(page, None)
    if exp is not None:
        exp.job.stop()


def sidebar_status(page: str) -> None:
    """Every page's sidebar: the session's experiments of other pages, with their progress and a link back; polling
    them keeps a running one alive while the student is elsewhere (the pool's watchdog stops unpolled jobs)."""
    from ui.registry import PAGES

    others = {p: e for p, e in _all().items() if p != page}
    if not others:
        return
    files = {url: (path, title) for _group, path, title, _icon, url in PAGES}
    running = any(not e.job.finished for e in others.values())

    @st.fragment(run_every=1.0 if running else None)
    def status() -> None:
        with friendly_errors("sidebar (experiment)"):
            for name, exp in others.items():
                path, title = files.get(name, (None, name))
                s = exp.job.snapshot()
                if not exp.job.finished:
                    st.progress(s.done / max(1, s.total), text=f"{title}: step {s.done} of {s.total}, going on")
                else:
                    st.caption(f"{title}: experiment {'done' if s.state == 'done' else s.state}")
                if path:
                    st.page_link(f"pages/{path}", label=f"Back to {title}", icon=":material/science:")
    status()


def watch(exp: Experiment, draw: Callable[[list[dict], bool], None], label: str, doing: str = "training…") -> None:
    """Show the job's queue place or progress ("<label>: <doing> step 3 of 8") and draw(records, finished),
    refreshed every second while it runs; once it ends, one full rerun lets the page show what needs the
    finished result."""
    running = not exp.job.finished

    @st.fragment(run_every=1.0 if running else None)
    def view() -> None:
        with friendly_errors(f"{exp.page} (experiment)"):     # a fragment's reruns skip app.py's error box
            s = exp.job.snapshot()
            if s.state == "queued":
                st.info(f"{label}: waiting for a free worker, {s.queue_position} in the queue.")
            elif s.state == "running":
                st.progress(s.done / max(1, s.total), text=f"{label}: {doing} step {s.done} of {s.total}")
            elif s.state == "failed":
                st.error(f"{label} failed: {s.message}. Change a setting and run it again.")
            elif s.state == "stopped":
                st.warning(f"{label} was stopped. Press Run to start it again.")
            draw(exp.records(), exp.job.finished)
            if exp.job.finished and st.session_state.get(f"_shown_final.{exp.page}") is not exp:
                st.session_state[f"_shown_final.{exp.page}"] = exp
                st.rerun(scope="app")
    view()


def controls(page: str, settings: tuple, label: str, start_fn: Callable[[], Experiment]) -> Experiment | None:
    """A Run button (and Stop while it runs); returns the page's experiment for these settings, if any."""
    exp = current(page, settings)
    running = exp is not None and not exp.job.finished
    left, right = st.columns([1, 1])
    if left.button(f"Run: {label}" if exp is None else f"Run again: {label}", type="primary", key=f"{page}_run",
                   disabled=running):
        exp = start_fn()
        running = True
    if right.button("Stop", key=f"{page}_stop", disabled=not running):
        exp.job.stop()
    return exp
