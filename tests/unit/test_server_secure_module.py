"""server_secure against a stand-in PyMySQL: it drops only what a fresh server should not keep."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.secure import removals
from module_runner import run_module
from pymysql_stand_in import connects, log, server, writes

ARGS = {"socket": "/run/mysqld/mysqld.sock"}
MYSQL = {"match": "SHOW TABLES", "rows": []}
# user, host, plugin, empty authentication string, locked
FRESH = [
    MYSQL,
    {"match": "@@datadir", "rows": [["/srv/mysql/", "/etc/mysql/tls/server-cert.pem"]]},
    {
        "match": "FROM mysql.user",
        "rows": [
            ["root", "localhost", "auth_socket", 1, 0],
            ["", "localhost", "caching_sha2_password", 1, 0],
            ["root", "%", "caching_sha2_password", 0, 0],
            ["app", "%", "caching_sha2_password", 0, 0],
            ["guest", "198.18.0.%", "caching_sha2_password", 1, 0],
        ],
    },
    {"match": "SCHEMATA", "rows": [["mysql"], ["test"], ["shop"]]},
]
SECURED = [
    MYSQL,
    {"match": "@@datadir", "rows": [["/var/lib/mysql/", None]]},
    {
        "match": "FROM mysql.user",
        "rows": [
            ["root", "localhost", "auth_socket", 1, 0],
            ["root", "::1", "caching_sha2_password", 0, 0],
            ["app", "%", "caching_sha2_password", 0, 0],
        ],
    },
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
    assert {"user": "guest", "host": "198.18.0.%"} in result["accounts"], "passwordless kept unless asked"
    assert {"user": "root", "host": "%"} not in result["accounts"]


def test_passwordless_accounts_go_when_asked_and_the_hash_is_never_read(tmp_path):
    result = run_module("server_secure", tmp_path, {**ARGS, "remove_passwordless": True}, env=server(tmp_path, FRESH))
    drops = [entry["args"] for entry in log(tmp_path) if entry.get("query") == "DROP USER %s@%s"]
    assert drops == [["", "localhost"], ["guest", "198.18.0.%"], ["root", "%"]]
    assert "account without a password, guest@198.18.0.%" in result["removed"]
    assert result["accounts"] == [{"user": "root", "host": "localhost"}, {"user": "app", "host": "%"}]
    reads = [entry["query"] for entry in log(tmp_path) if entry.get("query", "").startswith("SELECT User")]
    assert reads and all("authentication_string = ''" in query for query in reads)


def test_mariadb_accounts_are_read_where_it_keeps_their_lock_and_roles_are_not(tmp_path):
    mariadb = [
        {"match": "SHOW TABLES", "rows": [["global_priv"]]},
        {"match": "FROM mysql.global_priv", "rows": FRESH[2]["rows"]},
        FRESH[1],
        FRESH[3],
    ]
    run_module("server_secure", tmp_path, {**ARGS, "remove_passwordless": True}, env=server(tmp_path, mariadb))
    reads = [entry["query"] for entry in log(tmp_path) if entry.get("query", "").startswith("SELECT User")]
    assert reads and all("global_priv" in query and "is_role" in query for query in reads)


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
