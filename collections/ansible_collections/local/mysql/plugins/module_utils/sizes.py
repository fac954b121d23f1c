"""Sizes as people write them (4G, 512M) and as the toolkit prints them, for every role."""

from __future__ import annotations

import math

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


class SizingError(ValueError):
    """The host cannot be sized as asked; the message names the input to change."""


def human(size: int) -> str:
    """1.5G / 512M / 64K: the shortest exact-or-rounded form, for comments and tables."""
    for unit, name in ((GIB, "G"), (MIB, "M"), (KIB, "K")):
        if size >= unit:
            value = size / unit
            return f"{value:.0f}{name}" if value == int(value) else f"{value:.1f}{name}"
    return str(size)


def binary_size(size: int) -> str:
    """4294967296 -> '4 GiB', 2411724800 -> '2.2 GiB': sizes are binary, and say so."""
    text = human(int(size))
    return f"{text[:-1]} {text[-1]}iB" if text[-1:] in "KMG" else f"{text} B"


def parse_size(text: str | int) -> int:
    """'32G', '4096M', '512k', '1073741824' -> bytes; SizingError on anything else."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    value = str(text).strip().upper().removesuffix("B").removesuffix("I")
    factors = {"K": KIB, "M": MIB, "G": GIB, "T": 1024 * GIB}
    factor = factors.get(value[-1:], 1)
    number = value[:-1] if value[-1:] in factors else value
    try:
        size = float(number)
    except ValueError:
        raise SizingError(f"not a size: {text!r} (use bytes or a number with K, M, G or T)") from None
    if size <= 0 or not math.isfinite(size):
        raise SizingError(f"not a size: {text!r} (must be positive)")
    return int(size * factor)
