"""The query report's statements from the slow query log, where performance_schema is off.

Pure: the query_probe module finds the slow log's live file and the one rotated before it (their
inode and size), reads the part of them this window covers (``span``) through
``pt-query-digest --output json`` and hands the digest in; ``window`` turns its classes into the
statements query_digest.window gives from performance_schema, with the two flavors' slow-log
fields normalized. Only statements slower than long_query_time are logged: the counts are of those.
"""

from __future__ import annotations

from datetime import datetime

from ansible_collections.local.mysql.plugins.module_utils.query_digest import PS_PER_MS, application, mask
from ansible_collections.local.mysql.plugins.module_utils.query_plan import aliases

# A counter of query_digest.COUNTERS and where each flavor's slow log keeps it: a number summed
# over the class, or a Yes/No field counted where Yes. None: that log does not say.
#   MariaDB: log_slow_verbosity=query_plan; MySQL: log_slow_extra=ON.
_FIELDS = {
    "rows_examined": ("num", "Rows_examined"),
    "rows_sent": ("num", "Rows_sent"),
    "rows_affected": ("num", "Rows_affected"),
    "full_scans": ("bool", "Full_scan"),
    "full_joins": ("bool", "Full_join"),
    "tmp_disk": {"mariadb": ("bool", "Tmp_table_on_disk"), "mysql": ("num", "Created_tmp_disk_tables")},
    "sort_rows": {"mysql": ("num", "Sort_rows")},
    "merge_passes": {"mariadb": ("num", "Merge_passes"), "mysql": ("num", "Sort_merge_passes")},
}


def span(previous: dict | None, live: dict | None, rotated: dict | None) -> dict:
    """{reads: [[path, offset], ...], continuous}: what of the slow log this window covers.

    ``live`` and ``rotated`` are {path, inode, size} of the slow log and of the file the size
    rotation last moved aside (None where absent); ``previous`` is {inode, offset} the previous
    report kept. Rotation renames the live file, so the previous report's file is either still the
    live one or now the rotated one; anything else (rotated twice since, or no previous report)
    reads both files whole (the older rotated ones are compressed) and is not continuous with a
    previous report. The probe gives a file whose bytes before the offset are not the ones the
    previous report saw no inode: a reused inode is not the same file.
    """
    files = [item for item in (rotated, live) if item]
    if previous:
        inode, offset = previous.get("inode"), int(previous.get("offset") or 0)
        if live and live["inode"] == inode and live["size"] >= offset:
            return {"reads": [[live["path"], offset]], "continuous": True}
        if rotated and live and rotated["inode"] == inode and rotated["size"] >= offset:
            return {"reads": [[rotated["path"], offset], [live["path"], 0]], "continuous": True}
    return {"reads": [[item["path"], 0] for item in files], "continuous": False}


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _count(metrics: dict, logged: set, field: tuple) -> int | None:
    """A counter from one class's metrics, 0 where the log carries the field and this class never
    had it (pt-query-digest drops all-zero metrics), None where the log does not carry it."""
    kind, name = field
    if name not in logged:
        return None
    found = metrics.get(name) or {}
    return int(_number(found.get("yes" if kind == "bool" else "sum")))


def _timestamps(classes: list[dict]) -> list[datetime]:
    """Each class's first and last entry: MariaDB's as 2026-12-07 05:13:11, MySQL's in ISO 8601."""
    found = []
    for item in classes:
        for key in ("ts_min", "ts_max"):
            try:
                found.append(datetime.fromisoformat(str(item.get(key) or "").replace(" ", "T").rstrip("Z")))
            except ValueError:
                continue
    return found


