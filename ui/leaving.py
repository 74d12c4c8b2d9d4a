"""Our components report nothing once the person has clicked a link to another page and that page has not come yet.

Streamlit's browser side sends every report with the page it shows, and the server runs the page of the newest
request: a report made between a click on a page link and the new page's run (a keeper drawn as the old page's run
went on drawing) ran the old page again, and the click was lost. See leaving.js, which every component's module
here starts with.
"""

from __future__ import annotations

import pathlib

__all__ = ["staying_only"]

_JS = (pathlib.Path(__file__).resolve().parent / "leaving.js").read_text(encoding="utf-8")


def staying_only(module: str, entry: str) -> str:
    """A components-v2 module from `module`, which defines the function `entry(component)` and exports nothing:
    its default export calls entry with a setStateValue and setTriggerValue that drop what is reported while the
    page is being left."""
    return f"{_JS}\n{module}\nexport default function (component) {{ return {entry}(stayingOnly(component)); }}\n"
