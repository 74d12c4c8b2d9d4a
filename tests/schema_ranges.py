"""The numbers a page takes in its URL, with their ranges, read from the page's SCHEMA (ui.urlstate Int / Float)."""

import ast
import pathlib

from ui.registry import PAGES as REGISTRY

ROOT = pathlib.Path(__file__).resolve().parents[1]


def number_ranges(path: str) -> dict[str, tuple[float, float]]:
    """Every Int/Float URL parameter of pages/<path> with its (low, high)."""
    tree = ast.parse((ROOT / "pages" / path).read_text())
    names = {n.targets[0].id: n.value for n in tree.body if isinstance(n, ast.Assign)
             and isinstance(n.targets[0], ast.Name) and isinstance(n.value, ast.Constant)}
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("Int", "Float") and len(node.args) >= 4:
            try:
                lo, hi = (eval(compile(ast.Expression(a), "<schema>", "eval"), {"__builtins__": {}},  # noqa: S307
                               {k: v.value for k, v in names.items()}) for a in node.args[2:4])
            except Exception:                          # noqa: BLE001  a bound we cannot read: leave it out
                continue
            out[node.args[0].value] = (lo, hi)
    return out


def extremes(end: str, path: str) -> dict[str, float]:
    """The URL parameters that set every number of the page to its low or high end."""
    return {k: (lo if end == "low" else hi) for k, (lo, hi) in number_ranges(path).items()}


EXTREMES = [(url, path, end) for _, path, _, _, url in REGISTRY if number_ranges(path) for end in ("low", "high")]
EXTREME_IDS = [f"{u or 'home'}-{e}" for u, _, e in EXTREMES]
