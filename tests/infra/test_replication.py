"""Each host holds its place in the topology: primaries take writes, replicas replicate from the
source the inventory names, read-only, with GTIDs (issue 26). Runs where the inventory gives a
host a replication role; elsewhere it is skipped, not passed."""

from __future__ import annotations

import pytest


@pytest.fixture
def role(host_vars):
    role = host_vars.get("mysql_replication_role", "none")
    if role == "none":
        pytest.skip("this host is outside replication")
    return role


def test_server_id_and_gtids_are_what_the_sizing_recorded(server, facts, role):
    live = server.variables()
    intended = facts["sizing"]["variables"]
    assert live["server_id"] == str(intended["server_id"])
    if server.flavor == "mysql":
        assert live["gtid_mode"] == "ON" and live["enforce_gtid_consistency"] == "ON"
    else:
        assert live["gtid_strict_mode"] == "ON" and live["log_bin"] == "ON"


def test_replicas_are_read_only_and_primaries_take_writes(server, role):
    live = server.variables()
    expected = "ON" if role == "replica" else "OFF"
    assert live["read_only"] == expected
    if server.flavor == "mysql":
        assert live["super_read_only"] == expected


def test_a_replica_replicates_from_its_source_with_gtid(server, role, host_vars):
    if role != "replica":
        pytest.skip("a primary replicates from no one")
    statement = "SHOW REPLICA STATUS" if server.flavor == "mysql" else "SHOW SLAVE STATUS"
    result = server.host.run(f"{server.client} -uroot -e %s --vertical", statement)
    assert result.rc == 0, result.stderr
    # "Field: value" lines ("Last_Error: " has an empty value); a long GTID set's own lines have no ": "
    fields = {}
    for line in result.stdout.splitlines():
        key, separator, value = line.partition(": ")
        if separator:
            fields[key.strip()] = value.strip()
    source = "Source" if server.flavor == "mysql" else "Master"
    replica = "Replica" if server.flavor == "mysql" else "Slave"
    assert fields[f"{replica}_IO_Running"] == "Yes" and fields[f"{replica}_SQL_Running"] == "Yes", fields
    source_vars = host_vars.get("mysql_replication_source")
    assert source_vars, "a replica names its source"
    assert fields[f"{source}_Host"].startswith("198.18."), fields[f"{source}_Host"]
    position = fields.get("Auto_Position") if server.flavor == "mysql" else fields.get("Using_Gtid")
    assert position in ("1", "Slave_Pos", "Current_Pos"), position


def test_a_mysql_source_of_replicas_purges_by_age_only_while_they_are_all_connected(server, role, host_vars, host):
    live = server.variables()
    if server.flavor != "mysql" or "binlog_expire_logs_auto_purge" not in live:
        pytest.skip("MySQL >= 8.0.29 only: MariaDB >= 11.4 has slave_connections_needed_for_purge")
    units = host.file("/etc/systemd/system/mysql-binlog-purge.service")
    if role != "primary":
        assert live["binlog_expire_logs_auto_purge"] == "ON" and not units.exists
        return
    assert live["binlog_expire_logs_auto_purge"] == "OFF"
    timer = host.service("mysql-binlog-purge.timer")
    assert timer.is_enabled and timer.is_running
    assert host.run("systemctl start mysql-binlog-purge.service").rc == 0
    said = host.run("journalctl -u mysql-binlog-purge.service -o cat --no-pager").stdout
    assert "replicas connected: logs older than" in said, said
