"""How far the slow query log may grow: rotated by size, often enough that the live file and
the rotated ones stay within a small share of the log directory's file system.

Pure: the roles pass the file system's size (mysql_host's probe) through the sizing filter, and
mysql_tune prints the result into a logrotate file that its own timer runs.
"""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.sizes import GIB, MIB, human

# The slow log and its rotated files together: 2 % of the file system, within 64 MiB..2 GiB,
# and never more than a tenth of a small file system.
SLOW_LOG_SHARE = 0.02
SLOW_LOG_FLOOR = 64 * MIB
SLOW_LOG_CEILING = 2 * GIB
SLOW_LOG_SMALL_SHARE = 0.10
# Rotated files kept beside the live one, and how often the size is checked: a burst can add to
# the live file only what it writes between two checks.
SLOW_LOG_KEPT = 4
SLOW_LOG_CHECK_MINUTES = 10


def slow_log_rotation(log_file: str, filesystem_size: int | None) -> dict:
    """{file, max_size, keep, bound, check_minutes, reason}: the live file is rotated once it
    passes max_size, ``keep`` rotated files stay, so all of them hold at most ``bound`` bytes plus
    what is written between two checks."""
    if filesystem_size is None:
        bound = SLOW_LOG_FLOOR
        why = f"the log directory's file system is unknown: {human(SLOW_LOG_FLOOR)} in all"
    else:
        share = min(max(int(filesystem_size * SLOW_LOG_SHARE), SLOW_LOG_FLOOR), SLOW_LOG_CEILING)
        bound = min(share, int(filesystem_size * SLOW_LOG_SMALL_SHARE))
        why = (
            f"{SLOW_LOG_SHARE:.0%} of the log directory's {human(filesystem_size)} file system within "
            f"{human(SLOW_LOG_FLOOR)}..{human(SLOW_LOG_CEILING)} (at most {SLOW_LOG_SMALL_SHARE:.0%} of it)"
        )
    max_size = bound // (SLOW_LOG_KEPT + 1) // MIB * MIB or MIB
    return {
        "file": log_file,
        "max_size": max_size,
        "keep": SLOW_LOG_KEPT,
        "bound": max_size * (SLOW_LOG_KEPT + 1),
        "check_minutes": SLOW_LOG_CHECK_MINUTES,
        "reason": (
            f"{why}, shared by the live file and {SLOW_LOG_KEPT} rotated ones: rotated past "
            f"{human(max_size)}, the size checked every {SLOW_LOG_CHECK_MINUTES} minutes"
        ),
    }


def read_by_report(flavor: str, variables: dict) -> bool:
    """Whether the query report reads the slow log (through pt-query-digest, which mysql_tune then
    installs): where performance_schema, its other source, is off. Unset, the server's default
    holds: on in MySQL, off in MariaDB."""
    value = variables.get("performance_schema")
    if value is None:
        return flavor != "mysql"
    return str(value).upper() not in ("ON", "1")


# Where mysql_tune unpacks pt-query-digest for the query report (module slow_log_reader).
READER_DIR = "/usr/local/lib/mysql-toolkit/percona-toolkit"


def reader_tool(directory: str) -> str:
    """The pt-query-digest script in a directory the slow_log_reader module unpacked."""
    return f"{directory}/root/usr/bin/pt-query-digest"


def slow_log_reader(flavor: str, variables: dict) -> dict:
    """{state, dir, tool, reason}: whether mysql_tune unpacks pt-query-digest for the query report."""
    needed = read_by_report(flavor, variables)
    return {
        "state": "present" if needed else "absent",
        "dir": READER_DIR,
        "tool": reader_tool(READER_DIR),
        "reason": (
            "performance_schema is off: the query report reads the slow log through pt-query-digest"
            if needed
            else "performance_schema is on: the query report reads its statement digests"
        ),
    }
