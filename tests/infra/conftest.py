"""Shared fixtures for the testinfra suite.

The suite runs as molecule's verifier and, through `make verify INVENTORY=path`, against
any inventory. It compares the live host with what the roles decided, never with numbers
copied into the tests.
"""

from __future__ import annotations

import functools
import json

import pytest

FACT_FILE = "/etc/ansible/facts.d/mysql_tuning.fact"


class Server:
    """The database server on one host, reached as root through the local socket."""

    def __init__(self, host):
        self.host = host
        self.client = "mariadb" if host.exists("mariadb") else "mysql"

    def query(self, statement: str) -> list[list[str]]:
        result = self.host.run(f"{self.client} --batch --skip-column-names -uroot -e %s", statement)
        assert result.rc == 0, f"{statement!r} failed: {result.stderr}"
        return [line.split("\t") for line in result.stdout.splitlines()]

    def scalar(self, statement: str) -> str:
        rows = self.query(statement)
        assert len(rows) == 1 and len(rows[0]) == 1, f"{statement!r} returned {rows!r}"
        return rows[0][0]

    def variables(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.query("SHOW GLOBAL VARIABLES")}

    def main_pid(self) -> int:
        pid = self.host.check_output("systemctl show --property MainPID --value %s", self.service.name)
        assert pid.isdigit() and int(pid) > 0, f"{self.service.name} has no main process"
        return int(pid)

    @functools.cached_property
    def flavor(self) -> str:
        return "mariadb" if "mariadb" in self.scalar("SELECT VERSION()").lower() else "mysql"

    @property
    def service(self):
        return self.host.service("mariadb" if self.flavor == "mariadb" else "mysql")


# One per host and test module: the client and the flavor are asked once, not once per test
# (each question is a command run on the host).
@pytest.fixture(scope="module")
def server(host):
    return Server(host)


@pytest.fixture
def host_vars(host):
    return host.ansible.get_variables()


@pytest.fixture(scope="module")
def fact_file_text(host) -> str:
    """The fact file as read once per host and test module (the tests do not change it)."""
    fact_file = host.file(FACT_FILE)
    assert fact_file.exists, f"{FACT_FILE} is missing"
    return fact_file.content_string


@pytest.fixture
def facts(fact_file_text):
    """What the roles recorded about this host (the intent the tests check reality against)."""
    return json.loads(fact_file_text)


def recorded_section(facts: dict, section: str, absent: str) -> dict:
    """One role's section of the fact file; the test is skipped, saying why, where it never ran."""
    if section not in facts:
        pytest.skip(absent)
    return facts[section]


def read_dropin(text: str) -> dict[str, str]:
    """name -> value of a my.cnf drop-in's [mysqld] section, and which names have a comment above."""
    values, section = {}, None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[]")
        elif section == "mysqld" and stripped and not stripped.startswith("#"):
            name, _, value = stripped.partition("=")
            values[name.strip()] = value.strip()
    return values


def same(rendered: str, live: str) -> bool:
    """Compare a my.cnf value with SHOW GLOBAL VARIABLES text (numbers, ON/OFF, text)."""
    truth = {"ON": "1", "OFF": "0", "TRUE": "1", "FALSE": "0"}
    a, b = rendered.strip().upper(), live.strip().upper()
    a, b = truth.get(a, a), truth.get(b, b)
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b
