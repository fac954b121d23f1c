"""The query report's pure parts: windows of digests, N+1 suspects, plans read, indexes, transactions,
the page (module_utils/query_digest.py, query_plan.py, query_health.py). The plans in
fixtures/query are what MySQL 9.7.4 (JSON format 1) and MariaDB 11.8.9 answered in the lab."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ansible_collections.local.mysql.plugins.module_utils.query_digest import (
    COUNTERS,
    mask,
    n_plus_one,
    needs_a_plan,
    p95_ms,
    window,
    window_start,
)
from ansible_collections.local.mysql.plugins.module_utils.query_health import (
    account_grants,
    index_suggestions,
    oldest_transaction,
    page,
)
from ansible_collections.local.mysql.plugins.module_utils.query_plan import aliases, reading
from ansible_collections.local.mysql.plugins.module_utils.query_slow_log import source
from hypothesis import given
from hypothesis import strategies as st

PLANS = Path(__file__).parent / "fixtures" / "query"
JOIN = (
    "SELECT `c` . `name` , SUM ( `o` . `amount` ) FROM `customers` `c` JOIN `orders` `o` ON `o` . `customer_id` = "
    "`c` . `id` WHERE `c` . `city` = ? AND `c` . `id` < ? GROUP BY `c` . `id`"
)
OFFSET = "SELECT `id` , `body` , `created_at` FROM `comments` ORDER BY `created_at` DESC LIMIT ? OFFSET ?"
LOOKUP = "SELECT NAME , `email` FROM `customers` WHERE `id` = ?"
TEXTS = {
    "join": JOIN,
    "offset": OFFSET,
    "ref": "SELECT `id` , NAME , `price` FROM `products` WHERE `category_id` = ? ORDER BY `price`",
    "scan-over-index": "SELECT `id` , NAME FROM `products` WHERE NAME LIKE ? AND `category_id` > ?",
    "hash-join": "SELECT `c` . `name` , `o` . `amount` FROM `orders` `o` JOIN `customers` `c` ON `c` . `email` = "
    "`o` . `product_id` WHERE `o` . `amount` > ?",
}


def record(text, calls, time_ps, examined=0, sent=0, schema="shop", histogram=None, **more):
    counts = {name: 0 for name in COUNTERS}
    counts.update(calls=calls, time_ps=time_ps, rows_examined=examined, rows_sent=sent, **more)
    found = {"schema": schema, "text": text, **counts}
    if histogram is not None:
        found["histogram"] = histogram
    return found


def snapshot(taken_at, uptime, **digests):
    return {"taken_at": taken_at, "uptime": uptime, "digests": digests}


# ---- windows ----


def test_the_window_counts_only_what_happened_since_the_previous_snapshot():
    before = snapshot(1000, 500, lookup=record(LOOKUP, 10, 10**9, 10, 10, histogram=[[10**6, 10]]))
    after = snapshot(
        1100,
        600,
        lookup=record(LOOKUP, 1010, 51 * 10**9, 1010, 1010, histogram=[[10**6, 950], [5 * 10**6, 60]]),
        join=record(JOIN, 3, 30 * 10**9, 158766, 223, no_index=3),
        idle=record("SELECT ?", 4, 10**9),
    )
    after["digests"]["idle"] = before["digests"].setdefault("idle", record("SELECT ?", 4, 10**9))
    result = window(before, after)
    assert (result["seconds"], result["since"]) == (100.0, "previous report")
    lookup, join = result["statements"]
    assert (lookup["calls"], lookup["total_ms"], lookup["mean_ms"]) == (1000, 50.0, 0.05)
    assert lookup["calls_per_s"] == 10.0 and lookup["rows_per_call"] == 1.0
    # 940 of the window's 1000 calls within 1 µs, the other 60 within 5 µs: the 950th is beyond the first
    assert lookup["p95_ms"] == 0.005
    assert join["examined_per_sent"] == round(158766 / 223, 1) and join["p95_ms"] is None
    assert [statement["key"] for statement in result["statements"]] == ["lookup", "join"], "idle: no call, left out"


def test_a_server_started_inside_the_window_counts_from_its_start():
    before = snapshot(1000, 5000, lookup=record(LOOKUP, 900, 9 * 10**9))
    after = snapshot(1600, 60, lookup=record(LOOKUP, 100, 10**9))
    result = window(before, after)
    assert (result["seconds"], result["since"]) == (60.0, "server start")
    assert result["statements"][0]["calls"] == 100
    assert window(None, after)["since"] == "server start"


def test_a_digest_reset_in_between_counts_from_the_reset():
    before = snapshot(1000, 5000, lookup=record(LOOKUP, 900, 9 * 10**9))
    after = snapshot(1100, 5100, lookup=record(LOOKUP, 40, 10**9))
    assert window(before, after)["statements"][0]["calls"] == 40


@given(
    window_asked=st.sampled_from(["previous", "start"]),
    kept_source=st.sampled_from([None, "performance_schema", "slow_log"]),
    source_now=st.sampled_from(["performance_schema", "slow_log", None]),
)
def test_the_window_starts_at_the_kept_snapshot_only_when_asked_and_of_the_same_source(
    window_asked, kept_source, source_now
):
    kept = snapshot(1000, 500, lookup=record(LOOKUP, 10, 10**9))
    if kept_source is not None:
        kept["source"] = kept_source
    start = window_start(window_asked, kept, source_now)
    # a snapshot kept without a source name was taken from performance_schema
    same_source = (kept_source or "performance_schema") == source_now
    assert start is (kept if window_asked == "previous" and same_source else None)
    assert window_start(window_asked, {}, source_now) is None, "nothing kept: since the server started"


def test_the_servers_and_the_toolkits_own_statements_are_left_out():
    after = snapshot(
        1000,
        100,
        mine=record("SELECT * FROM `performance_schema` . `threads`", 5, 10**9, schema=""),
        sys=record("SELECT ?", 5, 10**9, schema="sys"),
        app=record(LOOKUP, 5, 10**9, schema=""),
    )
    assert [statement["key"] for statement in window(None, after)["statements"]] == ["app"]


@given(st.lists(st.tuples(st.integers(1, 10**12), st.integers(0, 1000)), min_size=1, max_size=30))
def test_p95_is_the_first_bucket_reaching_95_percent(buckets):
    histogram = {}
    for upper, count in buckets:
        histogram[float(upper)] = histogram.get(float(upper), 0) + count
    total = sum(histogram.values())
    found = p95_ms(histogram)
    if total == 0:
        assert found is None
        return
    bound = round(found * 1e9)  # back in ps: the buckets' bounds are whole ps
    below = sum(count for upper, count in histogram.items() if upper < bound)
    upto = sum(count for upper, count in histogram.items() if upper <= bound)
    assert below < 0.95 * total <= upto


# ---- N+1 and plans to read ----


def ranked(*statements):
    return window(None, snapshot(1000, 100, **{f"s{i}": statement for i, statement in enumerate(statements)}))[
        "statements"
    ]


def test_a_one_row_select_called_in_a_loop_among_the_top_is_an_n_plus_one_suspect():
    statements = ranked(
        record(OFFSET, 3, 69 * 10**9, 210120, 60, no_index=3),
        record(LOOKUP, 1000, 27 * 10**9, 1000, 1000),
        record("SELECT `id` , `customer_id` FROM `orders` ORDER BY `id` DESC LIMIT ?", 5, 10**9, 1000, 1000),
        record("UPDATE `orders` SET `amount` = `amount` + ? WHERE `id` = ?", 2000, 30 * 10**9, 2000, 0),
    )
    assert [suspect["text"] for suspect in n_plus_one(statements, top=10, min_calls=100)] == [LOOKUP]
    assert n_plus_one(statements, top=1, min_calls=100) == [], "only among the top"
    assert n_plus_one(statements, top=10, min_calls=2000) == []


def test_plans_are_read_for_selects_that_read_far_more_than_they_send():
    offset, lookup, update = ranked(
        record(OFFSET, 3, 69 * 10**9, 210120, 60, no_index=3),
        record(LOOKUP, 1000, 27 * 10**9, 1000, 1000),
        record("UPDATE `orders` SET `amount` = ? WHERE `customer_id` = ?", 5, 10**9, 50000, 0, no_index=5),
    )
    assert needs_a_plan(offset, 100) and not needs_a_plan(lookup, 100)
    assert not needs_a_plan(update, 100), "only a SELECT is ever explained"


# ---- masking ----


def test_values_are_masked():
    statement = "SELECT * FROM t1 WHERE a = 'qlit-paris' AND b IN (1, 2, 3) AND c = \"x\" AND d = 0x1F AND e = 2.5e3"
    assert mask(statement) == "SELECT * FROM t1 WHERE a = ? AND b IN (?, ...) AND c = ? AND d = ? AND e = ?"
    assert mask("DELETE FROM comments WHERE id <= 20000") == "DELETE FROM comments WHERE id <= ?"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="'\\"), max_size=20))
def test_no_quoted_value_survives_the_mask(value):
    masked = mask(f"SELECT * FROM t WHERE a = 'qlit{value}' AND b = 12345")
    assert "qlit" not in masked and "12345" not in masked


# ---- plans ----


@pytest.mark.parametrize("flavor", ["mysql", "mariadb"])
@pytest.mark.parametrize(
    ("kind", "access", "missing", "words"),
    [
        ("join", "ALL", "orders.customer_id", "a join without an index on the joined column orders.customer_id"),
        ("offset", "ALL", None, "a filesort over a deep OFFSET: comments is read whole"),
        ("scan-over-index", "ALL", None, "a clustered-index scan of products (2000 rows) chosen over the secondary"),
        ("ref", "ref", None, "reads products through idx_category_price (ref)"),
    ],
)
def test_each_plan_is_read_as_a_dba_would(flavor, kind, access, missing, words):
    found = reading(json.loads((PLANS / f"{flavor}-{kind}.json").read_text()), TEXTS[kind])
    assert (found["access_type"], found["missing"]) == (access, missing)
    assert found["reading"].startswith(words)


def test_a_hash_join_names_the_column_its_condition_joins_on():
    found = reading(json.loads((PLANS / "mysql-hash-join.json").read_text()), TEXTS["hash-join"])
    assert found["missing"] == "customers.email"


def test_the_plans_conditions_are_masked():
    found = reading(json.loads((PLANS / "mariadb-join.json").read_text()), JOIN)
    conditions = " ".join(table["condition"] for table in found["tables"])
    assert "Paris" not in conditions and "300" not in conditions and "?" in conditions


def test_aliases_map_to_their_tables():
    assert aliases(JOIN) == {"customers": "customers", "c": "customers", "orders": "orders", "o": "orders"}
    assert aliases("SELECT * FROM `shop` . `orders` WHERE `id` = ?") == {"orders": "orders"}


# ---- indexes, transactions, the account ----


def test_index_suggestions_carry_the_statement_and_leave_the_servers_own_alone():
    found = index_suggestions(
        [("shop", "products", "idx_name"), ("mysql", "user", "x")],
        [
            (
                "shop",
                "products",
                "idx_category",
                "category_id",
                "idx_category_price",
                "category_id,price",
                "ALTER TABLE `shop`.`products` DROP INDEX `idx_category`",
            )
        ],
        3600,
    )
    assert found["judged_on_uptime_s"] == 3600
    assert found["unused"] == [
        {"table": "shop.products", "index": "idx_name", "drop": "ALTER TABLE `shop`.`products` DROP INDEX `idx_name`"}
    ]
    assert found["redundant"][0]["covered_by"] == "idx_category_price"


def test_the_oldest_transaction_is_shown_masked_unless_asked():
    row = (42, 20000, 17, "RUNNING", None, "root", "localhost", "Sleep")
    shown = oldest_transaction(row, "DELETE FROM comments WHERE id <= 20000", show_literals=False)
    assert shown["statement"] == "DELETE FROM comments WHERE id <= ?" and shown["statement_is"] == "the last one it ran"
    assert (shown["age_s"], shown["rows_modified"], shown["session"]) == (42, 20000, 17)
    assert "20000" in oldest_transaction(row, "DELETE FROM comments WHERE id <= 20000", True)["statement"]
    assert oldest_transaction(None, None, False) is None


def test_the_account_reads_the_application_schemas_and_nothing_of_the_servers():
    grants = account_grants(["mysql", "sys", "shop", "performance_schema", "information_schema", "odd`name"])
    assert grants[:3] == [
        "GRANT PROCESS ON *.* TO %s@'localhost'",
        "GRANT SELECT ON `performance_schema`.* TO %s@'localhost'",
        "GRANT SELECT, EXECUTE ON `sys`.* TO %s@'localhost'",
    ]
    assert grants[3:] == [
        "GRANT SELECT ON `odd``name`.* TO %s@'localhost'",
        "GRANT SELECT ON `shop`.* TO %s@'localhost'",
    ]
    assert not any(re.search(r"\b(INSERT|UPDATE|DELETE|DROP|ALTER|SUPER|ALL)\b", grant) for grant in grants)


def test_the_page_names_each_finding():
    statements = ranked(record(LOOKUP, 1000, 27 * 10**9, 1000, 1000), record(OFFSET, 3, 69 * 10**9, 210120, 60))
    statements[0]["plan"] = reading(json.loads((PLANS / "mysql-offset.json").read_text()), OFFSET)
    report = {
        "host": "db1",
        "server": "MySQL 9.7.4",
        "source": source(True, True, 1.0),
        "window": {"seconds": 100.0, "since": "previous report"},
        "statements": statements,
        "n_plus_one": n_plus_one(statements, 10, 100),
        "indexes": index_suggestions([("shop", "products", "idx_name")], [], 3600),
        "transactions": {
            "oldest": oldest_transaction((42, 20000, 17, "RUNNING", None, "root", "localhost", "Sleep"), None, False),
            "history_list_length": 2001,
        },
    }
    text = page(report)
    assert "db1 (MySQL 9.7.4): 100 s since previous report" in text
    assert "why: a filesort over a deep OFFSET" in text
    assert "N+1 suspects" in text and LOOKUP in text
    assert "unused     shop.products idx_name: ALTER TABLE `shop`.`products` DROP INDEX `idx_name`" in text
    assert "history list length 2001" in text and "oldest open: 42 s, 20000 rows modified, session 17" in text
    assert "Statements from performance_schema's statement digests" in text


def test_a_page_from_the_slow_log_says_what_it_cannot_know():
    statements = ranked(record(OFFSET, 3, 69 * 10**9, 210120, 60))
    statements[0].update({"no_index": None, "errors": None})
    report = {
        "host": "db2",
        "server": "MariaDB 10.11.18",
        "source": source(False, True, 0.5),
        "window": {"seconds": 20.0, "since": "previous report"},
        "statements": statements,
        "n_plus_one": [],
        "indexes": index_suggestions(None, [], 3600),
        "transactions": {
            "oldest": oldest_transaction((42, 20000, 17, "RUNNING", None, "root", "localhost", "Sleep"), None, False),
            "history_list_length": 2001,
        },
    }
    text = page(report)
    assert "slower than long_query_time (0.5 s)" in text and "no index not logged" in text
    assert "which go unread is not known: performance_schema" in text and "unused     " not in text
    assert "no statement known" in text


# ---- the modules, against a stand-in PyMySQL ----

SOCKET = "/run/mysqld/mysqld.sock"


def test_the_account_is_made_with_its_grants_and_dropped_after(tmp_path):
    from module_runner import run_module
    from pymysql_stand_in import log, server

    answers = [
        {"match": "FROM mysql.user", "rows": [[1]]},
        {"match": "SCHEMATA", "rows": [["mysql"], ["shop"], ["sys"]]},
    ]
    args = {"socket": SOCKET, "user": "toolkit_report", "password": "pw-of-the-run"}
    made = run_module("query_account", tmp_path, args, env=server(tmp_path, answers))
    asked = [(entry["query"], entry.get("args")) for entry in log(tmp_path) if "query" in entry]
    # one left by an interrupted run is replaced
    assert ("DROP USER %s@'localhost'", ["toolkit_report"]) in asked
    assert ("CREATE USER %s@'localhost' IDENTIFIED BY %s", ["toolkit_report", "pw-of-the-run"]) in asked
    assert [query for query, _ in asked if query.startswith("GRANT")] == made["grants"]
    assert "GRANT SELECT ON `shop`.* TO %s@'localhost'" in made["grants"]
    assert "pw-of-the-run" not in repr(made)
    dropped = run_module("query_account", tmp_path, {**args, "state": "absent"}, env=server(tmp_path, answers))
    assert dropped["changed"] and dropped["grants"] == []
