"""Things this browser keeps for its user across reloads and server restarts: a small components-v2 element with
no look of its own that reads and writes one JSON object in the browser's localStorage ("convlab.<name>").

Python hands it what to add (`put`) and what to forget (`drop`); the browser merges, saves and reports the whole
object back as the element's state (one rerun, only when it changed). The first run of a fresh session has no
report yet (None): pages show what they would without it and pick it up on the rerun the report starts.

What is kept is user input like anything else from the browser: the callers check every value. Only what a
stolen copy of the class store cannot give anyone goes here (a teacher key whose SHA-256 is all the store keeps,
a student's own practice record), never anything the server hands out as a secret of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

from ui.leaving import staying_only

__all__ = ["browser_kept", "reported", "keep_from", "new_run", "keep_unsaved"]

_DRAWN = "_kept.drawn"          # the names drawn in this run (session state)
# name -> what this session wants the browser to keep under it, as (put, drop), read from the session's own state:
# registered once per process by the module that owns the name (ui.classroom, ui.exercise_view)
_SOURCES: dict[str, Callable[[], tuple[dict, list]]] = {}

_JS = """
function keep({ data, setStateValue }) {
  const name = "convlab." + data.name;
  let kept = {};
  try {
    const raw = JSON.parse(window.localStorage.getItem(name) || "{}");
    if (raw && typeof raw === "object" && !Array.isArray(raw)) kept = raw;
  } catch (e) { kept = {}; }
  for (const [k, v] of Object.entries(data.put || {})) kept[k] = v;
  for (const k of data.drop || []) delete kept[k];
  try { window.localStorage.setItem(name, JSON.stringify(kept)); } catch (e) { /* private mode: this tab only */ }
  // compared with keys sorted at every level: the report costs one rerun, and only when the server's copy differs
  const canon = (v) => Array.isArray(v) ? v.map(canon) : v && typeof v === "object"
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v;
  if (JSON.stringify(canon(kept)) !== JSON.stringify(canon(data.seen))) setStateValue("kept", kept);
}
"""
# no report once a link to another page was clicked (ui.leaving): its rerun of this page lost the click; the page
# that comes next draws the keeper again (keep_unsaved) and reports from there
_KEEPER = st.components.v2.component("convlab_keeper", js=staying_only(_JS, "keep"))


def reported(name: str) -> dict | None:
    """What the browser last reported for `name` in this session (None before its first report): for a page that
    must know it before drawing, and draws browser_kept(name, ...) further down the same run."""
    value = (st.session_state.get(f"_kept.{name}") or {}).get("kept")
    return value if isinstance(value, dict) else None


def browser_kept(name: str, put: dict | None = None, drop: list | tuple = ()) -> dict | None:
    """The object this browser keeps under `name`, after adding `put` and removing the keys in `drop`; None until
    the browser has reported it in this session. Draw it once per run (its key is the name)."""
    last = reported(name)
    st.session_state.setdefault(_DRAWN, set()).add(name)
    _KEEPER(key=f"_kept.{name}", data={"name": name, "put": put or {}, "drop": list(drop), "seen": last},
            default={"kept": None}, on_kept_change=lambda: None)
    if last is None:
        return None
    return {**{k: v for k, v in last.items() if k not in drop}, **(put or {})}


def keep_from(name: str, source: Callable[[], tuple[dict, list]]) -> None:
    """Register what the session wants kept under `name`: source() gives (put, drop) from the session's state. The
    page that owns it draws browser_kept(name, *source()); keep_unsaved draws it on any other page until it is kept."""
    _SOURCES[name] = source


def new_run() -> None:
    """Before a page runs (app.py): nothing drawn yet in this run."""
    st.session_state[_DRAWN] = set()


def _saved(last: dict | None, put: dict, drop: list) -> bool:
    """Whether the browser's last report already holds `put` (as JSON gives it back) and none of `drop`."""
    if not put and not drop:
        return True
    if last is None:
        return False
    put = json.loads(json.dumps(put))
    return all(k in last and last[k] == v for k, v in put.items()) and not any(k in last for k in drop)


def keep_unsaved() -> None:
    """After a page's run (app.py's finally): what the session wants kept and the browser has not reported keeping,
    drawn on whatever page the person is on now. A teacher who starts a class and leaves /teacher at once, before
    its run reached the keeper at the bottom of the page, still finds the key after a reload; so does a student who
    checks an answer and leaves /exercises at once."""
    drawn = st.session_state.get(_DRAWN, set())
    for name, source in list(_SOURCES.items()):
        if name not in drawn:
            put, drop = source()
            if not _saved(reported(name), put, drop):
                browser_kept(name, put=put, drop=drop)
