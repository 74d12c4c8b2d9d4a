"""convlab.show: the lesson view in a notebook (Jupyter, VS Code, Colab), through anywidget.

The widget runs the same JS and CSS as the app (convlab/view) and its `step` is a synced trait: `w.step = 5`
moves the view, and stepping in the browser updates `w.step` once the stepping pauses. anywidget is an optional
dependency: `pip install convlab[notebook]`.
"""

from __future__ import annotations

import functools

from convlab.errors import ConvlabError
from convlab.view import asset, payload, view_css, view_js

__all__ = ["show", "lesson_widget_class"]


@functools.lru_cache(maxsize=1)
def lesson_widget_class():
    """The anywidget class (made once, on first use: anywidget is imported only when a notebook asks for it)."""
    try:
        import anywidget
        import traitlets
    except ImportError:
        raise ConvlabError("convlab.show needs anywidget: pip install 'convlab[notebook]' (or pip install "
                           "anywidget); convlab.export_html makes an offline HTML file without it") from None

    class LessonWidget(anywidget.AnyWidget):
        """The lesson view of one document; `step` (0 … n_steps − 1) is synced with the browser both ways."""

        _esm = view_js() + "\n" + asset("widget.js")
        _css = view_css()
        document = traitlets.Unicode("").tag(sync=True)
        step = traitlets.Int(0).tag(sync=True)
        n_steps = traitlets.Int(1).tag(sync=True)

        @traitlets.validate("step")
        def _clamp(self, proposal):
            return max(0, min(int(proposal["value"]), self.n_steps - 1))

    return LessonWidget


def show(x, *, before=None, step: int = 0):
    """A notebook widget that steps through x with the app's lesson view (keys, buttons, Play, hover, click).

    x: anything convlab.export_html takes (a conv1d_steps / conv2d_steps / pool2d_steps / conv3d_steps trace, a
    network unit from convlab.networks.units.unit_at with `before` = the maps of the layer before, or a document from
    convlab.view.payload such as payload.matrix_view(...) or payload.backward_view(...)).
    The widget's `step` trait is the view's step: set it to move the view; read it after stepping in the browser.

    >>> import convlab
    >>> w = show(convlab.conv1d_steps([1, 0, 2, 2, 3, 1], [3, 2, 2]))
    >>> w.n_steps, w.step
    (4, 0)
    >>> w.step = 2                     # the view in the notebook moves to step 2
    """
    from convlab.view.export import document, step_count

    doc = document(x, before=before)
    widget = lesson_widget_class()(document=payload.encode(doc).decode(), n_steps=step_count(doc))
    widget.step = step
    return widget
