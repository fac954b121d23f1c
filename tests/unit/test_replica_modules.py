"""replica_probe and replica_apply against a stand-in PyMySQL."""

from __future__ import annotations

import json

from module_runner import run_module
from pymysql_stand_in import server, statements, writes

SOURCE = {"host": "198.18.0.11", "port": 3306, "user": "repl"}
RUNNING = {
    "Source_Host": "198.18.0.11",
    "Source_Port": 3306,
    "Source_User": "repl",
    "Replica_IO_Running": "Yes",
    "Replica_SQL_Running": "Yes",
    "Last_IO_Error": "",
    "Last_SQL_Error": "",
    "Auto_Position": 1,
    "Seconds_Behind_Source": 0,
}
# A MariaDB 11.8 replica pointed at SOURCE (the password must never show in a result).
MARIADB_REPOINT = {
    "socket": "/run/mysqld/mysqld.sock",
    "flavor": "mariadb",
    "version": "11.8.6",
    "action": "repoint",
    "source": SOURCE,
    "password": "Repl-S3cret",
}


def probe(tmp_path, rows, **more):
    answers = [
        {"match": "SHOW REPLICA STATUS", "rows": rows},
        {"match": "gtid_executed", "rows": [{"executed": "uuid-1:1-42"}]},
    ]
    args = {"socket": "/run/mysqld/mysqld.sock", "flavor": "mysql", "source": SOURCE, **more}
    return run_module("replica_probe", tmp_path, args, env=server(tmp_path, answers))


def test_the_probe_reads_a_healthy_replica_and_decides_nothing(tmp_path):
    result = probe(tmp_path, [RUNNING])
    assert result["decision"]["action"] == "none" and result["gtid_executed"] == "uuid-1:1-42"
    assert result["status"]["configured"] is True and result["changed"] is False
    assert writes(tmp_path) == []


def test_the_probe_says_seed_for_a_new_replica_and_report_for_a_broken_one(tmp_path):
    assert probe(tmp_path, [])["decision"]["action"] == "seed"
    broken = {**RUNNING, "Replica_SQL_Running": "No", "Last_SQL_Error": "Could not execute Write_rows event"}
    decision = probe(tmp_path, [broken])["decision"]
    assert decision["action"] == "report" and "Write_rows" in decision["reason"]


def test_apply_points_the_replica_at_its_source_and_never_shows_the_password(tmp_path):
    args = {
        "socket": "/run/mysqld/mysqld.sock",
        "flavor": "mysql",
        "version": "9.7.4",
        "action": "repoint",
        "source": SOURCE,
        "password": "Repl-S3cret",
    }
    result = run_module("replica_apply", tmp_path, args, env=server(tmp_path, []))
    assert result["changed"] is True
    sent = statements(tmp_path)
    assert sent[0] == "STOP REPLICA" and sent[2] == "START REPLICA" and "SOURCE_AUTO_POSITION=1" in sent[1]
    assert "Repl-S3cret" not in json.dumps(result) and all("Repl-S3cret" not in text for text in sent)
    checked = run_module("replica_apply", tmp_path / "..", {**args, "action": "start"}, check=True)
    assert checked["statements"] == ["START REPLICA"]


def test_a_refusal_names_the_statement_and_not_its_parameters(tmp_path):
    args = MARIADB_REPOINT
    answers = [{"match": "CHANGE MASTER", "error": "Access denied; you need the REPLICATION SLAVE ADMIN privilege"}]
    result = run_module("replica_apply", tmp_path, args, env=server(tmp_path, answers))
    assert result["failed"] is True and result["msg"].startswith("the replica refused CHANGE MASTER")
    assert "Repl-S3cret" not in json.dumps(result)


def test_a_replica_that_waited_reports_whether_it_caught_up_and_what_it_lacks(tmp_path):
    args = {
        "socket": "/run/mysqld/mysqld.sock",
        "flavor": "mysql",
        "version": "9.7.4",
        "step": "wait",
        "gtid": "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100",
        "timeout": 5,
    }
    answers = [
        {"match": "WAIT_FOR_EXECUTED_GTID_SET", "rows": [[1]]},
        {"match": "gtid_executed", "rows": [["3e11fa47-71ca-11e1-9e33-c80aa9429562:1-97"]]},
    ]
    result = run_module("replication_switch", tmp_path, args, env=server(tmp_path, answers))
    assert result["caught_up"] is False and result["missing"] == 3 and result["changed"] is False
    assert writes(tmp_path) == []


def test_promoting_stops_replication_for_good_and_makes_the_server_writable(tmp_path):
    args = {"socket": "/run/mysqld/mysqld.sock", "flavor": "mysql", "version": "9.7.4", "step": "promote"}
    result = run_module("replication_switch", tmp_path, args, env=server(tmp_path, []))
    assert result["changed"] is True
    assert writes(tmp_path) == [
        "STOP REPLICA",
        "RESET REPLICA ALL",
        "SET GLOBAL super_read_only = OFF",
        "SET GLOBAL read_only = OFF",
    ]


def test_a_mariadb_replica_goes_on_from_what_it_executed_itself_unless_seeded_from_a_backup(tmp_path):
    args = MARIADB_REPOINT
    # a former primary: its own writes are in gtid_binlog_pos, not gtid_slave_pos
    repointed = run_module("replica_apply", tmp_path, args, check=True)
    assert repointed["statements"][:2] == ["STOP REPLICA", "SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_current_pos"]
    seeded = run_module("replica_apply", tmp_path, {**args, "position": "0-2631-1420"}, check=True)
    assert seeded["statements"][:2] == ["STOP REPLICA", "SET GLOBAL gtid_slave_pos = %s"]
    assert "MASTER_USE_GTID=slave_pos" in seeded["statements"][2]
