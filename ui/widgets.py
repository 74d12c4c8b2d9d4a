"""Small widget helpers the pages share."""

from __future__ import annotations

import streamlit as st

import convlab


def clamp_step(key: str, n: int) -> None:
    """Keep a step index inside 0..n-1 after the configuration changed (before its widget exists)."""
    st.session_state[key] = int(min(max(st.session_state.get(key, 0), 0), n - 1))


def step_controls(key: str, n: int, label: str = "Step") -> int:
    """◀ / ▶ buttons and a scrub slider, all on the server (the figure also animates in the browser)."""
    def move(delta: int) -> None:
        st.session_state[key] = (st.session_state[key] + delta) % n

    left, mid, right = st.columns([1, 8, 1])
    left.button("◀", key=f"{key}.prev", on_click=move, args=(-1,), help="previous step", width="stretch")
    right.button("▶", key=f"{key}.next", on_click=move, args=(1,), help="next step", width="stretch")
    if n > 1:
        mid.slider(label, 0, n - 1, key=key, label_visibility="collapsed")
    return st.session_state[key]


def on_output_click(chart_key: str, step_key: str):
    """Callback for st.plotly_chart(on_select=...): a clicked output cell becomes the current step."""
    def callback() -> None:
        points = st.session_state.get(chart_key, {}).get("selection", {}).get("points", [])
        idx = [p.get("customdata") for p in points if p.get("customdata") is not None]
        if idx:
            value = idx[0][0] if isinstance(idx[0], list) else idx[0]
            st.session_state[step_key] = int(value)
    return callback


def chart(fig, key: str, on_click=None) -> None:
    kwargs = {"on_select": on_click, "selection_mode": "points"} if on_click else {}
    st.plotly_chart(fig, key=key, config={"displayModeBar": False}, **kwargs)


def torch_badge(check: "convlab.verify.Check") -> None:
    (st.success if check.ok else st.error)(f"✓ This result {check}" if check.ok else f"✗ This result {check}")
