"""server_secure against a stand-in PyMySQL: it drops only what a fresh server should not keep."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.secure import removals
from module_runner import run_module
from pymysql_stand_in import connects, log, server, writes

ARGS = {"socket": "/run/mysqld/mysqld.sock"}
FRESH = [
    {"match": "@@datadir", "rows": [["/srv/mysql/", "/etc/mysql/tls/server-cert.pem"]]},
    {"match": "FROM mysql.user", "rows": [["root", "localhost"], ["", "localhost"], ["root", "%"], ["app", "%"]]},
    {"match": "SCHEMATA", "rows": [["mysql"], ["test"], ["shop"]]},
]
SECURED = [
    {"match": "@@datadir", "rows": [["/var/lib/mysql/", None]]},
    {"match": "FROM mysql.user", "rows": [["root", "localhost"], ["root", "::1"], ["app", "%"]]},
    {"match": "SCHEMATA", "rows": [["mysql"], ["shop"]]},
]


def test_drops_anonymous_remote_root_and_test_and_nothing_else(tmp_path):
    result = run_module("server_secure", tmp_path, ARGS, env=server(tmp_path, FRESH))
    assert result["changed"] is True
    assert writes(tmp_path) == ["DROP USER %s@%s", "DROP USER %s@%s", "DROP DATABASE `test`"]
    drops = [entry["args"] for entry in log(tmp_path) if entry.get("query") == "DROP USER %s@%s"]
    assert drops == [["", "localhost"], ["root", "%"]]
    assert connects(tmp_path) == [{"unix_socket": "/run/mysqld/mysqld.sock", "user": "root", "autocommit": True}]
    assert result["datadir"] == "/srv/mysql", "the server's own datadir, as it runs"
    assert result["ssl_cert"] == "/etc/mysql/tls/server-cert.pem"


def test_a_secured_server_gets_no_statement_that_writes(tmp_path):
    result = run_module("server_secure", tmp_path, ARGS, env=server(tmp_path, SECURED))
    assert result["changed"] is False and result["removed"] == []
    assert result["ssl_cert"] == "", "a server with no certificate configured says NULL"
    assert writes(tmp_path) == []


def test_check_mode_lists_what_it_would_drop_and_drops_nothing(tmp_path):
    result = run_module("server_secure", tmp_path, ARGS, check=True, diff=True, env=server(tmp_path, FRESH))
    assert result["changed"] is True and len(result["removed"]) == 3
    assert "root@%" in result["diff"]["before"] and result["diff"]["after"] == ""
    assert writes(tmp_path) == []


def test_an_unreachable_server_is_named(tmp_path):
    result = run_module("server_secure", tmp_path, ARGS, env=server(tmp_path, [], refuse="Can't connect"))
    assert result["failed"] and "/run/mysqld/mysqld.sock" in result["msg"]


def test_root_keeps_its_local_accounts_whatever_the_order():
    accounts = [("root", "127.0.0.1"), ("root", "db1.example"), ("", "db1.example"), ("root", "localhost")]
    local = ["localhost", "127.0.0.1", "::1"]
    dropped = [removal["args"] for removal in removals(accounts, ["mysql"], local)]
    assert dropped == [["", "db1.example"], ["root", "db1.example"]]
    assert removals(list(reversed(accounts)), ["mysql"], local) == removals(accounts, ["mysql"], local)
