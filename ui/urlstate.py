"""Lesson state in the URL: a schema per page, so a teacher's link opens exactly that state.

Pure Python (the pages do the streamlit side): `Schema.parse` validates raw query
values exactly like widget values and returns notices for the ones it rejects;
`Schema.dump` writes the non-default values back as short strings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable, Mapping

from convlab.errors import ConvlabError

__all__ = ["Int", "Float", "Choice", "Flag", "Text", "Schema"]


@dataclass(frozen=True)
class Int:
    key: str
    default: int
    lo: int
    hi: int
    label: str = ""

    def parse(self, raw: str) -> int:
        try:
            v = float(raw)
        except ValueError:
            v = float("nan")
        if not math.isfinite(v) or v != int(v):
            raise ConvlabError(f"must be a whole number from {self.lo} to {self.hi}")
        if not self.lo <= int(v) <= self.hi:
            raise ConvlabError(f"must be from {self.lo} to {self.hi}")
        return int(v)

    def dump(self, value: Any) -> str:
        return str(int(value))


@dataclass(frozen=True)
class Float:
    key: str
    default: float
    lo: float
    hi: float
    label: str = ""

    def parse(self, raw: str) -> float:
        try:
            v = float(raw)
        except ValueError:
            raise ConvlabError(f"must be a number from {self.lo:g} to {self.hi:g}") from None
        if not self.lo <= v <= self.hi:          # also false for nan
            raise ConvlabError(f"must be a number from {self.lo:g} to {self.hi:g}")
        return v

    def dump(self, value: Any) -> str:
        return f"{float(value):g}"


@dataclass(frozen=True)
class Choice:
    key: str
    default: str
    options: tuple[str, ...]
    label: str = ""

    def parse(self, raw: str) -> str:
        if raw not in self.options:
            raise ConvlabError(f"must be one of: {', '.join(self.options)}")
        return raw

    def dump(self, value: Any) -> str:
        return str(value)


@dataclass(frozen=True)
class Flag:
    key: str
    default: bool = False
    label: str = ""

    def parse(self, raw: str) -> bool:
        low = raw.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ConvlabError("must be 1 or 0")

    def dump(self, value: Any) -> str:
        return "1" if value else "0"


@dataclass(frozen=True)
class Text:
    """Free text checked by `check` (e.g. convlab.parse.parse_grid), which raises ConvlabError."""

    key: str
    default: str
    check: Callable[[str], Any] = field(default=lambda s: s, compare=False)
    max_len: int = 2000
    label: str = ""

    def parse(self, raw: str) -> str:
        if len(raw) > self.max_len:
            raise ConvlabError(f"is longer than {self.max_len} characters")
        self.check(raw)
        return raw

    def dump(self, value: Any) -> str:
        return str(value)


class Schema:
    """The URL-visible state of one page.

    >>> s = Schema(Int("stride", 1, 1, 5), Choice("padding", "valid", ("valid", "same")))
    >>> s.parse({"stride": "0", "padding": "same", "utm": "x"})
    ({'padding': 'same'}, ['URL value stride=0 was ignored (must be from 1 to 5); using 1.'])
    >>> s.dump({"stride": 2, "padding": "valid"})
    {'stride': '2'}
    """

    def __init__(self, *fields):
        self.fields = {f.key: f for f in fields}

    @property
    def defaults(self) -> dict[str, Any]:
        return {k: f.default for k, f in self.fields.items()}

    def parse(self, params: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        values, notices = {}, []
        for key, f in self.fields.items():
            if key not in params:
                continue
            raw = params[key]
            raw = raw[-1] if isinstance(raw, (list, tuple)) and raw else raw
            shown = str(raw) if len(str(raw)) <= 40 else str(raw)[:40] + "…"
            try:
                values[key] = f.parse(str(raw))
            except ConvlabError as err:
                notices.append(f"URL value {key}={shown} was ignored ({err}); using {f.dump(f.default)}.")
        return values, notices

    def dump(self, values: Mapping[str, Any]) -> dict[str, str]:
        return {k: f.dump(values[k]) for k, f in self.fields.items() if k in values and values[k] != f.default}
