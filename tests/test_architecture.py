"""The shape of the code, checked on every run: no import circles, convlab never imports streamlit or the app,
and no private name crosses a module boundary.

The graph counts every import, including those inside functions (a lazy import still ties two modules together).
A package's __init__ that re-exports its modules is not a circle: only module-to-module edges are followed, and an
import of a package counts as an import of its __init__ alone.
"""

from __future__ import annotations

import ast
import functools
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ("convlab", "ui")


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, pathlib.Path]:
    mods = {}
    for pkg in PACKAGES:
        for p in (ROOT / pkg).rglob("*.py"):
            mods[_module_name(p)] = p
    return mods


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module a dotted import names (the longest known prefix), or None when it is outside the project."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


@functools.cache
def _imports(path: pathlib.Path) -> list[tuple[str, list[str], int]]:
    """(module, imported names, line) for every import statement in the file, absolute or relative."""
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend((a.name, [], node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            out.append((base, [a.name for a in node.names], node.lineno))
    return out


@functools.cache
def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        for base, names, _ in _imports(path):
            targets = [f"{base}.{n}" if f"{base}.{n}" in MODULES else base for n in names] or [base]
            for t in targets:
                r = _resolve(t)
                if r is not None and r != mod:
                    graph[mod].add(r)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _is_package_init(mod: str) -> bool:
    return MODULES[mod].name == "__init__.py"


def test_there_are_no_import_circles():
    graph = _graph()
    # a package's __init__ re-exporting its own modules is how a public name stays importable from the package;
    # leave those edges out (a module importing its own package's __init__ would still show up)
    pruned = {m: {t for t in ts if not (_is_package_init(m) and t.startswith(m + "."))} for m, ts in graph.items()}
    assert _cycles(pruned) == []


@pytest.mark.parametrize("forbidden", ["streamlit", "ui", "pages", "app"])
def test_convlab_never_imports_the_app(forbidden):
    bad = [f"{p.relative_to(ROOT)}:{line}" for mod, p in MODULES.items() if mod.startswith("convlab")
           for base, _, line in _imports(p) if base == forbidden or base.startswith(forbidden + ".")]
    assert bad == []


def test_no_private_name_crosses_a_module_boundary():
    """`from convlab.x import _helper` couples two modules through a name that promises nothing: promote it."""
    files = [p for pkg in (*PACKAGES, "pages") for p in (ROOT / pkg).rglob("*.py")] + [ROOT / "app.py"]
    bad = []
    for p in files:
        for base, names, line in _imports(p):
            if not (base.startswith("convlab") or base.startswith("ui")):
                continue
            private = [n for n in names if n.startswith("_") and n != "__version__"]
            # a private module of a package used inside that same package is fine (convlab._core from convlab)
            if any(part.startswith("_") and part != "__init__" for part in base.split(".")) and \
                    not str(p.relative_to(ROOT)).startswith(base.split(".")[0]):
                bad.append(f"{p.relative_to(ROOT)}:{line} imports private module {base}")
            if private:
                bad.append(f"{p.relative_to(ROOT)}:{line} imports {', '.join(private)} from {base}")
    assert bad == []


def test_the_graph_sees_the_whole_project():
    graph = _graph()
    assert len(MODULES) > 100
    assert "convlab.convolution.conv" in graph["convlab"]            # the check is not vacuous
    assert "convlab.networks.models" in graph["convlab.networks.training"]
