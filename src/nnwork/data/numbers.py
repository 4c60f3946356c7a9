"""Numbers written as text (CSV cells, domain bounds, option values): what counts as one.

Python's `float()` is generous in ways a data file should not be: it reads "1_000" as 1000 and
"١٢" (Arabic-Indic digits) as 12. A number here is plain ASCII decimal notation — an optional
sign, digits with an optional decimal point, an optional exponent — or one of the words
nan/inf/infinity (which the callers then refuse as not finite, saying so).
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity|nan)", re.IGNORECASE | re.ASCII)


def is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text.strip()) is not None


def number(text: str) -> float:
    """The value of `text`; ValueError naming it when it is not a plain decimal number."""
    if not is_number(text):
        raise ValueError(f"{text.strip()!r} is not a number")
    return float(text)
