"""Flavor detection and choice (local.mysql.plugins.module_utils.flavor)."""

from __future__ import annotations

import pytest
from ansible_collections.local.mysql.plugins.module_utils.flavor import (
    FlavorError,
    choose_flavor,
    parse_apt_policy,
    parse_repoquery,
    parse_server_version,
    upstream_version,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/usr/sbin/mysqld  Ver 9.7.0 for Linux on x86_64 (MySQL Community Server - GPL)", ("mysql", "9.7.0")),
        ("/usr/sbin/mysqld  Ver 8.0.36-0ubuntu0.22.04.1 for Linux on x86_64 ((Ubuntu))", ("mysql", "8.0.36")),
        (
            "/usr/sbin/mariadbd  Ver 11.8.6-MariaDB-0+deb13u1 for debian-linux-gnu on x86_64 (Debian 13)",
            ("mariadb", "11.8.6"),
        ),
        (
            "/usr/sbin/mysqld  Ver 10.11.14-MariaDB-0+deb12u2 for debian-linux-gnu on x86_64 (Debian 12)",
            ("mariadb", "10.11.14"),
        ),
        ("mariadbd from 11.4.2-MariaDB, client 15.2 for Linux (x86_64)", ("mariadb", "11.4.2")),
        ("bash: mysqld: command not found", None),
        ("", None),
    ],
)
def test_parse_server_version(text, expected):
    assert parse_server_version(text) == expected


APT_POLICY = """\
mariadb-server:
  Installed: (none)
  Candidate: 1:11.8.6-0+deb13u1
  Version table:
     1:11.8.6-0+deb13u1 500
        500 file:/opt/lab-repo ./ Packages
mysql-server:
  Installed: (none)
  Candidate: (none)
  Version table:
"""


def test_parse_apt_policy_keeps_only_installable_packages():
    assert parse_apt_policy(APT_POLICY) == {"mariadb-server": "1:11.8.6-0+deb13u1"}


def test_parse_apt_policy_of_unknown_packages_is_empty():
    assert parse_apt_policy("N: Unable to locate package nosuch-server\n") == {}


def test_parse_repoquery_keeps_first_version():
    assert parse_repoquery("mariadb-server 10.11.9\nmariadb-server 10.5.22\nmysql-server 8.0.41\n") == {
        "mariadb-server": "10.11.9",
        "mysql-server": "8.0.41",
    }


def test_installed_server_wins_over_preference():
    assert choose_flavor("auto", "mysql", {"mariadb": True, "mysql": True}, ["mariadb", "mysql"]) == "mysql"


def test_auto_takes_first_installable_flavor():
    assert choose_flavor("auto", None, {"mariadb": False, "mysql": True}, ["mariadb", "mysql"]) == "mysql"
    assert choose_flavor("auto", None, {"mariadb": True, "mysql": True}, ["mariadb", "mysql"]) == "mariadb"


def test_explicit_flavor_is_kept():
    assert choose_flavor("mysql", None, {"mariadb": True, "mysql": False}, ["mariadb"]) == "mysql"


def test_switching_an_installed_server_is_refused():
    with pytest.raises(FlavorError, match="mysql_server_flavor"):
        choose_flavor("mysql", "mariadb", {"mysql": True}, ["mysql"])


def test_nothing_installable_names_the_variable():
    with pytest.raises(FlavorError, match="mysql_server_flavor"):
        choose_flavor("auto", None, {"mariadb": False, "mysql": False}, ["mariadb", "mysql"])


def test_unknown_flavor_is_refused():
    with pytest.raises(FlavorError, match="mysql_server_flavor must be one of"):
        choose_flavor("percona", None, {}, ["mariadb"])


@pytest.mark.parametrize(
    ("package", "upstream"),
    [("1:10.11.18-0+deb12u1", "10.11.18"), ("9.7.4-2", "9.7.4"), ("1:11.8.6-0+deb13u1", "11.8.6"), ("", "")],
)
def test_upstream_version(package, upstream):
    assert upstream_version(package) == upstream
