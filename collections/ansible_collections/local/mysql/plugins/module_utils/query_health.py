"""The query report's indexes and transactions, and the report itself.

Pure: the query_probe module reads sys's index views, InnoDB's open transactions and its history
list, and the statements' window (query_digest) with their plans (query_plan); ``report``
assembles them and ``page`` prints it for a terminal. Nothing here talks to a server.
"""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.query_digest import SYSTEM_SCHEMAS, mask


def index_suggestions(unused: list[tuple] | None, redundant: list[tuple], uptime: int) -> dict:
    """Indexes to consider dropping, each with the statement that would (never run by the toolkit).

    ``unused``: sys.schema_unused_indexes rows (schema, table, index): no read since the server
    started, so judged on ``uptime`` seconds; None where performance_schema, which counts the
    reads, is off. ``redundant``: sys.schema_redundant_indexes rows
    (schema, table, index, its columns, the dominant index, its columns, the drop statement).
    """
    return {
        "judged_on_uptime_s": int(uptime),
        "unused_known": unused is not None,
        "unused": [
            {
                "table": f"{schema}.{table}",
                "index": index,
                "drop": f"ALTER TABLE `{schema}`.`{table}` DROP INDEX `{index}`",
            }
            for schema, table, index in sorted(unused or [])
            if schema not in SYSTEM_SCHEMAS
        ],
        "redundant": [
            {
                "table": f"{schema}.{table}",
                "index": index,
                "columns": columns,
                "covered_by": dominant,
                "covered_by_columns": dominant_columns,
                "drop": drop,
            }
            for schema, table, index, columns, dominant, dominant_columns, drop in sorted(redundant)
            if schema not in SYSTEM_SCHEMAS
        ],
    }


def oldest_transaction(row: tuple | None, last_statement: str | None, show_literals: bool) -> dict | None:
    """InnoDB's oldest open transaction: (age s, rows modified, session id, state, running
    statement, user, host, command) and the session's last statement; statements masked unless
    ``show_literals``."""
    if not row:
        return None
    age, modified, session, state, running, user, host, command = row
    statement = running or last_statement or ""

    def shown(text: str) -> str:
        return text if show_literals else mask(text)

    return {
        "age_s": int(age or 0),
        "rows_modified": int(modified or 0),
        "session": int(session or 0),
        "state": str(state or ""),
        "user": str(user or ""),
        "host": str(host or ""),
        "command": str(command or ""),
        "statement": shown(statement)[:300],
        "statement_is": "running" if running else ("the last one it ran" if last_statement else "unknown"),
    }


def _count(value) -> str:
    return "not logged" if value is None else str(value)


def page(report: dict) -> str:
    """The report as a person reads it in a terminal."""
    window = report["window"]
    lines = [
        f"Query report for {report['host']} ({report['server']}): {window['seconds']:.0f} s since {window['since']}",
        f"Statements from {report['source']['note']}",
        "",
        "Top statements by total time",
    ]
    for rank, statement in enumerate(report["statements"], 1):
        p95 = f"{statement['p95_ms']:.2f} ms" if statement["p95_ms"] is not None else "not kept by this server"
        lines.append(
            f"{rank:>2}. {statement['total_ms']:.1f} ms total, {statement['calls']} calls "
            f"({statement['calls_per_s']}/s), mean {statement['mean_ms']:.3f} ms, p95 {p95}"
        )
        lines.append(
            f"    {statement['examined_per_sent']} rows examined per row sent, "
            f"full scans {_count(statement['full_scans'])}, no index {_count(statement['no_index'])}, "
            f"tmp tables on disk {_count(statement['tmp_disk'])}, "
            f"sort merge passes {_count(statement['merge_passes'])}"
        )
        lines.append(f"    [{statement['schema'] or '-'}] {statement['text'][:240]}")
        plan = statement.get("plan")
        if plan:
            keys = ", ".join(plan["possible_keys"]) or "none"
            access = f"access {plan['access_type']}, key {plan['key'] or 'none'}, possible {keys}"
            lines.append(f"    why: {plan['reading']} ({access})")
    lines += ["", "N+1 suspects (one row a call, called in a loop)"]
    lines += [
        f"  - {suspect['calls']} calls ({suspect['calls_per_s']}/s), {suspect['rows_per_call']} rows a call: "
        f"[{suspect['schema'] or '-'}] {suspect['text'][:200]}"
        for suspect in report["n_plus_one"]
    ] or ["  none"]
    indexes = report["indexes"]
    if indexes["unused_known"]:
        lines += ["", f"Indexes (unused: no read in the {indexes['judged_on_uptime_s']} s since the server started)"]
    else:
        lines += ["", "Indexes (which go unread is not known: performance_schema, which counts the reads, is off)"]
    lines += [f"  unused     {item['table']} {item['index']}: {item['drop']}" for item in indexes["unused"]]
    lines += [
        f"  redundant  {item['table']} {item['index']} ({item['columns']}) is covered by "
        f"{item['covered_by']} ({item['covered_by_columns']}): {item['drop']}"
        for item in indexes["redundant"]
    ]
    if not indexes["unused"] and not indexes["redundant"]:
        lines.append("  none")
    lines.append("  (suggestions only: the toolkit never drops an index)")
    transactions = report["transactions"]
    oldest = transactions["oldest"]
    lines += ["", f"Transactions: history list length {transactions['history_list_length']}"]
    if oldest:
        lines.append(
            f"  oldest open: {oldest['age_s']} s, {oldest['rows_modified']} rows modified, session {oldest['session']} "
            f"({oldest['user']}@{oldest['host']}, {oldest['command']}), "
            + (
                f"{oldest['statement_is']}: {oldest['statement']}"
                if oldest["statement"]
                else "no statement known (performance_schema keeps an idle session's last one)"
            )
        )
    else:
        lines.append("  none open")
    return "\n".join(lines) + "\n"


def account_grants(schemas: list[str]) -> list[str]:
    """What the report's account is granted (each for %s@'localhost'): PROCESS for InnoDB's
    transactions and history list, performance_schema and sys to read, and SELECT on each
    application schema, which EXPLAIN needs on the tables it plans."""
    grants = [
        "GRANT PROCESS ON *.* TO %s@'localhost'",
        "GRANT SELECT ON `performance_schema`.* TO %s@'localhost'",
        "GRANT SELECT, EXECUTE ON `sys`.* TO %s@'localhost'",
    ]
    for schema in sorted(set(schemas) - SYSTEM_SCHEMAS):
        quoted = schema.replace("`", "``")
        grants.append(f"GRANT SELECT ON `{quoted}`.* TO %s@'localhost'")
    return grants
