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

import streamlit as st

__all__ = ["browser_kept", "reported"]

_JS = """
export default function ({ data, setStateValue }) {
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
_KEEPER = st.components.v2.component("convlab_keeper", js=_JS)


def reported(name: str) -> dict | None:
    """What the browser last reported for `name` in this session (None before its first report): for a page that
    must know it before drawing, and draws browser_kept(name, ...) further down the same run."""
    value = (st.session_state.get(f"_kept.{name}") or {}).get("kept")
    return value if isinstance(value, dict) else None


def browser_kept(name: str, put: dict | None = None, drop: list | tuple = ()) -> dict | None:
    """The object this browser keeps under `name`, after adding `put` and removing the keys in `drop`; None until
    the browser has reported it in this session. Draw it once per run (its key is the name)."""
    last = reported(name)
    _KEEPER(key=f"_kept.{name}", data={"name": name, "put": put or {}, "drop": list(drop), "seen": last},
            default={"kept": None}, on_kept_change=lambda: None)
    if last is None:
        return None
    return {**{k: v for k, v in last.items() if k not in drop}, **(put or {})}
