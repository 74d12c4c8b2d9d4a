"""MLP vs CNN (seeds 000, 002): the same digits, epochs, optimiser and batches; parameter counts layer by layer,
accuracy, and accuracy on test images shifted by a few pixels."""

import pandas as pd
import streamlit as st

from convlab.figures.deep import runs_figure, shift_figure
from convlab.figures.training import tiles_figure
from convlab.networks.models import layer_table
from convlab.deep.side_by_side import accuracy, mlp_cnn_runs, mlp_cnn_specs, shift_images, train_side_by_side
from convlab.deep.checks import check_param_counts
from ui import experiments
from ui.memo import figure, last_figure
from ui.models import shared_dataset
from ui.state import font_size
from ui.urlstate import Float, Int, Schema
from ui.widgets import chart, torch_badge
from ui.lesson_page import lesson

P, URL = "mc", "mlp-vs-cnn"
SCHEMA = Schema(Int("hidden", 64, 8, 512), Float("lr", 0.005, 0.0001, 0.1), Int("epochs", 8, 1, 20), Int("seed", 0, 0, 9999),
                Int("image", 0, 0, 359))
SHAPES = {"digits, 8×8 grey": (1, 8, 8), "32×32 grey": (1, 32, 32), "224×224 colour (ImageNet)": (3, 224, 224)}
SHIFTS = (0, 1, 2, 3)

page = lesson(P, SCHEMA, "MLP vs CNN",
              "Seed 002: a fully connected network connects every pixel to every hidden unit: too many parameters, "
              "and nothing it learns at one position helps at another. A CNN shares small filters across positions.")
with st.sidebar:
    st.number_input("MLP hidden units", 8, 512, key=page.key("hidden"), step=8)
    st.number_input("Adam learning rate (both)", 0.0001, 0.1, key=page.key("lr"), format="%.4f")
    st.number_input("Epochs (both)", 1, 20, key=page.key("epochs"))
    st.number_input("Seed", 0, 9999, key=page.key("seed"))
fs, specs = font_size(), mlp_cnn_specs(page["hidden"])

st.header("Parameters")
tables = {name: layer_table(spec, (1, 8, 8), 10) for name, spec in specs.items()}
left, right = st.columns(2)
for col, (name, rows) in zip((left, right), tables.items()):
    col.markdown(f"**{name}**: {sum(r.params for r in rows):,} parameters on 8×8 digits")
    # HTML tables: two data grids side by side repeat their cells' ids, which screen readers trip over (axe)
    col.table(pd.DataFrame([{"layer": r.name, "output": "×".join(map(str, r.output_shape)), "parameters": f"{r.params:,}"}
                            for r in rows]).set_index("layer"))
sizes = pd.DataFrame({name: {label: sum(r.params for r in layer_table(spec, shape, 10)) for label, shape in SHAPES.items()}
                      for name, spec in specs.items()})
st.dataframe(sizes.map(lambda v: f"{v:,}"), width="stretch")
st.markdown(f"The MLP's first layer has C·H·W·{page['hidden']} weights: it grows with the image. The CNN's conv "
            "layers do not (C_in·3·3 per filter, whatever the size); only its classifier after the pooling grows.")
runs = mlp_cnn_runs(page["hidden"], page["lr"], page["seed"])
torch_badge(check_param_counts({n: sum(r.params for r in rows) for n, rows in tables.items()},
                               {r.name: r.model for r in runs}))

st.header("Experiment: the same data, the same budget")
data = shared_dataset("digits")
settings = (page["hidden"], page["lr"], page["epochs"], page["seed"])
exp = experiments.controls(URL, settings, "train the MLP and the CNN", lambda: experiments.start(
    URL, settings, train_side_by_side, runs, data, epochs=page["epochs"], batch_size=32, seed=page["seed"]))
if exp is None:
    st.info(f"Press Run: both train {page['epochs']} epochs on the same {len(data.x_train)} digits, in the same "
            "batches, with Adam at the same learning rate.")
else:
    experiments.watch(exp, lambda recs, done: chart(last_figure(page.key("curves"), runs_figure, recs, list(specs), fs - 2),
                                                    page.key("curves")),
                      "Experiment")

st.header("Shift the test images")
st.number_input("Test image to show", 0, 359, key=page.key("image"))
picture = data.x_test[page["image"]:page["image"] + 1]
chart(figure(tiles_figure, [shift_images(picture, 0, s)[0, 0] for s in SHIFTS], [f"shifted {s} px" for s in SHIFTS], columns=4,
                   cell=110, signed=False, font_size=fs - 4), page.key("shifted"))
if exp is not None and exp.job.finished and exp.job.result is not None:
    models = exp.job.result.models
    shifted = {name: [accuracy(m, data, shift_images(data.x_test, 0, s), data.y_test) for s in SHIFTS]
               for name, m in models.items()}
    chart(figure(shift_figure, SHIFTS, shifted, fs - 2), page.key("shift"))
    st.markdown("  \n".join(f"**{name}**: " + ", ".join(f"{s} px: {a:.1%}" for s, a in zip(SHIFTS, acc))
                            for name, acc in shifted.items()))
    st.markdown("The CNN's filters slide: a shifted digit excites the same filters one position over "
                "(equivariance, seed 000), and max pooling absorbs part of the move. The MLP learned a weight per "
                "pixel, so a shifted digit lands on weights that never saw it.")
else:
    st.info("When the experiment is done, both networks are tested on these shifted test images.")
