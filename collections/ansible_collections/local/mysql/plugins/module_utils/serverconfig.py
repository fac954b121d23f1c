"""Reading what a server says about a configuration, and comparing live values with intent."""

from __future__ import annotations

import re

# A warning that means "the server will not run with the value as written".
_REFUSING_WARNINGS = (
    re.compile(r"option '[^']+': .*adjusted to", re.IGNORECASE),
    re.compile(r"'[^']+' was removed", re.IGNORECASE),
    re.compile(r"--?[\w-]+ is deprecated", re.IGNORECASE),
    re.compile(r"(ignoring|ignored) (option|value)", re.IGNORECASE),
)
_LEVEL = re.compile(r"\[(ERROR|Warning)\]", re.IGNORECASE)


def refusals(return_code: int, output: str) -> list[str]:
    """Lines of the server's own checker that refuse the configuration.

    MySQL's ``--validate-config`` and MariaDB's ``--verbose --help`` exit non-zero on unknown
    variables and bad syntax; MariaDB only *warns* when it adjusts a value or ignores a removed
    option, so those warnings count as a refusal too. Unrelated warnings (MAC address, WSREP,
    the checker's own open-files limit) do not.
    """
    refused = []
    for line in output.splitlines():
        level = _LEVEL.search(line)
        if level is None:
            continue
        message = line[level.end() :].strip()
        is_error = level.group(1).upper() == "ERROR"
        if (is_error and "Aborting" not in message) or (
            not is_error and any(p.search(message) for p in _REFUSING_WARNINGS)
        ):
            refused.append(message)
    if return_code != 0 and not refused:
        refused.append(f"the server's checker exited with {return_code}: {output.strip()[-500:]}")
    return refused


# how many of a failed start's error lines a message quotes
START_ERRORS_SHOWN = 5
# lines that only say the start failed, not why
_CONSEQUENCES = re.compile(
    r"Aborting|Failed to initialize (DD|plugins)|Data Dictionary initialization failed", re.IGNORECASE
)


def start_errors(text: str) -> list[str]:
    """The error lines one start wrote (the log read from its position before the restart), the
    reason first: the lines that only say the start gave up ("Aborting") come after the others."""
    errors = []
    for line in text.splitlines():
        level = _LEVEL.search(line)
        if level is not None and level.group(1).upper() == "ERROR":
            errors.append(line[level.end() :].strip())
    errors = [line for line in errors if not _CONSEQUENCES.search(line)] + [
        line for line in errors if _CONSEQUENCES.search(line)
    ]
    return list(dict.fromkeys(errors))[:START_ERRORS_SHOWN]


_BOOLEAN = {"ON": "ON", "OFF": "OFF", "1": "ON", "0": "OFF", "TRUE": "ON", "FALSE": "OFF", "YES": "ON", "NO": "OFF"}


def same_value(intended: int | float | str, live: str | None) -> bool:
    """Does the live SHOW GLOBAL VARIABLES text hold the intended value?"""
    if live is None:
        return False
    if isinstance(intended, bool):
        intended = "ON" if intended else "OFF"
    if isinstance(intended, int):
        try:
            return int(live) == intended
        except ValueError:
            return False
    if isinstance(intended, float):
        try:
            return abs(float(live) - intended) < 1e-6
        except ValueError:
            return False
    text = str(intended)
    if text.upper() in _BOOLEAN and live.upper() in _BOOLEAN:
        return _BOOLEAN[text.upper()] == _BOOLEAN[live.upper()]
    return text == live or text.upper() == live.upper()


def differences(intended: dict, live: dict) -> dict:
    """name -> (intended, live) for every intended variable the server does not hold."""
    return {name: (value, live.get(name)) for name, value in intended.items() if not same_value(value, live.get(name))}


# Pairs the server checks against each other when set at runtime: (lower, upper).
_BOUNDED_PAIRS = (("innodb_io_capacity", "innodb_io_capacity_max"),)


def apply_order(changes: dict, live: dict) -> list[str]:
    """Order runtime SETs so that no value is clamped by one not yet set.

    MySQL clamps innodb_io_capacity to the current innodb_io_capacity_max: when raising,
    set the maximum first; when lowering, set the capacity first.
    """
    order = sorted(changes)
    for lower, upper in _BOUNDED_PAIRS:
        if lower in changes and upper in changes:
            order.remove(lower)
            order.remove(upper)
            try:
                raising = int(changes[lower]) > int(live.get(upper) or 0)
            except (TypeError, ValueError):
                raising = True
            order.extend([upper, lower] if raising else [lower, upper])
    return order
