"""Hand a legacy multipage run over to app.py (see pages/conv1d.py and its siblings).

Until app.py's st.navigation has run once in a server process, Streamlit still treats
pages/*.py as a legacy multipage folder: a deep link such as /conv2d in the first
session after a start runs pages/conv2d.py directly, without app.py (no menu, no error
box), or shows "Page not found". The top-level pages/<url>.py files exist only for
that moment: they run app.py, which routes to the real page in pages/<group>/.
"""

import pathlib
import runpy


def hand_over_to_app() -> None:
    runpy.run_path(str(pathlib.Path(__file__).resolve().parents[1] / "app.py"), run_name="__main__")
