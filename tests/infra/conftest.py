"""Shared fixtures for the testinfra suite.

The suite runs as molecule's verifier and, through `make verify INVENTORY=path`, against
any inventory. It compares the live host with what the roles decided, never with numbers
copied into the tests.
"""

from __future__ import annotations

import pytest


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

    @property
    def flavor(self) -> str:
        return "mariadb" if "mariadb" in self.scalar("SELECT VERSION()").lower() else "mysql"

    @property
    def service(self):
        return self.host.service("mariadb" if self.flavor == "mariadb" else "mysql")


@pytest.fixture
def server(host):
    return Server(host)


@pytest.fixture
def host_vars(host):
    return host.ansible.get_variables()
