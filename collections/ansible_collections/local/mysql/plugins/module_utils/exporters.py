"""What a host's exporters need, from what exporters_probe read: pure.

The exporters are configured by one shell-style assignment, ``ARGS="..."``, in their
/etc/default files; a healthy host has its packages, the arguments the role asks for and both
units active and enabled, and then nothing runs for them.
"""

from __future__ import annotations

import shlex


def default_args(text: str | None) -> str | None:
    """The ARGS value of an /etc/default file (its last assignment, unquoted, its words joined by
    one space as systemd splits an unquoted $ARGS), None without one."""
    if text is None:
        return None
    found = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("ARGS="):
            try:
                found = " ".join(" ".join(shlex.split(stripped[len("ARGS=") :], comments=True)).split())
            except ValueError:
                found = None
    return found


def exporter_actions(wanted: dict, current: dict, missing_packages: list, running: dict) -> dict:
    """What to do, per exporter key (``mysqld``, ``node``): the packages to install, the
    exporters whose arguments differ from ``wanted``, and those not active and enabled."""
    return {
        "install": sorted(missing_packages),
        "write": sorted(key for key, args in wanted.items() if current.get(key) != " ".join(args.split())),
        "start": sorted(key for key in wanted if not running.get(key)),
    }
