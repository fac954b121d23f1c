"""The one form every refused input takes: the variable, its value and what it accepts."""

from __future__ import annotations


def must_be(name: str, value, accepted: str, *, where: str = "", secret: bool = False) -> str:
    """'name=value (where): must be accepted'; a secret's value is never shown."""
    shown = "" if secret else f"={value!r}"
    place = f" ({where})" if where else ""
    return f"{name}{shown}{place}: must be {accepted}"
