"""The query report from the slow log (local.mysql.plugins.module_utils.query_slow_log): which part
of the log a window reads, and pt-query-digest's classes as the report's statements, on digests
pt-query-digest 3.2.1 made of slow logs written by MariaDB 10.11 (log_slow_verbosity=query_plan)
and MySQL 9.7 (log_slow_extra) under the default scenario's shop workload."""

from __future__ import annotations

import json
from pathlib import Path

from ansible_collections.local.mysql.plugins.module_utils.query_digest import n_plus_one, needs_a_plan
from ansible_collections.local.mysql.plugins.module_utils.query_slow_log import source, span, statements, window
from hypothesis import given
from hypothesis import strategies as st

FIXTURES = Path(__file__).parent / "fixtures" / "query"
LIVE = "/var/log/mysql/slow/mariadb-slow.log"


def digest(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def live(inode=7, size=5000):
    return {"path": LIVE, "inode": inode, "size": size}


def rotated(inode=6, size=9000):
    return {"path": f"{LIVE}.1", "inode": inode, "size": size}


def test_a_window_reads_the_live_file_from_where_the_previous_report_stopped():
    assert span({"inode": 7, "offset": 1200}, live(), rotated()) == {
        "reads": [[LIVE, 1200]],
        "continuous": True,
    }


def test_after_a_rotation_the_window_reads_the_rest_of_the_rotated_file_then_the_new_one():
    assert span({"inode": 6, "offset": 8000}, live(), rotated()) == {
        "reads": [[f"{LIVE}.1", 8000], [LIVE, 0]],
        "continuous": True,
    }


def test_a_log_rotated_twice_since_or_no_previous_report_reads_every_kept_entry():
    whole = {"reads": [[f"{LIVE}.1", 0], [LIVE, 0]], "continuous": False}
    assert span({"inode": 5, "offset": 8000}, live(), rotated()) == whole
    assert span(None, live(), rotated()) == whole
    assert span({}, live(), None) == {"reads": [[LIVE, 0]], "continuous": False}


def test_a_file_shorter_than_the_offset_was_truncated_and_is_read_whole():
    assert span({"inode": 7, "offset": 6000}, live(size=100), None) == {"reads": [[LIVE, 0]], "continuous": False}


@given(
    st.integers(1, 10),
    st.integers(0, 10**9),
    st.integers(1, 10),
    st.integers(0, 10**9),
    st.one_of(st.none(), st.fixed_dictionaries({"inode": st.integers(1, 10), "offset": st.integers(0, 10**9)})),
)
def test_a_window_never_reads_past_a_file_nor_twice_the_same_file(live_inode, live_size, old_inode, old_size, before):
    read = span(before, live(live_inode, live_size), rotated(old_inode, old_size))
    sizes = {LIVE: live_size, f"{LIVE}.1": old_size}
    paths = [path for path, _ in read["reads"]]
    assert len(paths) == len(set(paths)) and paths[-1] == LIVE
    assert all(0 <= offset <= sizes[path] for path, offset in read["reads"])
    if read["continuous"]:
        assert before and before["inode"] in (live_inode, old_inode)
    if before and before["inode"] == live_inode and before["offset"] <= live_size:
        assert read == {"reads": [[LIVE, before["offset"]]], "continuous": True}


def test_the_source_is_performance_schema_else_the_slow_log_else_none():
    assert source(True, True, 1.0)["name"] == "performance_schema"
    slow = source(False, True, 0.5)
    assert slow["name"] == "slow_log" and "0.5 s" in slow["note"]
    assert source(False, False, 1.0)["name"] is None
    table = source(False, True, 1.0, "TABLE")
    assert table["name"] is None and "TABLE, not a file" in table["note"]
    assert source(False, True, 1.0, "TABLE,FILE")["name"] == "slow_log"


def test_the_shop_workload_from_mariadb_slow_log_names_its_problems():
    # the work phase of molecule/default's files/query-workload.py: 2000 updates, an N+1 loop of
    # 5 x 200 customer lookups, 3 joins on orders.customer_id, 3 deep-OFFSET pages, 19 listings
    ranked, samples = window(
        {"taken_at": 100.0, "slow_log": {"inode": 1, "offset": 0}},
        {"taken_at": 120.0},
        {"reads": [], "continuous": True},
        digest("mariadb-10.11-slow-log-digest.json"),
        "mariadb",
    )
    assert ranked["since"] == "previous report" and ranked["seconds"] == 20.0
    texts = [statement["text"] for statement in ranked["statements"]]
    assert not any("qlit" in text for text in texts) and not any(text.startswith("use") for text in texts)
    assert [statement["time_ps"] for statement in ranked["statements"]] == sorted(
        (statement["time_ps"] for statement in ranked["statements"]), reverse=True
    )
    suspects = n_plus_one(ranked["statements"], 10, 100)
    assert [suspect["calls"] for suspect in suspects] == [1000]
    assert suspects[0]["calls_per_s"] == 50.0 and "customers" in suspects[0]["text"]
    update = next(statement for statement in ranked["statements"] if statement["text"].startswith("UPDATE"))
    assert update["calls"] == 2000 and update["rows_affected"] == 2000 and not needs_a_plan(update, 100)
    offset = next(statement for statement in ranked["statements"] if "OFFSET" in statement["text"])
    join = next(statement for statement in ranked["statements"] if "JOIN" in statement["text"])
    for statement in (offset, join):
        assert statement["calls"] == 3 and statement["full_scans"] == 3 and needs_a_plan(statement, 100)
        assert "qlit" in samples[statement["key"]] or statement is offset, "the sample keeps its values for EXPLAIN"
    # 3 pages of 20 rows; MariaDB logs its sort merge passes and temporary tables on disk
    assert offset["rows_sent"] == 60 and isinstance(offset["merge_passes"], int) and isinstance(offset["tmp_disk"], int)
    # MariaDB's slow log does not say "no index used" nor count errors or sorted rows
    assert {join["no_index"], join["errors"], join["sort_rows"]} == {None}


def test_fields_a_log_does_not_carry_are_none_not_zero():
    log = {
        "global": {"metrics": {"Query_time": {}, "Rows_sent": {}, "Rows_examined": {}, "Sort_merge_passes": {}}},
        "classes": [
            {
                "checksum": "AB",
                "query_count": 4,
                "example": {"query": "SELECT a FROM t WHERE b = 'x'"},
                "metrics": {
                    "db": {"value": "app"},
                    "Query_time": {"sum": "0.004", "pct_95": "0.002"},
                    "Rows_sent": {"sum": "4"},
                    "Rows_examined": {"sum": "4000"},
                },
            }
        ],
    }
    (statement,), samples = statements(log, "mysql", 2.0)
    assert statement["merge_passes"] == 0, "logged, and never above zero for this class"
    assert statement["tmp_disk"] is None and statement["full_scans"] is None
    assert statement["examined_per_sent"] == 1000.0 and statement["p95_ms"] == 2.0 and statement["mean_ms"] == 1.0
    assert statement["text"] == "SELECT a FROM t WHERE b = ?" and samples["app/AB"].endswith("'x'")


# ---- the probe module on a server without performance_schema, against stand-ins ----

DIGEST_STAND_IN = """#!/bin/sh
# pt-query-digest's stand-in: keeps its arguments and what it read, answers with $DIGEST_ANSWER
printf '%s\\n' "$@" > "$DIGEST_SEEN.args"
cat > "$DIGEST_SEEN.stdin"
printf '%s\\n' "$PT_QUERY_DIGEST_CHECK_ATTRIB_LIMIT" > "$DIGEST_SEEN.env"
cat "$DIGEST_ANSWER"
"""


def probe(tmp_path, previous: dict) -> dict:
    from module_runner import run_module
    from pymysql_stand_in import server

    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    (tools / "pt-query-digest").write_text(DIGEST_STAND_IN)
    (tools / "pt-query-digest").chmod(0o755)
    answers = [
        {"match": "VERSION", "rows": [["10.11.18-MariaDB-0+deb12u1-log"]]},
        {"match": "Uptime", "rows": [["Uptime", "3600"]]},
        {"match": "@@performance_schema", "rows": [[0, 1, "slow/mariadb-slow.log", 0.0, f"{tmp_path}/", "FILE"]]},
        {"match": "trx_rseg_history_len", "rows": [[2001]]},
    ]
    env = {
        **server(tmp_path, answers),
        "DIGEST_SEEN": str(tmp_path / "digest"),
        "DIGEST_ANSWER": str(FIXTURES / "mariadb-10.11-slow-log-digest.json"),
    }
    args = {"socket": "/run/mysqld/mysqld.sock", "user": "toolkit_report", "password": "pw", "flavor": "mariadb"}
    return run_module("query_probe", tmp_path, {**args, "previous": previous}, path=f"{tools}:/usr/bin:/bin", env=env)


def test_the_probe_digests_only_what_the_log_gained_since_the_previous_report(tmp_path):
    from pymysql_stand_in import statements as asked

    log = tmp_path / "slow" / "mariadb-slow.log"
    log.parent.mkdir()
    log.write_bytes(b"# before the previous report\n")
    first = probe(tmp_path, {})
    assert first["snapshot"]["source"] == "slow_log", first
    kept = first["snapshot"]["slow_log"]
    assert kept == {"inode": log.stat().st_ino, "offset": log.stat().st_size, "tail": log.read_bytes()[-64:].hex()}
    with log.open("ab") as growing:
        growing.write(b"# written after it\n")
    second = probe(tmp_path, first["snapshot"])
    assert (tmp_path / "digest.stdin").read_bytes() == b"# written after it\n"
    arguments = (tmp_path / "digest.args").read_text().splitlines()
    assert "--no-version-check" in arguments and arguments[-1] == "/dev/stdin"
    assert "($event->{user} || q()) ne q(toolkit_report)" in arguments
    assert int((tmp_path / "digest.env").read_text()) > 10**6
    report = second["report"]
    assert report["source"]["name"] == "slow_log" and report["window"]["since"] == "previous report"
    assert [suspect["calls"] for suspect in report["n_plus_one"]] == [1000]
    assert report["indexes"]["unused_known"] is False and report["transactions"]["history_list_length"] == 2001
    # nothing of performance_schema is read where it is off
    assert not any("schema_unused_indexes" in query or "events_statements" in query for query in asked(tmp_path))
    assert "qlit" not in json.dumps(report)


def test_after_a_rotation_the_probe_reads_the_rest_of_the_rotated_file_then_the_new_one(tmp_path):
    log = tmp_path / "slow" / "mariadb-slow.log"
    log.parent.mkdir()
    log.write_bytes(b"one\n")
    first = probe(tmp_path, {})
    with log.open("ab") as growing:
        growing.write(b"two\n")
    log.rename(f"{log}.1")
    log.write_bytes(b"three\n")
    probe(tmp_path, first["snapshot"])
    assert (tmp_path / "digest.stdin").read_bytes() == b"two\nthree\n"


def test_a_statement_without_a_schema_gets_the_one_schema_that_holds_its_tables():
    from ansible_collections.local.mysql.plugins.module_utils.query_slow_log import schema_for

    tables = {"shop": {"customers", "orders", "comments"}, "crm": {"customers", "calls"}}
    join = "SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id = 3"
    assert schema_for(join, tables) == "shop"
    assert schema_for("SELECT name FROM customers WHERE id = 3", tables) is None, "two schemas hold it"
    assert schema_for("SELECT 1", tables) is None
    assert schema_for("SELECT * FROM invoices", tables) is None


def test_the_shop_workload_from_mysql_slow_log_with_its_extra_fields():
    ranked, samples = window(
        None, {"taken_at": 0.0}, {"reads": [], "continuous": False}, digest("mysql-9.7-slow-log-digest.json"), "mysql"
    )
    # MySQL's timestamps are ISO 8601: its first and last entries of the work phase, 3 s apart
    assert ranked["since"].startswith("the oldest entry") and ranked["seconds"] == 3.0
    texts = [statement["text"] for statement in ranked["statements"]]
    assert not any(text.lower().startswith(("use", "set", "administrator")) for text in texts), texts
    assert [suspect["calls"] for suspect in n_plus_one(ranked["statements"], 10, 100)] == [1000]
    offset = next(statement for statement in ranked["statements"] if "OFFSET" in statement["text"])
    # log_slow_extra: sorted rows, merge passes and temporary tables on disk; no full scans, no schema
    assert offset["sort_rows"] >= offset["rows_sent"] == 60 and isinstance(offset["merge_passes"], int)
    assert isinstance(offset["tmp_disk"], int) and offset["full_scans"] is None and offset["schema"] == ""
    assert "qlit" not in offset["text"] and needs_a_plan(offset, 100) and samples[offset["key"]].startswith("SELECT")


def test_a_file_that_reuses_the_previous_inode_with_other_bytes_is_read_whole(tmp_path):
    log = tmp_path / "slow" / "mariadb-slow.log"
    log.parent.mkdir()
    log.write_bytes(b"# the first file's entries\n")
    first = probe(tmp_path, {})
    # the same inode, other bytes: as a new file given a freed inode back
    log.write_bytes(b"# another file, longer than the first one was\n")
    second = probe(tmp_path, first["snapshot"])
    assert (tmp_path / "digest.stdin").read_bytes() == b"# another file, longer than the first one was\n"
    assert second["report"]["window"]["since"].startswith("the oldest entry")


def test_a_slow_log_written_to_a_table_is_no_source(tmp_path):
    from module_runner import run_module
    from pymysql_stand_in import server

    answers = [
        {"match": "VERSION", "rows": [["11.8.9-MariaDB"]]},
        {"match": "Uptime", "rows": [["Uptime", "60"]]},
        {"match": "@@performance_schema", "rows": [[0, 1, "slow.log", 1.0, f"{tmp_path}/", "TABLE"]]},
    ]
    args = {"socket": "/run/mysqld/mysqld.sock", "user": "toolkit_report", "password": "pw", "flavor": "mariadb"}
    result = run_module("query_probe", tmp_path, args, env=server(tmp_path, answers))
    assert result["report"]["source"]["name"] is None and result["report"]["statements"] == [], result
