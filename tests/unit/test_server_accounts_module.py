"""server_accounts against a stand-in PyMySQL: creates, corrects, keeps or drops only the toolkit's accounts."""

from __future__ import annotations

import json

from ansible_collections.local.mysql.plugins.module_utils.access import native_hash
from module_runner import run_module
from pymysql_stand_in import log, server, writes

SECRET = "S3cret-PW-42"
SHOP = {
    "name": "shop",
    "password": SECRET,
    "hosts": ["198.18.0.%"],
    "priv": "shop.*:SELECT,INSERT",
    "require_tls": True,
    "max_user_connections": 50,
}
ROOT_ONLY = [{"match": "FROM mysql.user", "rows": [["root", "localhost", "unix_socket", "", "", 0]]}]
SHOP_HELD = [
    {
        "match": "FROM mysql.user",
        "rows": [
            ["root", "localhost", "unix_socket", "", "", 0],
            ["shop", "198.18.0.%", "mysql_native_password", native_hash(SECRET), "ANY", 50],
            ["old", "198.18.0.%", "mysql_native_password", native_hash("x"), "", 0],
            ["dba", "%", "mysql_native_password", native_hash("y"), "", 0],
        ],
    },
    {"match": "SHOW GRANTS", "rows": [["GRANT SELECT, INSERT ON `shop`.* TO `shop`@`198.18.0.%`"]]},
]


def args(tmp_path, users, **more):
    return {"socket": "/run/mysqld/mysqld.sock", "users": users, "path": str(tmp_path / "facts.json"), **more}


def recorded(tmp_path):
    return json.loads((tmp_path / "facts.json").read_text())["accounts"]["mysql_server"]


def test_a_missing_account_is_created_recorded_and_its_password_never_shown(tmp_path):
    result = run_module("server_accounts", tmp_path, args(tmp_path, [SHOP]), diff=True, env=server(tmp_path, ROOT_ONLY))
    assert result["changed"] is True and result["created"] == ["shop@198.18.0.%"]
    assert writes(tmp_path) == [
        "CREATE USER %s@%s IDENTIFIED BY %s REQUIRE SSL WITH MAX_USER_CONNECTIONS 50",
        "GRANT INSERT, SELECT ON `shop`.* TO %s@%s",
    ]
    assert recorded(tmp_path) == ["shop@198.18.0.%"]
    assert SECRET not in json.dumps(result)


def test_accounts_as_listed_get_no_statement(tmp_path):
    (tmp_path / "facts.json").write_text(json.dumps({"accounts": {"mysql_server": ["shop@198.18.0.%"]}}))
    result = run_module("server_accounts", tmp_path, args(tmp_path, [SHOP]), env=server(tmp_path, SHOP_HELD))
    assert result["changed"] is False and writes(tmp_path) == []


def test_unlisted_accounts_it_created_are_kept_with_a_warning_or_dropped_when_asked(tmp_path):
    (tmp_path / "facts.json").write_text(
        json.dumps(
            {"accounts": {"mysql_server": ["shop@198.18.0.%", "old@198.18.0.%"], "mysql_monitor": ["old@198.18.0.%"]}}
        )
    )
    kept = run_module("server_accounts", tmp_path, args(tmp_path, [SHOP]), env=server(tmp_path, SHOP_HELD))
    assert kept["changed"] is False and kept["kept"] == ["old@198.18.0.%"]
    assert "old@198.18.0.%" in json.dumps(kept["warnings"])
    dropped = run_module(
        "server_accounts", tmp_path, args(tmp_path, [SHOP], remove_unlisted=True), env=server(tmp_path, SHOP_HELD)
    )
    assert dropped["changed"] is True and dropped["dropped"] == ["old@198.18.0.%"]
    drops = [entry["args"] for entry in log(tmp_path) if entry.get("query") == "DROP USER %s@%s"]
    assert drops == [["old", "198.18.0.%"]], "dba@% was never the toolkit's: it stays"
    assert recorded(tmp_path) == ["shop@198.18.0.%"]
    # another owner's record is its own
    assert json.loads((tmp_path / "facts.json").read_text())["accounts"]["mysql_monitor"] == ["old@198.18.0.%"]


def test_check_mode_reports_and_sends_nothing(tmp_path):
    result = run_module(
        "server_accounts", tmp_path, args(tmp_path, [SHOP]), check=True, diff=True, env=server(tmp_path, ROOT_ONLY)
    )
    assert result["changed"] is True and "shop@198.18.0.%: created" in result["diff"]["after"]
    assert writes(tmp_path) == [] and not (tmp_path / "facts.json").exists()


def test_a_statement_the_server_refuses_names_the_variable_not_the_password(tmp_path):
    script = [*ROOT_ONLY, {"match": "^GRANT", "error": "Illegal GRANT/REVOKE command"}]
    result = run_module("server_accounts", tmp_path, args(tmp_path, [SHOP]), env=server(tmp_path, script))
    assert result["failed"] is True
    assert result["msg"].startswith("mysql_server_users: shop@198.18.0.%: the server refused it")
    assert SECRET not in json.dumps(result)
    # the account was created before the GRANT was refused: it is recorded as the toolkit's
    assert recorded(tmp_path) == ["shop@198.18.0.%"]
