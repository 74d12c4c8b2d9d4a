"""For teachers: compose an exercise set, get one link for the class, run it as a live class session (code, QR
code, dashboard), and a printable worksheet with the key."""

import secrets
from urllib.parse import urlencode

import streamlit as st

from convlab.classroom.exercises import KINDS, LEVELS, format_answer, make_set, set_params, worksheet_html, worksheet_markdown
from ui.classroom import start_class_panel, your_classes
from ui.public_url import app_base, localhost_warning
from ui.grading import DEFAULT_TRIES, MAX_TRIES
from ui.lesson_page import lesson
from ui.urlstate import Int, Schema, Text
from ui.state import PROJECTOR_KEY

P = "tc"
DEFAULT_KINDS = ("output_size", "tf_same", "conv_cell", "pooling", "params")
SCHEMA = Schema(Int("count", 5, 1, 50), Int("level", 1, 1, 3), Int("seed", 1, 0, 2**31 - 1),
                Text("title", "ConvLab worksheet", max_len=120), Int("tries", DEFAULT_TRIES, 1, MAX_TRIES))
ss = st.session_state


def new_seed() -> None:
    page["seed"] = secrets.randbelow(10**6)


page = lesson(P, SCHEMA)
ss.setdefault(page.key("kinds"), list(DEFAULT_KINDS))
st.title("Exercise sets for a class")
st.caption("Pick the kinds of question, how many and how hard. Every student who opens the link gets the same "
           "questions, checks each answer and sees a score at the end with the ones to look at again. Run it as a "
           "live class to see every answer on your dashboard.")

st.multiselect("Kinds of question", list(KINDS), key=page.key("kinds"), format_func=lambda k: KINDS[k][0])
a, b, c, d = st.columns([1, 1, 2, 1], vertical_alignment="bottom")
a.number_input("Questions", 1, 50, key=page.key("count"))
b.radio("Level", LEVELS, key=page.key("level"), horizontal=True, format_func=lambda v: ["easy", "medium", "hard"][v - 1])
c.number_input("Set number: the same number gives the same questions", 0, 2**31 - 1, key=page.key("seed"))
d.button("New set", on_click=new_seed, icon=":material/casino:")
e, f = st.columns([3, 2], vertical_alignment="bottom")
e.text_input("Title (worksheet and class)", key=page.key("title"), max_chars=120)
f.number_input("Tries before the worked solution can be opened", 1, MAX_TRIES, key=page.key("tries"),
               help="Opening the solution before a right answer means that question earns no credit.")

params = set_params(page["kinds"], page["count"], page["level"], page["seed"])
exercises = make_set(page["kinds"], page["count"], page["level"], page["seed"])

sections = page.parts({"The link": "The link for your students", "Live class": "Run it as a live class",
                       "Worksheet": "Worksheet", "Preview": "Preview"}, level="subheader")
with sections[0]:
    localhost_warning()        # links at localhost open on no phone: offer the network address (CONVLAB_PUBLIC_URL)
    projector = st.checkbox("Open in projector mode", key=page.key("projector"))
    base = app_base()
    tries = {"tries": str(page["tries"])} if page["tries"] != DEFAULT_TRIES else {}
    link = f"{base}/exercises?" + urlencode({**params, **tries, **({PROJECTOR_KEY: "1"} if projector else {})})
    st.code(link, language=None, wrap_lines=True)
    st.caption("Copy it with the button at the right of the box; paste it in the chat or on a slide.")
    st.page_link("pages/classroom/exercises.py", label="Try the set yourself", icon=":material/play_arrow:",
                 query_params={**params, **tries})

with sections[1]:
    start_class_panel(page["kinds"], page["count"], page["level"], page["seed"], page["tries"], page["title"])
    classes_box = st.container()   # Your classes: kept in this browser, so a reload or a server restart loses none

with sections[2]:
    c1, c2 = st.columns(2)
    c1.download_button("Worksheet with answer key (HTML, print or save as PDF)", worksheet_html(exercises, page["title"]),
                       file_name="convlab-worksheet.html", mime="text/html", icon=":material/print:", on_click="ignore")
    c2.download_button("Worksheet with answer key (Markdown)", worksheet_markdown(exercises, page["title"]),
                       file_name="convlab-worksheet.md", mime="text/markdown", icon=":material/description:",
                       on_click="ignore")

with sections[3]:
    for i, ex in enumerate(exercises, start=1):
        with st.expander(f"{i}. {ex.title}"):
            st.markdown(ex.question)
            st.markdown("**Answer:** " + "; ".join(f"{p.prompt} = {format_answer(p)}" for p in ex.parts))
your_classes(classes_box)      # last: the browser's report of its keys reruns the page
