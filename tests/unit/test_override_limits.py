"""Override values against the server's own limits (module_utils/overrides.py: mariadb_limits,
mysql_limits, limit_problems). The rows are what MariaDB 11.8.9 and MySQL 9.7.4 answered in the lab."""

from __future__ import annotations

import pytest
from ansible_collections.local.mysql.plugins.module_utils.overrides import (
    limit_problems,
    limit_words,
    mariadb_limits,
    mysql_limits,
)
from hypothesis import given
from hypothesis import strategies as st

# information_schema.SYSTEM_VARIABLES: name, type, min, max, choices
MARIADB_ROWS = [
    ("INNODB_BUFFER_POOL_SIZE", "BIGINT UNSIGNED", "2097152", "18446744073701163008", None),
    ("INNODB_FLUSH_LOG_AT_TRX_COMMIT", "BIGINT UNSIGNED", "0", "3", None),
    ("INNODB_FLUSH_METHOD", "ENUM", None, None, "fsync,O_DSYNC,littlesync,nosync,O_DIRECT,O_DIRECT_NO_FSYNC"),
    ("INNODB_IO_CAPACITY", "BIGINT UNSIGNED", "100", "4294967295", None),
    ("LONG_QUERY_TIME", "DOUBLE", "0", "31536000", None),
    ("MAX_CONNECTIONS", "BIGINT UNSIGNED", "10", "100000", None),
    ("SLOW_QUERY_LOG", "BOOLEAN", None, None, "OFF,ON"),
    ("SQL_MODE", "SET", None, None, "ANSI_QUOTES,STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION,TRADITIONAL"),
    ("INIT_CONNECT", "VARCHAR", None, None, None),
]
# performance_schema.variables_info (name, min, max) and the live values; MySQL shows the range of a
# double as its bits (long_query_time's maximum), and 0 to 0 for anything not a number.
MYSQL_ROWS = [
    ("innodb_buffer_pool_size", "5242880", "9223372036854775807"),
    ("innodb_flush_log_at_trx_commit", "0", "2"),
    ("innodb_flush_method", "0", "0"),
    ("long_query_time", "0", "4719230590769954816"),
    ("max_connections", "1", "100000"),
    ("slow_query_log", "0", "0"),
    ("sql_mode", "0", "0"),
]
MYSQL_VALUES = {
    "innodb_flush_method": "O_DIRECT",
    "slow_query_log": "OFF",
    "sql_mode": "STRICT_TRANS_TABLES",
    "max_connections": "151",
}
MARIADB = mariadb_limits(MARIADB_ROWS)
MYSQL = mysql_limits(MYSQL_ROWS, MYSQL_VALUES)


def test_mariadb_types_become_limits():
    assert MARIADB["max_connections"] == {"kind": "number", "whole": True, "low": 10.0, "high": 100000.0}
    assert MARIADB["long_query_time"]["whole"] is False
    assert MARIADB["slow_query_log"] == {"kind": "boolean"}
    assert "O_DIRECT" in MARIADB["innodb_flush_method"]["choices"]
    assert MARIADB["sql_mode"]["kind"] == "set"
    assert MARIADB["init_connect"] == {"kind": "text"}


def test_mysql_shows_ranges_for_numbers_and_the_live_value_tells_a_boolean():
    assert MYSQL["max_connections"] == {"kind": "number", "whole": False, "low": 1.0, "high": 100000.0}
    assert MYSQL["slow_query_log"] == {"kind": "boolean"}
    assert MYSQL["innodb_flush_method"] == {"kind": "text"}, "MySQL lists no choices: its checker decides"
    assert MYSQL["sql_mode"] == {"kind": "text"}


