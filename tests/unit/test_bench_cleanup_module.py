"""The bench_cleanup module against a stand-in PyMySQL: it drops only what holds the toolkit's marker."""

from __future__ import annotations

import pytest
from ansible_collections.local.mysql.plugins.module_utils.bench import MARKER_TABLE
from ansible_collections.local.mysql.plugins.module_utils.live import MISSING_DRIVER
from module_runner import run_module
from pymysql_stand_in import connects, log, no_driver, server, statements, writes

ARGS = {"socket": "/run/mysqld/mysqld.sock", "schema": "mysql_bench", "user": "mysql_bench"}


def leftovers(marked: bool = True, sessions=(12, 13), hosts=("localhost", "127.0.0.1"), kill_error=None) -> list:
    answers = [
        {"match": "information_schema.TABLES", "rows": [[1 if marked else 0]]},
        {"match": "information_schema.PROCESSLIST", "rows": [[s] for s in sessions]},
        {"match": "FROM mysql.user", "rows": [[h] for h in hosts]},
    ]
    if kill_error:
        answers.insert(0, {"match": kill_error, "error": "Unknown thread id"})
    return answers


def test_ends_sessions_then_drops_every_account_then_the_schema(tmp_path):
    result = run_module("bench_cleanup", tmp_path, ARGS, env=server(tmp_path, leftovers()))
    assert result["changed"] is True
    assert result["actions"] == [
        "end 2 connection(s) of mysql_bench",
        "drop account mysql_bench@localhost",
        "drop account mysql_bench@127.0.0.1",
        "drop schema mysql_bench",
    ]
    assert writes(tmp_path) == [
        "KILL 12",
        "KILL 13",
        "DROP USER %s@%s",
        "DROP USER %s@%s",
        "DROP DATABASE `mysql_bench`",
    ]
    drops = [entry["args"] for entry in log(tmp_path) if entry.get("query") == "DROP USER %s@%s"]
    assert drops == [["mysql_bench", "localhost"], ["mysql_bench", "127.0.0.1"]]
    marker = next(entry for entry in log(tmp_path) if "information_schema.TABLES" in entry.get("query", ""))
    assert marker["args"] == ["mysql_bench", MARKER_TABLE]
    assert connects(tmp_path) == [{"unix_socket": "/run/mysqld/mysqld.sock", "user": "root", "autocommit": True}]


def test_check_mode_reports_the_actions_and_writes_nothing(tmp_path):
    result = run_module("bench_cleanup", tmp_path, ARGS, check=True, env=server(tmp_path, leftovers()))
    assert result["changed"] is True
    assert "drop schema mysql_bench" in result["actions"] and len(result["actions"]) == 4
    assert statements(tmp_path), "check mode must still read what a run would drop"
    assert writes(tmp_path) == []


def test_a_schema_without_the_marker_is_left_alone(tmp_path):
    result = run_module("bench_cleanup", tmp_path, ARGS, env=server(tmp_path, leftovers(marked=False)))
    assert result["changed"] is False and result["actions"] == []
    assert writes(tmp_path) == []
    assert not any("mysql.user" in query for query in statements(tmp_path)), "an unmarked account is not even looked up"


def test_nothing_left_is_no_change(tmp_path):
    answers = leftovers(sessions=(), hosts=())
    result = run_module("bench_cleanup", tmp_path, ARGS, env=server(tmp_path, answers))
    assert result["actions"] == ["drop schema mysql_bench"]
    assert writes(tmp_path) == ["DROP DATABASE `mysql_bench`"]


def test_a_session_that_ended_meanwhile_does_not_stop_the_cleanup(tmp_path):
    answers = leftovers(kill_error="^KILL 12$")
    result = run_module("bench_cleanup", tmp_path, ARGS, env=server(tmp_path, answers))
    assert not result.get("failed"), result
    assert writes(tmp_path)[-1] == "DROP DATABASE `mysql_bench`"


@pytest.mark.parametrize("schema", ["Bench", "1bench", "x`; DROP DATABASE mysql; --", "a" * 33])
def test_a_name_that_is_not_a_benchmark_schema_is_refused_before_connecting(tmp_path, schema):
    result = run_module("bench_cleanup", tmp_path, {**ARGS, "schema": schema}, env=server(tmp_path, leftovers()))
    assert result["failed"] is True and result["msg"] == f"not a benchmark schema name: {schema!r}"
    assert log(tmp_path) == []


def test_an_unreachable_server_fails_naming_the_socket(tmp_path):
    env = server(tmp_path, [], refuse="Can't connect to local server through socket")
    result = run_module("bench_cleanup", tmp_path, ARGS, env=env)
    assert result["failed"] is True
    assert result["msg"].startswith("cannot reach the server on /run/mysqld/mysqld.sock")
    assert "Can't connect" in result["msg"]


def test_without_pymysql_it_says_which_package_to_install(tmp_path):
    result = run_module("bench_cleanup", tmp_path, ARGS, env=no_driver(tmp_path))
    assert result["failed"] is True and result["msg"] == MISSING_DRIVER
