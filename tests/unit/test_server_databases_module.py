"""server_databases against a stand-in PyMySQL: creates, alters, refuses or drops only as the list says."""

from __future__ import annotations

import json

from module_runner import run_module
from pymysql_stand_in import server, writes


def mariadb(*schemata):
    """MariaDB 11.8's answers (as its information_schema gives them), with these databases besides the server's own."""
    return [
        {"match": "FROM information_schema.SCHEMATA", "rows": [["mysql", "utf8mb4", "utf8mb4_general_ci"], *schemata]},
        {"match": "FROM information_schema.CHARACTER_SETS", "rows": [["utf8mb4", "utf8mb4_general_ci"]]},
        {"match": "character_set_collations", "rows": [["character_set_collations", "utf8mb4=utf8mb4_uca1400_ai_ci"]]},
        {
            "match": "FROM information_schema.COLLATIONS",
            "rows": [["utf8mb4_general_ci", "utf8mb4"], ["uca1400_ai_ci", None], ["utf8mb4_bin", "utf8mb4"]],
        },
        # the UCA 14 collations carry their charset's name here only
        {"match": "FROM information_schema.COLUMNS", "rows": [[1]]},
        {"match": "FROM information_schema.COLLATION_CHARACTER_SET", "rows": [["utf8mb4_uca1400_ai_ci", "utf8mb4"]]},
    ]


def args(tmp_path, databases, **more):
    return {"socket": "/run/mysqld/mysqld.sock", "databases": databases, "path": str(tmp_path / "facts.json"), **more}


def test_a_missing_database_is_created_with_the_servers_utf8mb4_default_and_recorded(tmp_path):
    result = run_module(
        "server_databases", tmp_path, args(tmp_path, [{"name": "appdb"}]), diff=True, env=server(tmp_path, mariadb())
    )
    assert result["changed"] is True and result["created"] == ["appdb"]
    assert writes(tmp_path) == ["CREATE DATABASE `appdb` CHARACTER SET utf8mb4 COLLATE utf8mb4_uca1400_ai_ci"]
    facts = json.loads((tmp_path / "facts.json").read_text())
    assert facts["databases"] == {"appdb": {"charset": "utf8mb4", "collation": "utf8mb4_uca1400_ai_ci"}}
    assert "appdb: created" in result["diff"]["after"]


def test_a_database_as_listed_and_recorded_changes_nothing(tmp_path):
    intent = {"appdb": {"charset": "utf8mb4", "collation": "utf8mb4_uca1400_ai_ci"}}
    (tmp_path / "facts.json").write_text(json.dumps({"databases": intent}))
    answers = mariadb(["appdb", "utf8mb4", "utf8mb4_uca1400_ai_ci"])
    result = run_module(
        "server_databases", tmp_path, args(tmp_path, [{"name": "appdb"}]), env=server(tmp_path, answers)
    )
    assert result["changed"] is False and writes(tmp_path) == []


def test_check_mode_reports_the_alter_and_sends_nothing(tmp_path):
    answers = mariadb(["appdb", "utf8mb4", "utf8mb4_general_ci"])
    result = run_module(
        "server_databases", tmp_path, args(tmp_path, [{"name": "appdb"}]), check=True, env=server(tmp_path, answers)
    )
    assert result["changed"] is True
    assert result["altered"] == {"appdb": ["collation utf8mb4_general_ci -> utf8mb4_uca1400_ai_ci"]}
    assert writes(tmp_path) == [] and not (tmp_path / "facts.json").exists()


def test_absent_without_the_flag_is_refused_and_nothing_is_sent(tmp_path):
    answers = mariadb(["olddb", "utf8mb4", "utf8mb4_general_ci"])
    listed = [{"name": "newdb"}, {"name": "olddb", "state": "absent"}]
    result = run_module("server_databases", tmp_path, args(tmp_path, listed), env=server(tmp_path, answers))
    assert result["failed"] is True and "mysql_server_databases_allow_drop" in result["msg"]
    assert writes(tmp_path) == []
    dropped = run_module(
        "server_databases", tmp_path, args(tmp_path, listed, allow_drop=True), env=server(tmp_path, answers)
    )
    assert dropped["created"] == ["newdb"] and dropped["dropped"] == ["olddb"]
    assert "DROP DATABASE `olddb`" in writes(tmp_path)
