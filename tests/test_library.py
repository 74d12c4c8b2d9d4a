"""The library's boundary: importable from a notebook without streamlit, a documented public API."""

import ast
import inspect
import pathlib
import subprocess
import sys

import convlab

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_convlab_never_imports_streamlit():
    code = "import sys, convlab, convlab.figures, ui.lesson_map; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
    for path in (ROOT / "convlab").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "streamlit" for n in names), path


def test_every_public_name_exists_and_functions_have_runnable_examples():
    for name in convlab.__all__:
        obj = getattr(convlab, name)
        if inspect.isfunction(obj):
            assert obj.__doc__ and ">>>" in obj.__doc__, f"{name} needs a docstring with an example"


def test_fixed_public_api_names():
    """Names the issues fix: pages, exercises and notebooks rely on them."""
    for name in ["ConvlabError", "output_size", "resolve_padding", "conv1d", "conv2d", "conv1d_steps", "conv2d_steps",
                 "pool1d", "pool2d", "im2col", "col2im", "conv_matrix", "conv_transpose2d"]:
        assert name in convlab.__all__
    sig = inspect.signature(convlab.conv2d)
    assert list(sig.parameters) == ["x", "w", "bias", "stride", "padding", "dilation", "flip", "groups"]   # groups: issue 16
    assert list(inspect.signature(convlab.pool2d).parameters) == ["x", "kernel_size", "stride", "padding", "mode"]
    assert list(inspect.signature(convlab.conv_matrix).parameters)[:6] == ["input_shape", "w", "stride", "padding",
                                                                          "dilation", "sparse"]
    assert list(inspect.signature(convlab.conv_transpose2d).parameters) == ["y", "w", "bias", "stride", "padding",
                                                                           "dilation", "output_padding"]


def test_app_concerns_live_on_the_app_side():
    """Jobs and engines, URL state, the lesson registry and page presets belong to ui/, not the library."""
    for name in ("jobs", "urlstate", "lesson_map", "presets"):
        assert not list((ROOT / "convlab").rglob(f"{name}.py")), f"convlab/…/{name}.py belongs in ui/"
        assert (ROOT / "ui" / f"{name}.py").is_file()
    for path in (ROOT / "convlab").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "ui" for n in names), f"{path} imports the app side"
