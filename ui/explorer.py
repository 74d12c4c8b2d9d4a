"""The network explorer's app side: which model, the logits, the classifier's description, the softmax table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import convlab
from convlab import format_signed as signed
from convlab.networks.models import preset
from convlab.networks.maps import random_model
from convlab.networks.units import ConvUnit, Softmax, head_logits, logit_latex
from convlab.view import payload
from ui.lessonview import lesson_view
from ui.models import resolve_model, shared_dataset
from ui.widgets import signed_table

MODELS = {"faces": "bundled faces model", "shapes": "bundled shapes model", "digits": "bundled digits model",
          "random": "random weights"}          # model_picker adds "my trained model" and a linked stored model


@st.cache_resource(max_entries=4, show_spinner=False)
def random_net(name: str, data_name: str, seed: int):
    """Read-only and shared: a random-weight model is the same for everyone with the same settings."""
    data = shared_dataset(data_name)
    return random_model(preset(name), data.input_shape, len(data.classes), seed), data


def chosen_model(prefix: str):
    """(model, dataset, a name for it) from the sidebar's <prefix>_model (and _preset, _data, _seed)."""
    ss = st.session_state
    choice = ss[f"{prefix}_model"]
    if choice == "random":
        model, data = random_net(ss[f"{prefix}_preset"], ss[f"{prefix}_data"], ss[f"{prefix}_seed"])
        return model, data, f"a random-weight {ss[f'{prefix}_preset']} network (seed {ss[f'{prefix}_seed']})"
    chosen = resolve_model(choice)           # a bundled name, "mine" or a stored model's id (ConvlabError if unknown)
    if chosen is None:
        raise convlab.ConvlabError("Train a model in the training lab first (or choose a bundled or random model).")
    return chosen


def logits_of(model, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(logits, torch's softmax of them) for one normalised input (C, H, W)."""
    import torch
    p = next(model.parameters())
    with torch.no_grad():
        z = model.eval()(torch.from_numpy(np.asarray(x, np.float32)[None]).to(p.device, p.dtype))[0]
    return z.double().cpu().numpy(), torch.softmax(z.double(), 0).cpu().numpy()


def classifier_text(model, layers) -> str:
    """The head of the overview's last column: "flatten 360 → linear → 2"."""
    import torch.nn as nn
    linears = [m for m in model if isinstance(m, nn.Linear)]
    flat = int(np.prod(layers[-1].maps.shape))
    hidden = "".join(f" → {m.out_features}" for m in linears[:-1])
    return f"flatten {flat}{hidden} → {linears[-1].out_features} → softmax" if linears else "softmax"


def window_of(unit, layers) -> dict | None:
    """Where the unit reads the layer before, for the overview's outline (all input maps for a conv unit)."""
    if unit is None:
        return None
    size = unit.window.shape[-2:]
    return {"layer": unit.layer - 1, "top": unit.top, "left": unit.left, "h": int(size[0]), "w": int(size[1]),
            "maps": None if isinstance(unit, ConvUnit) else [unit.map]}


def softmax_table(soft: Softmax) -> None:
    """Logits → exp → share of the sum, one row per class."""
    frame = pd.DataFrame({"class": soft.classes, "logit z": soft.logits, "exp(z)": soft.exps,
                          "exp(z) / sum": soft.probs})
    st.markdown(f"**Softmax**: each logit is exponentiated (so every value is positive), then divided by the sum "
                f"of all of them, {soft.total:.4g} (so they add up to 1).")
    st.dataframe(signed_table(frame, ["logit z"], 4), hide_index=True, column_config={     # logits: a true minus
        "exp(z)": st.column_config.NumberColumn(format="%.4f"),
        "exp(z) / sum": st.column_config.ProgressColumn(format="%.4f", min_value=0.0, max_value=1.0)})


def detail_view(layers, x: np.ndarray, unit, chosen, step_key: str) -> None:
    """One unit: its computation stepped in the shared lesson view (the step in `step_key`, so leaving for the
    overview and coming back keeps it), the formula with numbers, convlab against torch."""
    if unit is None:
        st.info(f"Layer {chosen.title} is a {chosen.kind} layer: pick a conv, activation or pool layer.")
        return
    before = x if unit.layer == 0 else layers[unit.layer - 1].maps
    label = "the input (normalised)" if unit.layer == 0 else layers[unit.layer - 1].title
    title = f"Unit ({unit.map}, {unit.row}, {unit.col}) of {layers[unit.layer].title}"
    st.markdown(f"**{title}**: computed from {label}.")
    view = payload.unit_view(unit, before, label, f"unit ({unit.map}, {unit.row}, {unit.col})")
    lesson_view("nw_lesson", payload.encode(view), view["n"], step_key)
    st.markdown("**The same unit as a formula, numbers substituted**")
    for line in unit.latex():
        st.latex(line)
    activated = isinstance(unit, ConvUnit) and unit.activation is not None
    got, want = (unit.activated, unit.torch_activated) if activated else (unit.value, unit.torch_value)
    st.caption(f"✓ convlab: {signed(got, 6)}, torch: {signed(want, 6)} (difference {signed(abs(got - want), 2)}).")


def softmax_view(model, layers, soft: Softmax) -> None:
    """The classifier's logits recomputed from the last maps, then the softmax step by step."""
    import torch.nn as nn
    again = head_logits(model, layers[-1].maps)
    size = layers[-1].maps.size
    st.markdown(f"**The classifier** ({classifier_text(model, layers)}): the last maps in one row of {size} values h, "
                "times each class's weights, plus its bias, give the logits z.")
    if sum(isinstance(m, nn.Linear) for m in model) == 1:
        best = int(np.argmax(soft.probs))
        st.latex(logit_latex(model, layers[-1].maps, best, soft.classes[best]))
        st.caption(f"The three largest of the {size} products W·h are written out.")
    st.caption(f"✓ convlab's logits {', '.join(signed(v, 6) for v in again)} equal torch's "
               f"(largest difference {signed(np.abs(again - soft.logits).max(), 2)}).")
    softmax_table(soft)
    for line in soft.latex():
        st.latex(line)
    st.caption(f"✓ torch's softmax: {', '.join(f'{p:.6f}' for p in soft.torch_probs)} "
               f"(largest difference {signed(np.abs(soft.probs - soft.torch_probs).max(), 2)}).")
