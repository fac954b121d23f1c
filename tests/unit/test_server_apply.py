"""The server_apply module end to end, against a stand-in server that keeps its variables.

The scripted PyMySQL stand-in (pymysql_stand_in.py) answers each statement the same way; this
module's outcome depends on what earlier SETs did to the server, so the stand-in here keeps the
variables in a JSON file and behaves as MySQL does on SET GLOBAL: read-only variables refused
with error 1238, innodb_io_capacity clamped to innodb_io_capacity_max with a warning, and a
buffer pool resize that goes on in the background.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from module_runner import ROOT, run_module
from pymysql_stand_in import no_driver

DRIVER = '''"""Stand-in for PyMySQL: one server whose state lives in $SERVER_STATE (JSON)."""
import json
import os


class MySQLError(Exception):
    pass


class OperationalError(MySQLError):
    pass


def connect(unix_socket, user, autocommit):
    if not os.path.exists(unix_socket):
        raise OperationalError(2002, f"Can't connect to local server through socket '{unix_socket}' (2)")
    return Connection()


class Connection:
    def cursor(self):
        return Cursor()

    def escape(self, value):
        return "'" + str(value).replace("'", "\\\\'") + "'"

    def close(self):
        pass


def _set(state, name, value):
    variables = state["variables"]
    if name in state["read_only"]:
        raise OperationalError(1238, f"Variable '{name}' is a read only variable")
    if name in state["background"]:
        return  # a resize the server has not finished
    if name == "innodb_io_capacity" and int(value) > int(variables["innodb_io_capacity_max"]):
        state["warnings"] = [["Warning", 1210, f"Setting innodb_io_capacity to {value} higher than "
                              f"innodb_io_capacity_max {variables['innodb_io_capacity_max']}"]]
        value = variables["innodb_io_capacity_max"]
    elif name == "innodb_io_capacity_max" and int(value) < int(variables["innodb_io_capacity"]):
        state["warnings"] = [["Warning", 1210, f"Setting innodb_io_capacity_max {value} lower than "
                              f"innodb_io_capacity {variables['innodb_io_capacity']}"]]
        value = variables["innodb_io_capacity"]
    variables[name] = str(value)


class Cursor:
    def __init__(self):
        self._rows = []

    def execute(self, query, args=None):
        with open(os.environ["SERVER_STATE"], encoding="utf-8") as handle:
            state = json.load(handle)
        state["statements"].append(query)
        warnings, state["warnings"] = state["warnings"], []
        self._rows = []
        try:
            if query == "SHOW GLOBAL VARIABLES":
                self._rows = [(name.upper(), value) for name, value in state["variables"].items()]
            elif query == "SHOW WARNINGS":
                self._rows = [tuple(row) for row in warnings]
            elif query.startswith("SET GLOBAL "):
                name, _, literal = query[len("SET GLOBAL "):].partition(" = ")
                if literal == f"@@GLOBAL.{name}":
                    literal = state["variables"][name]
                _set(state, name, literal[1:-1] if literal.startswith("'") else literal)
        finally:
            with open(os.environ["SERVER_STATE"], "w", encoding="utf-8") as handle:
                json.dump(state, handle)

    def fetchall(self):
        return tuple(self._rows)
'''

LIVE = {
    "innodb_io_capacity": "200",
    "innodb_io_capacity_max": "2000",
    "max_connections": "151",
    "slow_query_log": "OFF",
    "innodb_flush_neighbors": "0",
    "innodb_log_file_size": "50331648",
    "innodb_buffer_pool_size": "134217728",
}


class Server:
    def __init__(self, tmp_path: Path, variables: dict = LIVE, read_only=(), background=()):
        self.tmp_path = tmp_path
        self.state_file = tmp_path / "server.json"
        self.state_file.write_text(
            json.dumps(
                {
                    "variables": dict(variables),
                    "read_only": list(read_only),
                    "background": list(background),
                    "statements": [],
                    "warnings": [],
                }
            )
        )
        self.socket = tmp_path / "mysqld.sock"
        self.socket.touch()
        package = tmp_path / "stand-in" / "pymysql"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(DRIVER)
        self.env = {"PYTHONPATH": f"{package.parent}:{ROOT / 'collections'}", "SERVER_STATE": str(self.state_file)}

    def apply(self, variables: dict, check=False, diff=False, **args):
        args = {"variables": variables, "socket": str(self.socket), "wait": 0, **args}
        return run_module("server_apply", self.tmp_path, args, check=check, diff=diff, env=self.env)

    @property
    def variables(self) -> dict:
        return json.loads(self.state_file.read_text())["variables"]

    def sets(self) -> list[str]:
        return [q for q in json.loads(self.state_file.read_text())["statements"] if q.startswith("SET")]


@pytest.mark.parametrize(
    ("live", "intended", "first"),
    [
        ({"innodb_io_capacity": "200", "innodb_io_capacity_max": "2000"}, (4000, 8000), "innodb_io_capacity_max"),
        ({"innodb_io_capacity": "4000", "innodb_io_capacity_max": "8000"}, (200, 2000), "innodb_io_capacity"),
    ],
)
def test_sets_what_differs_in_an_order_the_server_does_not_clamp(tmp_path, live, intended, first):
    server = Server(tmp_path, {**LIVE, **live})
    capacity, maximum = intended
    wanted = {
        "innodb_io_capacity": capacity,
        "innodb_io_capacity_max": maximum,
        "max_connections": 385,
        "slow_query_log": "ON",
        "innodb_flush_neighbors": 0,
    }
    result = server.apply(wanted)
    assert result["changed"] is True, result
    assert result["restart_needed"] == {}
    assert sorted(result["applied"]) == [
        "innodb_io_capacity",
        "innodb_io_capacity_max",
        "max_connections",
        "slow_query_log",
    ]
    held = server.variables
    assert (held["innodb_io_capacity"], held["innodb_io_capacity_max"]) == (str(capacity), str(maximum))
    assert (held["max_connections"], held["slow_query_log"]) == ("385", "ON")
    sets = server.sets()
    pair = [statement.split()[2] for statement in sets if statement.split()[2].startswith("innodb_io_capacity")]
    assert pair[0] == first
    assert "SET GLOBAL slow_query_log = 'ON'" in sets
    assert not any("innodb_flush_neighbors" in statement for statement in sets), "a held value is not set again"


def test_values_only_a_restart_applies_are_named_with_the_reason(tmp_path):
    server = Server(tmp_path, read_only=["innodb_log_file_size"], background=["innodb_buffer_pool_size"])
    result = server.apply(
        {
            "innodb_log_file_size": 1073741824,
            "innodb_buffer_pool_size": 1073741824,
            "innodb_io_capacity": 9000,  # above the maximum in place, which stays
            "max_connections": 385,
        }
    )
    assert result["applied"] == ["max_connections"]
    needed = result["restart_needed"]
    assert needed["innodb_log_file_size"] == [1073741824, "50331648", "read-only: needs a restart"]
    assert needed["innodb_buffer_pool_size"] == [1073741824, "134217728", "not applied online"]
    assert needed["innodb_io_capacity"][:2] == [9000, "200"]
    assert "higher than innodb_io_capacity_max" in needed["innodb_io_capacity"][2]


def test_report_only_reports_what_differs_and_changes_nothing(tmp_path):
    # The check after a restart: the server must hold every value from the file by itself.
    server = Server(tmp_path)
    result = server.apply({"max_connections": 385, "slow_query_log": "OFF"}, report_only=True, diff=True)
    assert result["changed"] is False
    assert result["differences"] == {"max_connections": [385, "151"]}
    assert result["applied"] == [] and result["restart_needed"] == {}
    assert server.sets() == []
    assert server.variables == LIVE
    assert result["diff"]["before"] == "max_connections = 151\n"
    assert result["diff"]["after"] == "max_connections = 385\n"


def test_report_only_when_the_server_holds_everything(tmp_path):
    result = Server(tmp_path).apply({"max_connections": 151, "slow_query_log": "off"}, report_only=True)
    assert result["changed"] is False and result["differences"] == {}


def test_probe_restart_names_the_values_only_a_restart_applies_and_changes_nothing(tmp_path):
    # What a rollout decides before touching a host: will the new values need a restart?
    server = Server(tmp_path, read_only=["innodb_log_file_size"])
    intended = {"max_connections": 385, "innodb_log_file_size": 1073741824, "slow_query_log": "OFF"}
    result = server.apply(intended, report_only=True, probe_restart=True)
    assert result["changed"] is False
    assert result["restart_needed"] == {
        "innodb_log_file_size": [1073741824, "50331648", "read-only: needs a restart"],
    }
    # only the differing variables were tried, each with its own value
    assert sorted(server.sets()) == [
        "SET GLOBAL innodb_log_file_size = @@GLOBAL.innodb_log_file_size",
        "SET GLOBAL max_connections = @@GLOBAL.max_connections",
    ]
    assert server.variables == LIVE


def test_probe_restart_when_every_value_is_dynamic(tmp_path):
    result = Server(tmp_path).apply({"max_connections": 385}, report_only=True, probe_restart=True, check=True)
    assert result["restart_needed"] == {} and result["differences"] == {"max_connections": [385, "151"]}


def test_check_mode_says_what_it_would_set_and_sets_nothing(tmp_path):
    server = Server(tmp_path)
    result = server.apply({"max_connections": 385, "innodb_io_capacity": 4000}, check=True, diff=True)
    assert result["changed"] is True
    assert result["differences"] == {"max_connections": [385, "151"], "innodb_io_capacity": [4000, "200"]}
    assert server.sets() == [] and server.variables == LIVE
    assert result["diff"]["before"] == "innodb_io_capacity = 200\nmax_connections = 151\n"
    assert result["diff"]["after"] == "innodb_io_capacity = 4000\nmax_connections = 385\n"


def test_no_diff_without_diff_mode(tmp_path):
    assert "diff" not in Server(tmp_path).apply({"max_connections": 385}, check=True)


def test_refuses_what_is_not_a_variable_name_before_connecting(tmp_path):
    server = Server(tmp_path)
    result = server.apply({"max_connections = 1; DROP DATABASE x; --": 1})
    assert result["failed"] is True and "not variable names" in result["msg"]
    assert json.loads(server.state_file.read_text())["statements"] == []


def test_unreachable_server(tmp_path):
    server = Server(tmp_path)
    server.socket.unlink()
    result = server.apply({"max_connections": 385})
    assert result["failed"] is True and f"cannot reach the server on {server.socket}" in result["msg"]


def test_without_the_driver(tmp_path):
    args = {"variables": {"max_connections": 385}, "socket": str(tmp_path / "mysqld.sock")}
    result = run_module("server_apply", tmp_path, args, env=no_driver(tmp_path))
    assert result["failed"] is True and "PyMySQL is required" in result["msg"]
