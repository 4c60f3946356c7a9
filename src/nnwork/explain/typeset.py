"""Formula text as a reader writes it: "x^4 - 3*x^2 + x" → "x⁴ − 3x² + x".

The tour prints formulas on a page and in figures; code syntax (^, *) there reads as code.
`typeset` rewrites the few things that differ (powers as superscripts, a number times a
name without a sign, other products as ·, minus as −) in plain Unicode, so it works offline
and in any font that has these characters.
"""

from __future__ import annotations

import re

SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def typeset(formula: str) -> str:
    """`formula` (nnwork.targets syntax) in Unicode mathematics."""
    text = re.sub(r"\*\*|\^", "^", formula)
    text = re.sub(r"\^(?:\((-?\d+)\)|(\d+))", lambda m: (m.group(1) or m.group(2)).translate(SUPERSCRIPTS), text)
    text = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)\s*\*\s*(?=[A-Za-z(])", r"\1", text)  # 3*x → 3x
    text = re.sub(r"\s*\*\s*", "·", text)
    return re.sub(r"(?<=\s)-(?=\s)|^-|(?<=\()-", "−", text)
