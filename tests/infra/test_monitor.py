"""The exporters, the exporter's account and the toolkit's own metrics against the recorded intent (issue 15)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

ROLE = Path(__file__).parents[2] / "roles/mysql_monitor"
CLIENT_FILE = "/etc/prometheus/mysqld-exporter.cnf"
SERVICES = ("prometheus-mysqld-exporter", "prometheus-node-exporter")


def role_default(name: str):
    return yaml.safe_load((ROLE / "defaults/main.yml").read_text())[name]


@pytest.fixture
def monitored(host_vars):
    if not host_vars.get("mysql_monitor_enabled", role_default("mysql_monitor_enabled")):
        pytest.skip("mysql_monitor_enabled is false for this host")
    return {
        "mysqld": host_vars.get(
            "mysql_monitor_mysqld_exporter_listen", role_default("mysql_monitor_mysqld_exporter_listen")
        ),
        "node": host_vars.get("mysql_monitor_node_exporter_listen", role_default("mysql_monitor_node_exporter_listen")),
        "user": host_vars.get("mysql_monitor_exporter_user", role_default("mysql_monitor_exporter_user")),
    }


def scrape(host, listen: str) -> dict[tuple[str, str], float]:
    """/metrics fetched inside the host: (name, labels text) -> value."""
    url = f"http://{listen}/metrics"
    text = host.check_output(
        "python3 -c %s %s", "import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())", url
    )
    found = {}
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$", line)
        if match:
            found[(match.group(1), match.group(2) or "")] = float(match.group(3))
    return found


def test_exporters_are_enabled_and_running(host, monitored):
    for name in SERVICES:
        service = host.service(name)
        assert service.is_enabled and service.is_running, name


def test_exporters_listen_where_the_variables_say(host, monitored):
    listening = host.socket.get_listening_sockets()
    for listen in (monitored["mysqld"], monitored["node"]):
        address, _, port = listen.rpartition(":")
        assert f"tcp://{address}:{port}" in listening, f"nothing on {listen}: {listening}"


def test_mysqld_exporter_reaches_the_server(host, monitored):
    assert scrape(host, monitored["mysqld"])[("mysql_up", "")] == 1


def test_toolkit_metrics_equal_the_fact_file(host, monitored, facts):
    metrics = scrape(host, monitored["node"])
    sizing = facts["sizing"]
    assert metrics[("mysql_toolkit_memory_budget_bytes", "")] == sizing["memory_budget"]
    assert metrics[("mysql_toolkit_peak_memory_bytes", "")] == sizing["peak_memory"]
    sized = {labels: value for (name, labels), value in metrics.items() if name == "mysql_toolkit_sized_value"}
    for variable in ("innodb_buffer_pool_size", "max_connections", "innodb_io_capacity"):
        hits = [value for labels, value in sized.items() if f'variable="{variable}"' in labels]
        assert hits == [sizing["variables"][variable]], variable
    io = facts.get("io") or {}
    if io.get("iops"):
        assert metrics[("mysql_toolkit_fio_iops", "")] == io["iops"]
    drift = [value for (name, _), value in metrics.items() if name == "mysql_toolkit_drift_differences"]
    assert drift and sum(drift) == 0, "after a run of provision.yml nothing has drifted"


def test_the_oldest_transaction_is_read_every_30_seconds(host, server, monitored, host_vars):
    """The reader's timer runs and the node exporter serves what the server shows now: the
    history list length as INNODB_METRICS counts it, within the reader's last minute."""
    timer = host.service("mysql-toolkit-transactions.timer")
    assert timer.is_enabled and timer.is_running
    host.run("systemctl start mysql-toolkit-transactions.service")
    metrics = scrape(host, monitored["node"])
    threshold = host_vars.get("mysql_monitor_long_transaction_s", role_default("mysql_monitor_long_transaction_s"))
    assert metrics[("mysql_toolkit_long_transaction_threshold_seconds", "")] == threshold
    read_at = metrics[("mysql_toolkit_transactions_read_timestamp_seconds", "")]
    assert abs(read_at - datetime.now(UTC).timestamp()) < 60
    open_now = server.query("SELECT COUNT(*) FROM information_schema.INNODB_TRX")[0][0]
    if open_now == "0":
        assert metrics[("mysql_toolkit_oldest_transaction_seconds", "")] == 0
    history = server.scalar("SELECT COUNT FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'")
    assert ("mysql_toolkit_history_list_length", "") in metrics and int(history) >= 0


def test_exporter_account_has_exactly_the_intended_privileges_and_cannot_write(server, monitored, host_vars):
    flavor = server.flavor
    intended = yaml.safe_load((ROLE / "vars/main.yml").read_text())["__mysql_monitor_privileges"][flavor]
    wanted = {part.split(":")[0]: set(part.split(":")[1].split(",")) for part in intended.split("/")}
    grants = server.query(f"SHOW GRANTS FOR '{monitored['user']}'@'localhost'")
    held = {}
    for (line,) in grants:
        match = re.match(r"GRANT (.+?) ON (\S+) TO", line)
        privileges = {p.strip() for p in match.group(1).split(",")} - {"USAGE"}
        if privileges:
            held[match.group(2).replace("`", "")] = privileges
    assert held == wanted
    limit = server.scalar(f"SELECT max_user_connections FROM mysql.user WHERE User = '{monitored['user']}'")
    assert 0 < int(limit) <= 10
    client = server.host.file(CLIENT_FILE)
    assert client.exists and client.user == "prometheus" and client.mode == 0o600
    write = server.host.run(
        f"{server.client} --defaults-file={CLIENT_FILE} --execute='CREATE DATABASE exporter_must_not'"
    )
    # a replica's read-only refuses every write first; the grants above are what the account holds
    refusals = ("denied", "read-only") if host_vars.get("mysql_replication_role") == "replica" else ("denied",)
    assert write.rc != 0 and any(word in write.stderr.lower() for word in refusals), write.stderr


def test_raid_metrics_are_the_controllers_state_and_the_timers_next_learn(host, monitored, facts):
    raid = facts.get("raid") or {}
    if not raid.get("controllers"):
        pytest.skip("no RAID controller on this host")
    metrics = scrape(host, monitored["node"])

    def one(name, **labels):
        hits = [
            v for (n, text), v in metrics.items() if n == name and all(f'{k}="{w}"' in text for k, w in labels.items())
        ]
        assert len(hits) == 1, f"{name} {labels}: {hits}"
        return hits[0]

    for controller in raid["controllers"]:
        number, battery = str(controller["id"]), controller.get("battery") or {}
        if battery:
            assert one("mysql_toolkit_raid_battery_healthy", controller=number) == (1 if battery["healthy"] else 0)
            assert one("mysql_toolkit_raid_learn_active", controller=number) == (1 if battery["learn_active"] else 0)
        for drive in controller.get("virtual_drives") or []:
            policy = drive.get("current_write_policy") or drive["write_policy"]
            written = one("mysql_toolkit_raid_write_back", controller=number, drive=str(drive["id"]))
            assert written == (1 if policy in ("WB", "AWB") else 0)
    shown = host.check_output("TZ=UTC systemctl show --property NextElapseUSecRealtime --value mysql-raid-learn.timer")
    next_learn = datetime.strptime(shown, "%a %Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)
    assert one("mysql_toolkit_raid_learn_next_timestamp_seconds") == next_learn.timestamp()
