"""The binlog_probe module against a stand-in PyMySQL and binary logs in a temporary datadir."""

from __future__ import annotations

import os
import time

from ansible_collections.local.mysql.plugins.module_utils.live import MISSING_DRIVER
from module_runner import run_module
from pymysql_stand_in import no_driver, server, statements, writes

ARGS = {"socket": "/run/mysqld/mysqld.sock"}
VARIABLES = "SELECT @@log_bin, @@log_bin_index, @@datadir"
HOUR = 3600


def binlogs(tmp_path, sizes: list[int], ages: list[float], listed_only: tuple[str, ...] = ()) -> str:
    """A datadir with binary logs of ``sizes`` closed ``ages`` seconds ago, and their index."""
    datadir = tmp_path / "mysql"
    datadir.mkdir()
    names = []
    for number, (size, age) in enumerate(zip(sizes, ages, strict=True), start=1):
        path = datadir / f"binlog.{number:06d}"
        path.write_bytes(b"\0" * size)
        os.utime(path, (time.time() - age, time.time() - age))
        names.append(f"./{path.name}")
    (datadir / "binlog.index").write_text("\n".join([*names, *listed_only]) + "\n")
    return f"{datadir}/"


def test_reads_every_listed_file_and_the_span_since_the_oldest_closed(tmp_path):
    datadir = binlogs(tmp_path, [1000, 3000, 500], [10 * HOUR, 5 * HOUR, 0])
    env = server(tmp_path, [{"match": "@@log_bin", "rows": [[1, "binlog.index", datadir]]}])
    result = run_module("binlog_probe", tmp_path, ARGS, env=env)
    assert result["changed"] is False and result["enabled"] is True
    assert result["files"] == 3 and result["bytes"] == 4500
    assert result["written"] == 3500, "the oldest file was written before the window"
    assert 10 * HOUR - 60 <= result["span"] <= 10 * HOUR + 60
    assert statements(tmp_path) == [VARIABLES]


def test_a_file_purged_after_the_index_was_read_is_skipped(tmp_path):
    datadir = binlogs(tmp_path, [1000, 3000], [HOUR, 0], listed_only=("./binlog.000009",))
    env = server(tmp_path, [{"match": "@@log_bin", "rows": [[1, "binlog.index", datadir]]}])
    result = run_module("binlog_probe", tmp_path, ARGS, env=env)
    assert result["files"] == 2 and result["bytes"] == 4000


def test_binary_logging_off_is_reported_without_reading_any_file(tmp_path):
    env = server(tmp_path, [{"match": "@@log_bin", "rows": [[0, None, str(tmp_path / "nowhere")]]}])
    result = run_module("binlog_probe", tmp_path, ARGS, env=env)
    assert not result.get("failed"), result
    assert result["enabled"] is False and result["files"] == 0 and result["bytes"] == 0


def test_check_mode_reads_the_same_and_writes_nothing(tmp_path):
    datadir = binlogs(tmp_path, [1000, 3000], [HOUR, 0])
    env = server(tmp_path, [{"match": "@@log_bin", "rows": [[1, "binlog.index", datadir]]}])
    result = run_module("binlog_probe", tmp_path, ARGS, check=True, env=env)
    assert result["changed"] is False and result["files"] == 2
    assert writes(tmp_path) == []
    assert sorted(os.listdir(datadir)) == ["binlog.000001", "binlog.000002", "binlog.index"]


def test_an_unreadable_index_fails_naming_it(tmp_path):
    env = server(tmp_path, [{"match": "@@log_bin", "rows": [[1, "binlog.index", str(tmp_path)]]}])
    result = run_module("binlog_probe", tmp_path, ARGS, env=env)
    assert result["failed"] is True
    assert result["msg"].startswith(f"cannot read the binary-log index {tmp_path / 'binlog.index'}")


def test_a_refused_query_fails_saying_what_it_read(tmp_path):
    env = server(tmp_path, [{"match": "@@log_bin", "error": "Access denied"}])
    result = run_module("binlog_probe", tmp_path, ARGS, env=env)
    assert result["failed"] is True
    assert result["msg"].startswith("cannot read the binary-log variables") and "Access denied" in result["msg"]


def test_an_unreachable_server_fails_naming_the_socket(tmp_path):
    result = run_module("binlog_probe", tmp_path, ARGS, env=server(tmp_path, [], refuse="No such file"))
    assert result["failed"] is True and result["msg"].startswith("cannot reach the server on /run/mysqld/mysqld.sock")


def test_without_pymysql_it_says_which_package_to_install(tmp_path):
    result = run_module("binlog_probe", tmp_path, ARGS, env=no_driver(tmp_path))
    assert result["failed"] is True and result["msg"] == MISSING_DRIVER
