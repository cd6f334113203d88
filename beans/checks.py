"""Numbers typed on the command line: one rule, in every command.

Each parser raises ValueError naming the option and what to type instead.
"""

from __future__ import annotations

import math
import re

# One rule for numbers typed on the command line, in every command: ASCII digits only (no
# "1_000", which Python's int() takes, and no Arabic-Indic or full-width digits, which both
# int() and float() take), an optional sign, and for decimals a point and an exponent.
WHOLE = re.compile(r"[+-]?[0-9]+")
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def parse_whole(text: str, name: str) -> int:
    """A whole number typed as ASCII digits with an optional sign; ValueError naming ``name`` otherwise."""
    if not WHOLE.fullmatch(text):
        raise ValueError(f"{name} must be a whole number like 12, got {text!r}")
    return int(text)


def parse_decimal(text: str, name: str) -> float:
    """A finite number typed as ``0.8``, ``-1``, ``.5`` or ``2e-3`` (ASCII); ValueError naming ``name`` otherwise."""
    if not DECIMAL.fullmatch(text):
        raise ValueError(f"{name} must be a plain decimal number like 0.8 or 2e-3, got {text!r}")
    value = float(text)
    if not math.isfinite(value):  # 1e999 matches, and overflows to inf
        raise ValueError(f"{name} must be a finite number, got {text!r}")
    return value
