"""The server is installed, running under systemd, and secured (issue 2)."""

from __future__ import annotations

import re

import pytest


def test_service_is_enabled_and_running(server):
    assert server.service.is_enabled
    assert server.service.is_running
    assert server.host.run("systemctl show -p MainPID --value %s", server.service.name).stdout.strip() != "0"


def test_root_logs_in_through_the_socket_without_password(server):
    assert server.scalar("SELECT CURRENT_USER()") == "root@localhost"


def test_version_is_the_binary_that_runs(server):
    daemon = "/usr/sbin/mariadbd" if server.flavor == "mariadb" else "/usr/sbin/mysqld"
    binary = server.host.check_output("%s --version", daemon)
    live = server.scalar("SELECT VERSION()")
    number = re.match(r"\d+\.\d+\.\d+", live).group(0)
    assert f"Ver {number}" in binary
    assert ("MariaDB" in binary) == (server.flavor == "mariadb")


def test_lab_host_runs_the_promised_flavor(server, host_vars):
    if "lab_flavor" not in host_vars:
        pytest.skip("not a molecule lab host: no lab_flavor promise to check")
    assert server.flavor == host_vars["lab_flavor"]
    assert server.scalar("SELECT VERSION()").startswith(host_vars["lab_series"] + ".")


def test_no_anonymous_accounts(server):
    assert server.scalar("SELECT COUNT(*) FROM mysql.user WHERE User = ''") == "0"


def test_no_test_database(server):
    assert server.query("SHOW DATABASES LIKE 'test'") == []


def test_root_has_only_local_accounts(server):
    hosts = {row[0] for row in server.query("SELECT Host FROM mysql.user WHERE User = 'root'")}
    assert hosts
    assert hosts <= {"localhost", "127.0.0.1", "::1"}
