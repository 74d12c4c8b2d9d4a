"""The result of a live check against PyTorch: what the pages' "equals torch" badges show."""

from __future__ import annotations

from dataclasses import dataclass

from convlab._core.format import MINUS

__all__ = ["Check"]


@dataclass(frozen=True)
class Check:
    ok: bool
    max_abs_diff: float
    oracle: str

    def __str__(self) -> str:
        """The badge's words; no hyphen for a minus (issue 24).

        >>> str(Check(True, 2.2e-16, "torch")), str(Check(False, 0.5, "torch"))
        ('equals torch (largest difference 2.2e−16)', 'DIFFERS from torch (largest difference 5.0e−01)')
        """
        verdict = "equals" if self.ok else "DIFFERS from"
        # the exponent with a true minus sign (U+2212), as the captions write it: "2.2e−16", not "2.2e-16"
        return f"{verdict} {self.oracle} (largest difference {self.max_abs_diff:.1e})".replace("e-", f"e{MINUS}")
