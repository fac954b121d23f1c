"""Server settings for a host's place in the topology (module_utils/replication.py) and the
sizing filter that writes them beside the sized values."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.local.mysql.plugins.filter.sizing import mysql_sizing
from ansible_collections.local.mysql.plugins.module_utils.replication import (
    MEMORY_PER_WORKER,
    WORKERS_MAX,
    Replication,
    server_settings,
)
from ansible_collections.local.mysql.plugins.module_utils.sizes import GIB
from hypothesis import given
from hypothesis import strategies as st

MYSQL = {"flavor": "mysql", "version": (9, 7, 4)}
MARIADB = {"flavor": "mariadb", "version": (11, 8, 6)}


def values(settings: dict) -> dict:
    return {name: setting["value"] for name, setting in {**settings["variables"], **settings["options"]}.items()}


def test_outside_replication_nothing_is_set():
    assert server_settings(Replication(**MYSQL, role="none", server_id=5)) == {"variables": {}, "options": {}}


def test_a_mysql_replica_is_read_only_with_gtid_and_crash_safe_parallel_appliers():
    replica = values(server_settings(Replication(**MYSQL, role="replica", server_id=5, cpus=2, budget=3 * GIB,
                                                 datadir_size=100 * GIB)))  # fmt: skip
    assert replica == {
        "server_id": 5,
        "gtid_mode": "ON",
        "enforce_gtid_consistency": "ON",
        "log_replica_updates": "ON",
        "read_only": "ON",
        "super_read_only": "ON",
        "replica_parallel_workers": 4,
        "replica_preserve_commit_order": "ON",
        "relay_log_recovery": "ON",
        "relay_log_space_limit": 8 * GIB,
        "binlog_expire_logs_auto_purge": "ON",
        "plugin_load_add": "mysql_clone.so",
    }


def test_a_mysql_primary_takes_writes_and_sets_no_applier():
    primary = values(server_settings(Replication(**MYSQL, role="primary", server_id=1, replicas=("db2",))))
    assert primary["read_only"] == primary["super_read_only"] == "OFF" and primary["gtid_mode"] == "ON"
    assert not {"replica_parallel_workers", "relay_log_recovery", "log_bin"} & set(primary)


def test_a_mysql_source_of_replicas_leaves_purging_to_the_toolkit_where_the_server_can_stop_its_own():
    from ansible_collections.local.mysql.plugins.module_utils.replication import toolkit_purges

    source = server_settings(Replication(**MYSQL, role="primary", server_id=1, replicas=("db2", "db3")))
    assert source["variables"]["binlog_expire_logs_auto_purge"]["value"] == "OFF"
    assert "db2, db3" in source["variables"]["binlog_expire_logs_auto_purge"]["formula"]
    alone = server_settings(Replication(**MYSQL, role="primary", server_id=1))
    assert alone["variables"]["binlog_expire_logs_auto_purge"]["value"] == "ON"
    # before 8.0.29 the server cannot stop purging by age: nothing set, no timer
    old = server_settings(
        Replication(flavor="mysql", version=(8, 0, 28), role="primary", server_id=1, replicas=("db2",))
    )
    assert "binlog_expire_logs_auto_purge" not in old["variables"]
    assert toolkit_purges("mysql", (8, 0, 29), 1) and not toolkit_purges("mysql", (8, 0, 28), 1)
    assert not toolkit_purges("mysql", (9, 7, 4), 0) and not toolkit_purges("mariadb", (11, 8, 6), 2)
    assert not toolkit_purges("mysql", (9, 7, 4), 2, archived=True), "the backups' archive purges there"


def test_the_purge_timer_waits_for_every_replica_and_keeps_logs_without_a_retention():
    import importlib.machinery
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / "roles/mysql_replication/files/mysql-binlog-purge"
    loader = importlib.machinery.SourceFileLoader("mysql_binlog_purge", str(path))
    script = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(script)
    statement, why = script.purge_plan(needed=2, connected=1, retention=86400)
    assert statement is None and why.startswith("1 of 2 replicas connected")
    statement, why = script.purge_plan(needed=2, connected=2, retention=86400)
    assert statement == "PURGE BINARY LOGS BEFORE NOW() - INTERVAL 86400 SECOND"
    assert script.purge_plan(needed=2, connected=3, retention=0)[0] is None


def test_mariadb_gets_its_own_names_a_binary_log_and_purges_for_its_replicas():
    primary = values(server_settings(Replication(**MARIADB, role="primary", server_id=1, replicas=("db2", "db3"))))
    assert primary["gtid_strict_mode"] == "ON" and primary["gtid_domain_id"] == 0
    assert primary["log_bin"] == "/var/lib/mysql/mysql-bin" and primary["log_slave_updates"] == "ON"
    assert primary["slave_connections_needed_for_purge"] == 2 and "super_read_only" not in primary
    replica = server_settings(Replication(**MARIADB, role="replica", server_id=2, cpus=4, budget=8 * GIB,
                                          binlog_basename="/srv/mysql/binlog"))  # fmt: skip
    assert values(replica)["log_bin"] == "/srv/mysql/binlog", "a name the server writes under is kept"
    assert values(replica)["slave_parallel_threads"] == 8 and values(replica)["slave_parallel_mode"] == "optimistic"
    assert values(replica)["slave_connections_needed_for_purge"] == 0
    assert (
        "(db2, db3)"
        in server_settings(Replication(**MARIADB, role="primary", server_id=1, replicas=("db2", "db3")))["variables"][
            "slave_connections_needed_for_purge"
        ]["formula"]
    )
    older = values(server_settings(Replication(flavor="mariadb", version=(10, 11, 18), role="primary", server_id=1)))
    assert "slave_connections_needed_for_purge" not in older


@given(cpus=st.integers(1, 256), budget=st.integers(256 * 2**20, 2**40))
def test_workers_follow_the_cpus_and_the_memory_and_stay_in_range(cpus, budget):
    replica = values(server_settings(Replication(**MYSQL, role="replica", server_id=2, cpus=cpus, budget=budget)))
    workers = replica["replica_parallel_workers"]
    assert 1 <= workers <= min(WORKERS_MAX, 2 * cpus)
    assert workers == 1 or workers * MEMORY_PER_WORKER <= budget


HOST = {"memory": "4G", "cpus": 2, "disk": "ssd", "flavor": "mariadb", "version": "1:11.8.6-0+deb13u1"}


def test_the_sizing_filter_writes_the_place_beside_the_sized_values_with_its_reasons():
    alone = mysql_sizing(HOST, {}, {}, {"role": "none"})
    assert alone == mysql_sizing(HOST), "a host outside replication is planned as before"
    place = {"role": "primary", "server_id": 11, "replicas": ["db2"], "datadir": "/var/lib/mysql"}
    primary = mysql_sizing(HOST, {}, {}, place)
    assert primary["variables"]["server_id"] == 11 and primary["options"]["log_bin"] == "/var/lib/mysql/mysql-bin"
    assert primary["explain"]["gtid_strict_mode"]["formula"]
    # the binary log the primary writes from now on gets its retention at once
    assert (
        "binlog_expire_logs_seconds" in primary["variables"] and "binlog_expire_logs_seconds" not in alone["variables"]
    )
    with pytest.raises(AnsibleFilterError, match=r"server_id \(mysql_replication_server_id\)"):
        mysql_sizing(HOST, {"server_id": 3}, {}, place)
