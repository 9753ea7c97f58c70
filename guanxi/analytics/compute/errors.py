"""Errors raised by the analytics library for input it cannot use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class AnalyticsInputError(ValueError):
    """Input data the analytics cannot use; the message names the column and the offending rows."""

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        count: int | None = None,
        examples: Sequence[Any] = (),
    ) -> None:
        self.column = column
        self.count = count
        self.examples = list(examples)
        parts = [message]
        if column is not None:
            parts.append(f"column {column!r}")
        if count is not None:
            parts.append(f"{count} row(s)")
        if self.examples:
            shown = ", ".join(repr(e) for e in self.examples[:5])
            parts.append(f"e.g. {shown}")
        super().__init__("; ".join(parts))
