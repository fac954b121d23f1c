"""The bench_probe module against a stand-in PyMySQL: it reads the server and the datadir, changing nothing."""

from __future__ import annotations

import os
import time

from ansible_collections.local.mysql.plugins.module_utils.bench import MARKER_TABLE
from module_runner import run_module
from pymysql_stand_in import connects, log, server, statements, writes

SERVER_THREAD = [5, "event_scheduler", "localhost", None, "Daemon"]
APPLICATION = [41, "shop", "198.18.0.7:51234", "shop", "Query"]
SCHEMAS = [["information_schema"], ["mysql"], ["mysql_bench"], ["sys"]]


def answers(processlist=None, marked=True, accounts=1) -> list:
    return [
        {"match": "PROCESSLIST", "sequence": processlist or [[SERVER_THREAD]]},
        {"match": "^SHOW DATABASES$", "rows": SCHEMAS},
        {"match": "information_schema.TABLES", "rows": [[1 if marked else 0]]},
        {"match": "FROM mysql.user", "rows": [[accounts]]},
        {"match": "^SHOW GLOBAL VARIABLES$", "rows": [["Innodb_Buffer_Pool_Size", "134217728"], ["VERSION", "9.7.0"]]},
    ]


def probe_args(tmp_path, **changes) -> dict:
    datadir = tmp_path / "mysql"
    datadir.mkdir(exist_ok=True)
    dropin = tmp_path / "zz-mysql-tuning.cnf"
    dropin.write_text("[mysqld]\n")
    return {
        "socket": "/run/mysqld/mysqld.sock",
        "schema": "mysql_bench",
        "user": "mysql_bench",
        "datadir": str(datadir),
        "files": {"dropin": str(dropin), "aside": str(tmp_path / "aside.cnf"), "dedicated": ""},
        "settle": 0,
        **changes,
    }


def test_reads_the_server_and_the_datadir(tmp_path):
    args = probe_args(tmp_path)
    result = run_module("bench_probe", tmp_path, args, env=server(tmp_path, answers()))
    assert result["changed"] is False
    probe = result["probe"]
    assert probe["processlist"] == [
        {"id": 5, "user": "event_scheduler", "host": "localhost", "db": None, "command": "Daemon"}
    ]
    assert probe["schemas"] == [row[0] for row in SCHEMAS]
    assert probe["schema_exists"] is True and probe["marker_present"] is True and probe["user_exists"] is True
    assert probe["variables"] == {"innodb_buffer_pool_size": "134217728", "version": "9.7.0"}
    assert probe["files"] == {"dropin": True, "aside": False, "dedicated": False}
    stat = os.statvfs(args["datadir"])
    assert probe["filesystem_bytes"] == stat.f_blocks * stat.f_frsize
    assert 0 < probe["free_bytes"] <= probe["filesystem_bytes"]
    marker = next(entry for entry in log(tmp_path) if "information_schema.TABLES" in entry.get("query", ""))
    assert marker["args"] == ["mysql_bench", MARKER_TABLE]
    assert connects(tmp_path) == [{"unix_socket": "/run/mysqld/mysqld.sock", "user": "root", "autocommit": True}]


def test_no_marker_and_no_account_are_reported_as_such(tmp_path):
    result = run_module(
        "bench_probe", tmp_path, probe_args(tmp_path), env=server(tmp_path, answers(marked=False, accounts=0))
    )
    assert result["probe"]["marker_present"] is False and result["probe"]["user_exists"] is False
    assert result["probe"]["schema_exists"] is True


def test_waits_for_a_passing_connection_to_go_away(tmp_path):
    env = server(tmp_path, answers(processlist=[[SERVER_THREAD, APPLICATION], [SERVER_THREAD]]))
    result = run_module("bench_probe", tmp_path, probe_args(tmp_path, settle=10), env=env)
    assert [row["id"] for row in result["probe"]["processlist"]] == [5]
    assert sum("PROCESSLIST" in query for query in statements(tmp_path)) == 2


def test_gives_up_waiting_after_settle_seconds_and_reports_who_is_there(tmp_path):
    env = server(tmp_path, answers(processlist=[[SERVER_THREAD, APPLICATION]]))
    started = time.monotonic()
    result = run_module("bench_probe", tmp_path, probe_args(tmp_path, settle=1), env=env)
    assert time.monotonic() - started < 30
    assert [row["user"] for row in result["probe"]["processlist"]] == ["event_scheduler", "shop"]
    assert sum("PROCESSLIST" in query for query in statements(tmp_path)) >= 2


def test_the_benchmarks_own_connections_are_not_waited_for(tmp_path):
    own = [77, "mysql_bench", "localhost", "mysql_bench", "Sleep"]
    env = server(tmp_path, answers(processlist=[[SERVER_THREAD, own]]))
    run_module("bench_probe", tmp_path, probe_args(tmp_path, settle=10), env=env)
    assert sum("PROCESSLIST" in query for query in statements(tmp_path)) == 1


def test_check_mode_probes_the_same_and_writes_nothing(tmp_path):
    args, env = probe_args(tmp_path), server(tmp_path, answers())
    before = set(os.listdir(tmp_path))
    result = run_module("bench_probe", tmp_path, args, check=True, env=env)
    assert result["changed"] is False and result["probe"]["marker_present"] is True
    assert statements(tmp_path) and writes(tmp_path) == []
    assert set(os.listdir(tmp_path)) - before == {"bench_probe-args.json", "pymysql.log"}
    assert os.listdir(args["datadir"]) == []


def test_a_missing_datadir_fails_saying_so(tmp_path):
    args = probe_args(tmp_path, datadir=str(tmp_path / "nowhere"))
    result = run_module("bench_probe", tmp_path, args, env=server(tmp_path, answers()))
    assert result["failed"] is True
    assert result["msg"].startswith("cannot read the datadir's filesystem") and "nowhere" in result["msg"]


def test_files_must_be_a_dict(tmp_path):
    args = probe_args(tmp_path, files="zz-mysql-tuning.cnf")
    result = run_module("bench_probe", tmp_path, args, env=server(tmp_path, answers()))
    assert result["failed"] is True and "files" in result["msg"]
    assert log(tmp_path) == []
