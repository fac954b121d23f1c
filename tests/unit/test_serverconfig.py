"""Reading the servers' checkers and comparing live values (module_utils/serverconfig.py).

The checker outputs are captured from the lab's MariaDB 10.11/11.8 and MySQL 9.7.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.local.mysql.plugins.module_utils.serverconfig import (
    START_ERRORS_SHOWN,
    apply_order,
    differences,
    refusals,
    same_value,
    start_errors,
)

FIXTURES = Path(__file__).parent / "fixtures"


def captured(name: str) -> str:
    return (FIXTURES / name).read_text()


@pytest.mark.parametrize(
    ("fixture", "return_code", "expected"),
    [
        ("mariadb-clean.txt", 0, []),
        (
            "mariadb-10.11-adjusted-and-removed.txt",
            0,
            ["adjusted to 100", "'innodb-buffer-pool-instances' was removed"],
        ),
        ("mariadb-11.8-deprecated.txt", 0, ["--innodb-flush-method is deprecated"]),
        ("mariadb-unknown-variable.txt", 7, ["unknown variable 'no_such_var=1'"]),
        ("mysql-9.7-unknown-variable.txt", 1, ["unknown variable 'no_such_var=1'"]),
        ("mysql-9.7-bad-value.txt", 1, ["Unknown suffix 'l'", "Error while setting value 'lots'"]),
    ],
)
def test_refusals(fixture, return_code, expected):
    refused = refusals(return_code, captured(fixture))
    assert len(refused) >= len(expected)
    for fragment in expected:
        assert any(fragment in line for line in refused), (fragment, refused)
    assert not any("MAC address" in line or "WSREP" in line or "Aborting" in line for line in refused)


def test_a_failing_checker_with_no_message_still_refuses():
    assert refusals(3, "") == ["the server's checker exited with 3: "]


@pytest.mark.parametrize(
    ("intended", "live", "same"),
    [
        (134217728, "134217728", True),
        (134217728, "134217729", False),
        ("ON", "1", True),
        ("OFF", "ON", False),
        ("O_DIRECT", "O_DIRECT", True),
        ("fsync", "FSYNC", True),
        (1.0, "1.000000", True),
        (0.5, "1.000000", False),
        ("/var/log/mysql/mysql-slow.log", "/var/log/mysql/mysql-slow.log", True),
        (100, None, False),
        (100, "lots", False),
    ],
)
def test_same_value(intended, live, same):
    assert same_value(intended, live) is same


def test_differences_lists_only_what_differs():
    assert differences({"a": 1, "b": "ON", "c": 3}, {"a": "1", "b": "OFF"}) == {"b": ("ON", "OFF"), "c": (3, None)}


def test_io_capacity_max_goes_first_when_raising():
    changes = {"innodb_io_capacity": 20000, "innodb_io_capacity_max": 40000, "max_connections": 200}
    order = apply_order(changes, {"innodb_io_capacity_max": "2000"})
    assert order.index("innodb_io_capacity_max") < order.index("innodb_io_capacity")


def test_io_capacity_goes_first_when_lowering():
    changes = {"innodb_io_capacity": 100, "innodb_io_capacity_max": 200}
    order = apply_order(changes, {"innodb_io_capacity_max": "20000"})
    assert order.index("innodb_io_capacity") < order.index("innodb_io_capacity_max")


@pytest.mark.parametrize("fixture", ["mysql-9.7-failed-start.txt", "mariadb-11.8-failed-start.txt"])
def test_a_failed_start_is_reported_by_its_reason_first(fixture):
    errors = start_errors((FIXTURES / fixture).read_text())
    assert "Data file './ibdata1' uses page size 16384" in errors[0]
    assert not any("Aborting" in line for line in errors[:-1]), "giving up comes last, if at all"
    assert len(errors) == START_ERRORS_SHOWN


def test_a_start_that_only_gave_up_still_says_so_and_warnings_are_not_errors():
    text = "2026-12-06 16:10:01 0 [Warning] You need to use --log-bin\n2026-12-06 16:10:02 0 [ERROR] Aborting\n"
    assert start_errors(text) == ["Aborting"]
    assert start_errors("") == []
    many = "".join(f"x [ERROR] reason {index}\n" for index in range(9))
    assert len(start_errors(many)) == START_ERRORS_SHOWN
