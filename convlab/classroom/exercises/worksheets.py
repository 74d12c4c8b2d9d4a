"""Printable worksheets: the questions with their matrices, then the answer key with worked solutions,
as Markdown or as one print-friendly HTML page."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import numpy as np

from convlab._core.format import num
from convlab.classroom.exercises.answers import format_answer
from convlab.classroom.exercises.model import Exercise


def _grid_md(a: np.ndarray) -> str:
    a = np.atleast_2d(a)
    head = "| " + " | ".join(f"c{j}" for j in range(a.shape[1])) + " |\n|" + "---|" * a.shape[1] + "\n"
    return head + "\n".join("| " + " | ".join(num(v) for v in row) + " |" for row in a)


def worksheet_markdown(exercises: Sequence[Exercise], title: str = "ConvLab worksheet") -> str:
    """A printable worksheet: the questions with their matrices, then the answer key with worked solutions.

    >>> from convlab.classroom.exercises.sets import make_set
    >>> worksheet_markdown(make_set(["tf_same"], 1), "Week 1").splitlines()[:3]
    ['# Week 1', '', '## 1. TensorFlow "same" padding']
    """
    out = [f"# {title}", ""]
    for i, ex in enumerate(exercises, start=1):
        out += [f"## {i}. {ex.title}", "", ex.question, ""]
        for name, grid in ex.figures:
            out += [f"**{name}**", "", _grid_md(grid), ""]
        out += [f"- {p.prompt}: ________" for p in ex.parts] + [""]
    out += ["---", "", "# Answer key", ""]
    for i, ex in enumerate(exercises, start=1):
        out += [f"## {i}. {ex.title}", ""] + [f"- {p.prompt}: **{format_answer(p)}**" for p in ex.parts] + [""]
        out += [f"{j}. {step}" for j, step in enumerate(ex.solution, start=1)] + [""]
    return "\n".join(out)


def _grid_html(name: str, a: np.ndarray) -> str:
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(num(v))}</td>" for v in row) + "</tr>" for row in np.atleast_2d(a))
    return f'<figure><figcaption>{html.escape(name)}</figcaption><table class="grid">{rows}</table></figure>'


def _md_inline(text: str) -> str:
    """The little Markdown questions use (tables and **bold**) as HTML, everything escaped first."""
    lines, out, table = text.split("\n"), [], []
    for line in lines + [""]:
        if line.startswith("|"):
            if not set(line.replace("|", "").strip()) <= {"-"}:
                table.append("<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in line.strip("|").split("|"))
                             + "</tr>")
            continue
        if table:
            out.append('<table class="plain">' + "".join(table) + "</table>")
            table = []
        if line.strip():
            out.append("<p>" + re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(line)) + "</p>")
    return "".join(out)


_CSS = ("body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;line-height:1.45}"
        "section{break-inside:avoid;margin-bottom:1.6em}figure{display:inline-block;margin:.3em 1.2em .3em 0}"
        "figcaption{font-size:.85em;color:#444}table.grid{border-collapse:collapse}"
        "table.grid td{border:1px solid #888;min-width:2em;height:2em;text-align:center;font-variant-numeric:tabular-nums}"
        "table.plain{border-collapse:collapse}table.plain td{border:1px solid #bbb;padding:.15em .6em}"
        ".blank{display:inline-block;border-bottom:1px solid #000;min-width:10em}"
        ".key{break-before:page}@media print{body{margin:0}}")


def worksheet_html(exercises: Sequence[Exercise], title: str = "ConvLab worksheet") -> str:
    """The worksheet as one print-friendly HTML page (the answer key starts on a new page). Print it or
    save it as PDF from the browser.

    >>> from convlab.classroom.exercises.sets import make_set
    >>> page = worksheet_html(make_set(["params"], 2), "<Week 2>")
    >>> "&lt;Week 2&gt;" in page, page.count("<section>")
    (True, 4)
    """
    body = [f"<h1>{html.escape(title)}</h1>"]
    for i, ex in enumerate(exercises, start=1):
        parts = "".join(f"<li>{html.escape(p.prompt)}: <span class='blank'></span></li>" for p in ex.parts)
        figs = "".join(_grid_html(n, g) for n, g in ex.figures)
        body.append(f"<section><h2>{i}. {html.escape(ex.title)}</h2>{_md_inline(ex.question)}{figs}<ul>{parts}</ul></section>")
    body.append('<div class="key"><h1>Answer key</h1>')
    for i, ex in enumerate(exercises, start=1):
        answers = "".join(f"<li>{html.escape(p.prompt)}: <b>{html.escape(format_answer(p))}</b></li>" for p in ex.parts)
        steps = "".join(f"<li>{html.escape(s)}</li>" for s in ex.solution)
        body.append(f"<section><h2>{i}. {html.escape(ex.title)}</h2><ul>{answers}</ul><ol>{steps}</ol></section>")
    body.append("</div>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>")
