"""Why a statement is slow: its EXPLAIN FORMAT=JSON read as a DBA would, in one line.

Pure: the query_probe module runs the EXPLAIN (of a SELECT only, in MySQL's JSON format 1, the one
MariaDB shares) and hands the document in. ``reading`` names the first of: a join without an index
on the joined column, a filesort over a deep OFFSET, a clustered-index scan chosen over a secondary
index, a full scan, else the index used.
"""

from __future__ import annotations

import re

from ansible_collections.local.mysql.plugins.module_utils.query_digest import mask

_KEYWORDS = frozenset(
    {"where", "on", "using", "join", "inner", "left", "right", "outer", "cross", "natural", "straight_join"}
    | {"group", "order", "limit", "having", "union", "as", "set", "for", "lock", "window", "partition", "use"}
    | {"force", "ignore", "straight", "select", "from", "into", "values"}
)
_SOURCE = re.compile(
    r"\b(?:FROM|JOIN)\s+`?(?P<first>\w+)`?(?:\s*\.\s*`?(?P<second>\w+)`?)?(?:\s+(?:AS\s+)?`?(?P<alias>\w+)`?)?",
    re.IGNORECASE,
)
_DEEP_OFFSET = re.compile(r"\bOFFSET\b|\bLIMIT\s+\?\s*,", re.IGNORECASE)


def aliases(text: str) -> dict[str, str]:
    """alias -> table of each FROM and JOIN source of a statement (a table is its own alias)."""
    found = {}
    for match in _SOURCE.finditer(text or ""):
        table = match.group("second") or match.group("first")
        alias = match.group("alias")
        found[table] = table
        if alias and alias.lower() not in _KEYWORDS:
            found[alias] = table
    return found


def tables(plan: dict) -> list[dict]:
    """Each table an EXPLAIN FORMAT=JSON plan reads, in plan order, with whether a filesort sorts it."""
    found: list[dict] = []

    def walk(node, sorted_above: bool) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, sorted_above)
            return
        if not isinstance(node, dict):
            return
        sorted_here = sorted_above or bool(node.get("using_filesort")) or "filesort" in node
        table = node.get("table")
        if isinstance(table, dict) and "table_name" in table:
            found.append(
                {
                    "name": str(table["table_name"]),
                    "access_type": str(table.get("access_type", "")),
                    "key": table.get("key"),
                    "possible_keys": list(table.get("possible_keys") or []),
                    "rows": int(float(table.get("rows_examined_per_scan", table.get("rows", 0)) or 0)),
                    "ref": list(table.get("ref") or []),
                    "condition": str(table.get("attached_condition") or ""),
                    "filesort": sorted_here,
                }
            )
        for key, value in node.items():
            if key != "table" or not (isinstance(value, dict) and "table_name" in value):
                walk(value, sorted_here)

    walk(plan, False)
    return found


_DOTTED = re.compile(r"`?\w+`?(?:\s*\.\s*`?\w+`?)+")
_COMPARISON = re.compile(r"(?<![<>!])=(?!=)")


def _columns(text: str) -> list[tuple[str, str]]:
    """(alias, column) of each dotted name in an expression: `db`.`alias`.`column` or alias.column."""
    return [tuple(name.replace("`", "").replace(" ", "").split(".")[-2:]) for name in _DOTTED.findall(text)]


def join_pairs(read: list[dict]) -> list[tuple[str, str]]:
    """(alias, column) of each side of the plan's join conditions: another table's ``ref`` to a
    column (db.alias.column), and equalities between two tables' columns in a condition (a hash
    join's, with the casts the optimizer adds)."""
    pairs = []
    for table in read:
        for ref in table["ref"]:
            parts = str(ref).split(".")
            if len(parts) >= 2:
                pairs.append((parts[-2], parts[-1]))
        for comparison in re.split(r"\band\b|\bor\b", table["condition"], flags=re.IGNORECASE):
            sides = _COMPARISON.split(comparison)
            if len(sides) != 2:
                continue
            left, right = (_columns(side) for side in sides)
            if left and right and left[-1][0] != right[-1][0]:
                pairs.extend([left[-1], right[-1]])
    return pairs


def joined_columns(table: dict, read: list[dict]) -> list[str]:
    """Columns of ``table`` the plan joins on."""
    return list(dict.fromkeys(column for alias, column in join_pairs(read) if alias == table["name"]))


def reading(plan: dict, text: str) -> dict:
    """{tables, reading, access_type, key, possible_keys, missing}: the plan's tables and a line.

    ``text`` is the statement (masked is enough): it maps aliases to tables and shows an OFFSET.
    The tables' conditions come back masked.
    ``missing`` names the table.column a join needs an index on, when that is the reading.
    """
    read = tables(plan)
    names = aliases(text)
    deep_offset = bool(_DEEP_OFFSET.search(text or ""))
    # the plan's conditions hold the sample's values: the report shows them masked
    result = {"tables": [{**table, "condition": mask(table["condition"])} for table in read], "missing": None}
    for table in read:
        if table["access_type"] != "ALL":
            continue
        real = names.get(table["name"], table["name"])
        columns = joined_columns(table, read)
        if columns and len(read) > 1:
            result["missing"] = f"{real}.{columns[0]}"
            line = (
                f"a join without an index on the joined column {real}.{columns[0]}: "
                f"{real} is read whole ({table['rows']} rows) for the join"
            )
        elif table["filesort"] and deep_offset:
            line = (
                f"a filesort over a deep OFFSET: {real} is read whole ({table['rows']} rows) "
                "and sorted to send one page"
            )
        elif table["possible_keys"]:
            line = (
                f"a clustered-index scan of {real} ({table['rows']} rows) chosen over the secondary "
                f"index{'es' if len(table['possible_keys']) > 1 else ''} {', '.join(table['possible_keys'])}"
            )
        else:
            line = f"a full scan of {real} ({table['rows']} rows): no index serves its conditions"
        return {**result, **_access(table), "reading": line}
    if read and any(table["filesort"] for table in read) and deep_offset:
        first = read[0]
        line = (
            f"a filesort over a deep OFFSET: {first['rows']} rows of {names.get(first['name'], first['name'])} sorted"
        )
        return {**result, **_access(first), "reading": line}
    if not read:
        return {**result, "access_type": None, "key": None, "possible_keys": [], "reading": "no table read"}
    first = read[0]
    real = names.get(first["name"], first["name"])
    return {**result, **_access(first), "reading": f"reads {real} through {first['key']} ({first['access_type']})"}


def _access(table: dict) -> dict:
    return {"access_type": table["access_type"], "key": table["key"], "possible_keys": table["possible_keys"]}
