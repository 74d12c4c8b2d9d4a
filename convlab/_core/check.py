"""The result of a live check against PyTorch: what the pages' "equals torch" badges show."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Check"]


@dataclass(frozen=True)
class Check:
    ok: bool
    max_abs_diff: float
    oracle: str

    def __str__(self) -> str:
        verdict = "equals" if self.ok else "DIFFERS from"
        return f"{verdict} {self.oracle} (largest difference {self.max_abs_diff:.1e})"