@pytest.mark.parametrize(
    ("limits", "server", "overrides", "words"),
    [
        (MARIADB, "MariaDB 11.8.9", {"max_connections": 5}, "a whole number from 10 to 100000 on MariaDB 11.8.9"),
        (MYSQL, "MySQL 9.7.4", {"max_connections": 0}, "a number from 1 to 100000 on MySQL 9.7.4"),
        (MARIADB, "MariaDB 11.8.9", {"innodb_flush_log_at_trx_commit": 5}, "from 0 to 3"),
        (MYSQL, "MySQL 9.7.4", {"innodb_flush_log_at_trx_commit": 3}, "from 0 to 2"),
        (MARIADB, "MariaDB 11.8.9", {"max_connections": "many"}, "a whole number from 10"),
        (MARIADB, "MariaDB 11.8.9", {"max_connections": 150.5}, "a whole number from 10"),
        (MARIADB, "MariaDB 11.8.9", {"innodb_buffer_pool_size": "1M"}, "(a size may take K, M, G or T)"),
        (MYSQL, "MySQL 9.7.4", {"slow_query_log": "sometimes"}, "ON or OFF"),
        (MARIADB, "MariaDB 11.8.9", {"innodb_flush_method": "direct"}, "one of FSYNC, O_DSYNC"),
        (MARIADB, "MariaDB 11.8.9", {"sql_mode": "STRICT_TRANS_TABLES,NO_SUCH_MODE"}, "a comma-separated list of"),
    ],
)
def test_a_value_the_server_would_refuse_is_named_with_what_it_accepts(limits, server, overrides, words):
    [problem] = limit_problems(overrides, limits, server)
    name, value = next(iter(overrides.items()))
    assert problem.startswith(f"mysql_tune_overrides.{name}={value!r}: must be ")
    assert words in problem


@pytest.mark.parametrize(
    ("limits", "overrides"),
    [
        (MARIADB, {"max_connections": 500, "innodb_buffer_pool_size": "2G", "long_query_time": 0.5}),
        (MARIADB, {"slow_query_log": True, "innodb_flush_method": "o_direct", "sql_mode": "ANSI_QUOTES,TRADITIONAL"}),
        (MARIADB, {"innodb_flush_log_at_trx_commit": "2", "init_connect": "SET NAMES utf8mb4"}),
        (MYSQL, {"max_connections": "500", "long_query_time": 2, "slow_query_log": "on", "sql_mode": "ANSI"}),
        # a name the server shows no variable for is its checker's to judge (start-up options)
        (MYSQL, {"skip_replica_start": "ON", "no_such_variable": 1}),
        # a setting the toolkit owns is refused naming its owner, whatever its value
        (mysql_limits([("port", "0", "65535")], {}), {"port": "three"}),
    ],
)
def test_values_the_server_takes_pass(limits, overrides):
    assert limit_problems(overrides, limits, "the server") == []


@given(st.integers(0, 200000))
def test_a_whole_number_passes_exactly_inside_the_range(value):
    inside = 10 <= value <= 100000
    assert (limit_words(value, MARIADB["max_connections"]) is None) == inside
    assert (limit_words(str(value), MARIADB["max_connections"]) is None) == inside


@given(st.integers(1, 4096), st.sampled_from("KMGT"))
def test_a_size_is_measured_in_bytes(number, suffix):
    factor = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[suffix]
    inside = number * factor >= 2097152
    assert (limit_words(f"{number}{suffix}", MARIADB["innodb_buffer_pool_size"]) is None) == inside


def test_the_module_fails_naming_the_override_and_changes_nothing(tmp_path):
    from module_runner import run_module
    from pymysql_stand_in import server, writes

    answers = [
        {"match": "SYSTEM_VARIABLES", "rows": [list(row) for row in MARIADB_ROWS]},
        {"match": "VERSION", "rows": [["11.8.9-MariaDB-0+deb13u1"]]},
    ]
    args = {"socket": "/run/mysqld/mysqld.sock", "flavor": "mariadb", "overrides": {"max_connections": 5}}
    result = run_module("variable_limits", tmp_path, args, env=server(tmp_path, answers))
    assert result["failed"] and result["msg"] == (
        "mysql_tune_overrides.max_connections=5: must be a whole number from 10 to 100000 on MariaDB 11.8.9"
    )
    assert writes(tmp_path) == []
    fine = run_module(
        "variable_limits", tmp_path, {**args, "overrides": {"max_connections": 500}}, env=server(tmp_path, answers)
    )
    assert not fine.get("failed") and fine["changed"] is False
