"""The query report's statements: what each digest did within a window, and which look like N+1.

Pure: the query_probe module reads two snapshots of the server's statement digests (this run's
and the one the previous report kept) and hands them in; nothing here talks to a server. A
counter is always the difference between two snapshots, never a lifetime total, unless the
server started inside the window (then the window is its uptime).
"""

from __future__ import annotations

import math
import re

# What a digest counts, as the probe names the performance_schema columns (both flavors).
COUNTERS = (
    "calls",
    "time_ps",
    "rows_examined",
    "rows_sent",
    "rows_affected",
    "no_index",
    "no_good_index",
    "full_scans",
    "full_joins",
    "tmp_disk",
    "sort_rows",
    "merge_passes",
    "errors",
)
# Schemas that are the servers' and the toolkit's own business, never the application's.
SYSTEM_SCHEMAS = frozenset({"mysql", "performance_schema", "information_schema", "sys"})
_SYSTEM_TEXT = re.compile(r"`?\b(performance_schema|information_schema|sys|mysql)`?\s*\.", re.IGNORECASE)
PS_PER_MS = 1e9
_DML = re.compile(r"\s*\(*\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH|CALL|VALUES|TABLE)\b", re.IGNORECASE)

# Literals in a statement the report shows: quoted strings, hex and binary literals, numbers.
# A string cut short (a long statement's sample is truncated) is masked to the end.
_LITERALS = re.compile(
    r"""'(?:[^'\\]|\\.|'')*(?:'|\Z)|"(?:[^"\\]|\\.|"")*(?:"|\Z)|\b0x[0-9a-f]+\b|\bx'[0-9a-f]*'|\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b""",
    re.IGNORECASE,
)
_LISTS = re.compile(r"\(\s*\?(?:\s*,\s*\?)+\s*\)")
_ROWS = re.compile(r"\(\?, \.\.\.\)(?:\s*,\s*\(\?, \.\.\.\))+")


def mask(statement: str) -> str:
    """The statement with every literal as ?, a list of them as (?, ...) and a list of such rows
    as (?, ...), ...: what the report shows."""
    return _ROWS.sub("(?, ...), ...", _LISTS.sub("(?, ...)", _LITERALS.sub("?", statement or "")))


def application(record: dict) -> bool:
    """Whether a digest is the application's work: a query or a change of rows, outside the servers'
    own schemas (not DDL, account statements, SET or SHOW, nor the toolkit's own reading)."""
    schema = record.get("schema") or ""
    text = record.get("text") or ""
    return schema.lower() not in SYSTEM_SCHEMAS and bool(_DML.match(text)) and not _SYSTEM_TEXT.search(text)


def window_start(window: str, kept: dict | None, source: str | None) -> dict | None:
    """The snapshot this report's window starts from: the one the previous report kept, when the
    window is 'previous' and that snapshot was taken from the same source (a window is the
    difference of two snapshots of one source); None, since the server started, otherwise."""
    if window != "previous" or not kept:
        return None
    if kept.get("source", "performance_schema") != source:
        return None
    return kept


def restarted(before: dict | None, after: dict) -> bool:
    """No usable earlier snapshot: none, or the server started after it was taken."""
    if not before:
        return True
    return float(after["uptime"]) + 1 < float(after["taken_at"]) - float(before["taken_at"])


def _bucket_counts(histogram) -> dict[float, int]:
    return {float(upper): int(count) for upper, count in histogram or []}


def p95_ms(histogram: dict[float, int]) -> float | None:
    """The 95th percentile of a latency histogram {upper bound in ps: count}, in ms; None if empty."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    needed, seen = math.ceil(0.95 * total), 0
    for upper in sorted(histogram):
        seen += histogram[upper]
        if seen >= needed:
            return upper / PS_PER_MS
    return None


def window(before: dict | None, after: dict) -> dict:
    """{seconds, since, statements}: each application digest's counters within the window.

    ``before`` and ``after`` are snapshots {taken_at (epoch s), uptime (s), digests: {key: record}};
    a record holds COUNTERS, schema, text, sample and, where the server keeps one (MySQL), histogram
    [[upper bound in ps, count], ...]. A digest whose calls went down was reset in between: its
    counts since then are all there is. Digests without a call in the window are left out.
    """
    fresh = restarted(before, after)
    base = {} if fresh else before["digests"]
    seconds = float(after["uptime"]) if fresh else float(after["taken_at"]) - float(before["taken_at"])
    statements = []
    for key, record in after["digests"].items():
        if not application(record):
            continue
        previous = base.get(key)
        if previous and int(record["calls"]) < int(previous["calls"]):
            previous = None
        delta = {name: int(record.get(name) or 0) - int((previous or {}).get(name) or 0) for name in COUNTERS}
        if delta["calls"] <= 0:
            continue
        histogram = None
        if record.get("histogram") is not None:
            now, then = _bucket_counts(record["histogram"]), _bucket_counts((previous or {}).get("histogram"))
            histogram = {
                upper: count - then.get(upper, 0) for upper, count in now.items() if count > then.get(upper, 0)
            }
        statements.append(
            {
                "key": key,
                "schema": record.get("schema") or "",
                "text": mask(record.get("text") or ""),
                **delta,
                "calls_per_s": round(delta["calls"] / seconds, 3) if seconds > 0 else None,
                "mean_ms": round(delta["time_ps"] / delta["calls"] / PS_PER_MS, 3),
                "p95_ms": None if histogram is None else p95_ms(histogram),
                "total_ms": round(delta["time_ps"] / PS_PER_MS, 3),
                "examined_per_sent": round(delta["rows_examined"] / max(delta["rows_sent"], 1), 1),
                "rows_per_call": round(delta["rows_sent"] / delta["calls"], 3),
            }
        )
    statements.sort(key=lambda statement: (-statement["time_ps"], statement["key"]))
    return {
        "seconds": round(seconds, 1),
        "since": "server start" if fresh else "previous report",
        "statements": statements,
    }


def is_select(text: str) -> bool:
    return bool(re.match(r"\s*(\(\s*)*SELECT\b", text or "", re.IGNORECASE))


def n_plus_one(statements: list[dict], top: int, min_calls: int) -> list[dict]:
    """SELECTs called at least ``min_calls`` times in the window, at most one row a call, whose
    total time ranks among the ``top`` statements: one row fetched in a loop that a join or an
    IN list would fetch at once. ``statements`` come ranked by total time (window)."""
    return [
        statement
        for statement in statements[:top]
        if is_select(statement["text"]) and statement["calls"] >= min_calls and statement["rows_per_call"] <= 1
    ]


def needs_a_plan(statement: dict, ratio: float) -> bool:
    """A SELECT that reads at least ``ratio`` rows for each it sends, or uses no index (where the
    source says: the slow log does not)."""
    if not is_select(statement["text"]):
        return False
    return statement["examined_per_sent"] >= ratio or (statement["no_index"] or 0) > 0