def statements(digest: dict, flavor: str, seconds: float) -> tuple[list[dict], dict]:
    """(statements, samples) from pt-query-digest's JSON: each class as a window statement (ranked
    by total time), and the logged example of each, with its values, for EXPLAIN."""
    logged = set((digest.get("global") or {}).get("metrics") or {})
    found, samples = [], {}
    for item in digest.get("classes") or []:
        metrics = item.get("metrics") or {}
        schema = str((metrics.get("db") or {}).get("value") or "")
        example = str((item.get("example") or {}).get("query") or "")
        calls = int(item.get("query_count") or 0)
        if calls <= 0 or not application({"schema": schema, "text": example or str(item.get("fingerprint") or "")}):
            continue
        time_s = _number((metrics.get("Query_time") or {}).get("sum"))
        record = {"calls": calls, "time_ps": round(time_s * 1e12), "no_index": None, "no_good_index": None}
        for counter, where in _FIELDS.items():
            field = where.get(flavor) if isinstance(where, dict) else where
            record[counter] = None if field is None else _count(metrics, logged, field)
        record["errors"] = None
        key = f"{schema}/{item.get('checksum')}"
        if example:
            samples[key] = example
        sent = record["rows_sent"] or 0
        p95_s = (metrics.get("Query_time") or {}).get("pct_95")
        found.append(
            {
                "key": key,
                "schema": schema,
                "text": mask(example or str(item.get("fingerprint") or "")),
                **record,
                "calls_per_s": round(calls / seconds, 3) if seconds > 0 else None,
                "mean_ms": round(record["time_ps"] / calls / PS_PER_MS, 3),
                "p95_ms": None if p95_s is None else round(_number(p95_s) * 1000, 3),
                "total_ms": round(record["time_ps"] / PS_PER_MS, 3),
                "examined_per_sent": round((record["rows_examined"] or 0) / max(sent, 1), 1),
                "rows_per_call": round(sent / calls, 3),
            }
        )
    found.sort(key=lambda statement: (-statement["time_ps"], statement["key"]))
    return found, samples


def window(previous: dict | None, now: dict, read: dict, digest: dict, flavor: str) -> tuple[dict, dict]:
    """({seconds, since, statements}, samples), as query_digest.window gives them.

    ``now`` and ``previous`` are snapshots {taken_at, uptime, slow_log}; ``read`` is the span read.
    Continuous with the previous report, the window is the time between the two; otherwise it is
    what the live file and the last rotated one hold, from their first entry to their last (their
    timestamps are the server's clock, so only their difference is used).
    """
    if read["continuous"]:
        seconds = float(now["taken_at"]) - float(previous["taken_at"])
        since = "previous report"
    else:
        stamps = _timestamps(digest.get("classes") or [])
        seconds = (max(stamps) - min(stamps)).total_seconds() if stamps else 0.0
        since = "the oldest entry of the slow log and its last rotated file"
    seconds = max(seconds, 1.0)
    found, samples = statements(digest, flavor, seconds)
    return {"seconds": round(seconds, 1), "since": since, "statements": found}, samples


def source(performance_schema: bool, slow_query_log: bool, long_query_time: float, log_output: str = "FILE") -> dict:
    """{name, note}: where the report's statements come from on this server."""
    if performance_schema:
        return {"name": "performance_schema", "note": "performance_schema's statement digests"}
    if slow_query_log and "FILE" not in log_output.upper().split(","):
        return {
            "name": None,
            "note": (
                f"performance_schema is off and the slow log goes to {log_output}, not a file: no statement is counted"
            ),
        }
    if slow_query_log:
        return {
            "name": "slow_log",
            "note": (
                "the slow query log through pt-query-digest (performance_schema is off): only statements "
                f"slower than long_query_time ({long_query_time:g} s) are counted"
            ),
        }
    return {"name": None, "note": "performance_schema and the slow query log are both off: no statement is counted"}


def schema_for(text: str, tables_by_schema: dict[str, set[str]]) -> str | None:
    """The one schema that holds every table a statement reads, else None (none or several).

    MySQL's slow log names the schema only where it changes ("use shop;"), so a window that starts
    later has statements without one, and EXPLAIN needs it."""
    needed = set(aliases(text).values())
    if not needed:
        return None
    found = [schema for schema, tables in sorted(tables_by_schema.items()) if needed <= tables]
    return found[0] if len(found) == 1 else None
