"""Drift comparison (module_utils/drift.py): intent from the fact file against observations."""

from __future__ import annotations

import copy

from ansible_collections.local.mysql.plugins.module_utils.drift import compare, os_rows
from ansible_collections.local.mysql.plugins.module_utils.observe import parse_dropin, parse_pam_limits

FACTS = {
    "sizing": {
        "variables": {"innodb_io_capacity": 2000, "max_connections": 385, "slow_query_log": "ON"},
        "dropin": "/etc/mysql/mysql.conf.d/zz-mysql-tuning.cnf",
        "limits": {"nofile": 16384, "domains": ["*", "mysql"], "unit_dropin": "/etc/systemd/system/x.conf"},
    },
    "raid": {"controllers": [{"id": 0}], "learn_schedule": "Sun *-*-01..07 03:00:00"},
}
HEALTHY = {
    "dropin": {"innodb_io_capacity": "2000", "max_connections": "385", "slow_query_log": "ON"},
    "live": {"innodb_io_capacity": "2000", "max_connections": "385", "slow_query_log": "ON"},
    "unit_dropin_limit": "16384",
    "unit_limit": "16384",
    "process_limit": "16384",
    "pam": {(d, k): "16384" for d in ("*", "mysql") for k in ("soft", "hard")},
    "timer": {"enabled": "enabled", "active": "active", "calendar": "Sun *-*-01..07 03:00:00"},
}


def drifted(**changes):
    observed = copy.deepcopy(HEALTHY)
    for key, value in changes.items():
        observed[key] = value
    return {(row["area"], row["item"]): row for row in compare(FACTS, observed)}


def test_healthy_host_has_no_rows():
    assert compare(FACTS, HEALTHY) == []


def test_each_kind_of_drift_is_named():
    rows = drifted(
        dropin={**HEALTHY["dropin"], "max_connections": "10", "innodb_flush_neighbors": "1"},
        live={**HEALTHY["live"], "innodb_io_capacity": "100", "max_connections": "50"},
        unit_dropin_limit=None,
        pam={("mysql", "soft"): "16384", ("mysql", "hard"): "16384"},
        timer={"enabled": "disabled", "active": "inactive", "calendar": "Sun *-*-01..07 03:00:00"},
    )
    assert rows[("drop-in", "max_connections")]["actual"] == "10"
    assert rows[("drop-in", "innodb_flush_neighbors")]["intended"] == "(not set)"
    assert rows[("live", "innodb_io_capacity")]["actual"] == "100"
    assert rows[("live", "max_connections")]["intended"] == "385"
    assert rows[("systemd", "LimitNOFILE in /etc/systemd/system/x.conf")]["actual"] == "(missing)"
    assert ("limits.d", "* soft nofile") in rows and ("limits.d", "* hard nofile") in rows
    assert ("timer", "mysql-raid-learn.timer enabled") in rows and ("timer", "mysql-raid-learn.timer active") in rows


def test_missing_dropin_and_unreachable_server():
    rows = drifted(dropin=None, live={"__unreachable__": "Can't connect"})
    assert rows[("drop-in", FACTS["sizing"]["dropin"])]["actual"] == "(missing)"
    assert rows[("live", "server")]["actual"] == "Can't connect"


def test_no_controller_means_no_timer_rows():
    facts = {key: value for key, value in FACTS.items() if key != "raid"}
    assert compare(facts, {**HEALTHY, "timer": {}}) == []


def test_parsers():
    assert parse_dropin("# c\n[client]\nport=1\n[mysqld]\nmax-connections = 10\n# x = 1\n") == {"max_connections": "10"}
    assert parse_pam_limits("# managed\n*  soft  nofile  16384\nmysql hard nofile 16384 # x\n@g soft nproc 10\n") == {
        ("*", "soft"): "16384",
        ("mysql", "hard"): "16384",
    }


def test_a_listed_database_that_is_gone_or_has_another_collation_is_drift():
    facts = {**FACTS, "databases": {"appdb": {"charset": "utf8mb4", "collation": "utf8mb4_0900_ai_ci"}}}
    same = {
        "appdb": {"charset": "utf8mb4", "collation": "utf8mb4_0900_ai_ci"},
        "other": {"charset": "latin1", "collation": "x"},
    }
    assert compare(facts, {**HEALTHY, "databases": same}) == []
    gone = compare(facts, {**HEALTHY, "databases": {}})
    assert [(row["area"], row["item"], row["actual"]) for row in gone] == [("database", "appdb", "(missing)")]
    changed = compare(facts, {**HEALTHY, "databases": {"appdb": {"charset": "utf8mb4", "collation": "utf8mb4_bin"}}})
    assert [(row["item"], row["intended"], row["actual"]) for row in changed] == [
        ("appdb collation", "utf8mb4_0900_ai_ci", "utf8mb4_bin")
    ]
    # a server that does not answer is one row, not every database missing
    unreachable = compare(facts, {**HEALTHY, "live": {"__unreachable__": "no socket"}, "databases": {}})
    assert [row["area"] for row in unreachable] == ["live"]


def test_mysql_os_files_changed_by_hand_and_kernel_values_that_no_longer_hold():
    intended = {
        "files": {
            "/etc/sysctl.d/60-mysql-toolkit.conf": "a" * 64,
            "/etc/systemd/system/mysql-toolkit-thp.service": "b" * 64,
        },
        "settings": {
            "vm.swappiness": {"wanted": 1, "reason": "r", "applies": True},
            "net.core.somaxconn": {"wanted": 4096, "reason": "r", "applies": False},
        },
    }
    observed = {
        "os_files": {
            "/etc/sysctl.d/60-mysql-toolkit.conf": "c" * 64,
            "/etc/systemd/system/mysql-toolkit-thp.service": None,
        },
        "os_kernel": {"vm.swappiness": "60"},
    }
    rows = os_rows(intended, observed)
    assert [(row["area"], row["item"], row["actual"]) for row in rows] == [
        ("os", "/etc/sysctl.d/60-mysql-toolkit.conf", "changed"),
        ("os", "/etc/systemd/system/mysql-toolkit-thp.service", "(missing)"),
        ("os", "vm.swappiness", "60"),
    ]
    held = {
        "os_files": {path: digest for path, digest in intended["files"].items()},
        "os_kernel": {"vm.swappiness": "1"},
    }
    assert os_rows(intended, held) == [], "a kernel value the host does not let the toolkit set is not drift"


def test_a_drop_in_opened_to_others_by_hand_is_drift():
    config_file = {"owner": "root", "group": "mysql", "mode": "0640"}
    facts = copy.deepcopy(FACTS)
    facts["sizing"]["server"] = {"hardening": {"config_file": config_file}}
    assert compare(facts, {**HEALTHY, "dropin_access": dict(config_file)}) == []
    rows = compare(facts, {**HEALTHY, "dropin_access": {**config_file, "mode": "0644", "group": "root"}})
    dropin = FACTS["sizing"]["dropin"]
    assert [(row["item"], row["intended"], row["actual"]) for row in rows] == [
        (f"group of {dropin}", "mysql", "root"),
        (f"mode of {dropin}", "0640", "0644"),
    ]
    # a fact file written before the hardening recorded none: nothing to compare
    assert compare(FACTS, {**HEALTHY, "dropin_access": {**config_file, "mode": "0644"}}) == []
