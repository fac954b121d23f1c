"""The monitoring hosts' Prometheus scrapes this database host as the inventory says (issue 15).

Runs where the inventory has a ``monitoring`` group (the network scenario does); elsewhere the
checks are skipped, not passed. Prometheus's API is read inside each monitoring host, on the
address it listens on. Prometheus scrapes and evaluates on its own schedule: a check waits a
bounded time for the first scrape, it does not time anything.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import testinfra
import yaml

ROLE = Path(__file__).parents[2] / "roles/mysql_monitor"
WILDCARDS = ("0.0.0.0", "::")
# Long enough for Prometheus's first scrape and rule evaluation at the lab's 5 s interval.
WAIT_SECONDS = 120


def role_default(name: str):
    return yaml.safe_load((ROLE / "defaults/main.yml").read_text())[name]


def setting(host_vars: dict, name: str):
    return host_vars.get(name, role_default(name))


class Prometheus:
    """One monitoring host's Prometheus, through its HTTP API read on that host."""

    def __init__(self, host):
        self.host = host
        self.name = host.backend.host
        self.listen = setting(host.ansible.get_variables(), "mysql_monitor_prometheus_listen")

    def api(self, path: str, **params) -> dict:
        fetch = (
            "import json,sys,urllib.parse,urllib.request;"
            "url=sys.argv[1]+'?'+urllib.parse.urlencode(json.loads(sys.argv[2]));"
            "print(urllib.request.urlopen(url, timeout=20).read().decode())"
        )
        text = self.host.check_output("python3 -c %s %s %s", fetch, f"http://{self.listen}{path}", json.dumps(params))
        answer = json.loads(text)
        assert answer["status"] == "success", answer
        return answer["data"]

    def wait_for(self, what: str, found):
        """found(self) until it returns something other than None, for at most WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            result = found(self)
            if result is not None or time.monotonic() > deadline:
                assert result is not None, f"{self.name}: {what} not seen within {WAIT_SECONDS} s"
                return result
            time.sleep(2)

    def targets(self, instance: str) -> dict[str, dict]:
        active = self.api("/api/v1/targets", state="active")["activeTargets"]
        return {t["labels"]["job"]: t for t in active if t["labels"].get("instance") == instance}

    def instances(self) -> set[str]:
        return {t["labels"]["instance"] for t in self.api("/api/v1/targets", state="active")["activeTargets"]}

    def value(self, query: str) -> float | None:
        result = self.api("/api/v1/query", query=query)["result"]
        assert len(result) <= 1, f"{query}: {result}"
        return float(result[0]["value"][1]) if result else None

    def first_value(self, query: str) -> float:
        """The query's value once Prometheus has one (after its first scrapes)."""
        return self.wait_for(query, lambda prometheus: prometheus.value(query))


@pytest.fixture
def monitors(host) -> list[Prometheus]:
    runner = host.backend.ansible_runner
    names = runner.get_hosts("monitoring")
    if not names:
        pytest.skip("no monitoring host in this inventory")
    return [
        Prometheus(testinfra.get_host(f"ansible://{name}", ansible_inventory=host.backend.ansible_inventory))
        for name in names
    ]


@pytest.fixture
def instance(host, host_vars):
    if not setting(host_vars, "mysql_monitor_enabled"):
        pytest.skip("mysql_monitor_enabled is false for this host")
    return host.backend.host


def expected_target(listen: str, instance: str) -> str:
    """Where a monitoring host reaches an exporter: its listen address, or the host's inventory
    name when the exporter listens on every address."""
    address, _, port = listen.rpartition(":")
    return f"{instance}:{port}" if address.strip("[]") in WILDCARDS else listen


def test_prometheus_runs_and_listens_only_where_configured(monitors):
    for prometheus in monitors:
        service = prometheus.host.service("prometheus")
        assert service.is_enabled and service.is_running, prometheus.name
        address, _, port = prometheus.listen.rpartition(":")
        listening = [s for s in prometheus.host.socket.get_listening_sockets() if s.endswith(f":{port}")]
        assert listening == [f"tcp://{address}:{port}"], f"{prometheus.name}: {listening}"


def test_prometheus_scrapes_exactly_the_inventorys_database_hosts(host, monitors):
    runner = host.backend.ansible_runner
    wanted = {
        name
        for name in runner.get_hosts("mysql_servers")
        if setting(runner.get_variables(name), "mysql_monitor_enabled")
    }
    for prometheus in monitors:
        assert prometheus.instances() == wanted, prometheus.name


def test_this_host_is_scraped_where_its_exporters_listen_and_is_up(monitors, instance, host_vars):
    wanted = {
        "mysql": expected_target(setting(host_vars, "mysql_monitor_mysqld_exporter_listen"), instance),
        "node": expected_target(setting(host_vars, "mysql_monitor_node_exporter_listen"), instance),
    }
    for prometheus in monitors:
        targets = prometheus.targets(instance)
        assert {job: target["discoveredLabels"]["__address__"] for job, target in targets.items()} == wanted
        for job in wanted:
            prometheus.wait_for(
                f"{job} on {instance} scraped",
                lambda prometheus, job=job: prometheus.targets(instance)[job]["health"] != "unknown" or None,
            )
            target = prometheus.targets(instance)[job]
            assert target["health"] == "up", f"{prometheus.name}: {job} on {instance}: {target.get('lastError')}"


def test_prometheus_has_the_servers_and_the_toolkits_metrics(monitors, instance, facts):
    sizing = facts["sizing"]
    for prometheus in monitors:
        assert prometheus.first_value(f'mysql_up{{instance="{instance}"}}') == 1
        budget = prometheus.first_value(f'mysql_toolkit_memory_budget_bytes{{instance="{instance}"}}')
        assert budget == sizing["memory_budget"]
        pool = prometheus.value(
            f'mysql_toolkit_sized_value{{instance="{instance}",variable="innodb_buffer_pool_size"}}'
        )
        assert pool == sizing["variables"]["innodb_buffer_pool_size"]
        drift = prometheus.value(f'sum(mysql_toolkit_drift_differences{{instance="{instance}"}})')
        assert drift == 0, "after a run of provision.yml nothing has drifted"


def test_the_alert_rules_are_loaded_and_evaluate_without_errors(monitors):
    wanted = {
        rule["alert"]
        for group in yaml.safe_load((ROLE / "files/mysql-alerts.yml").read_text())["groups"]
        for rule in group["rules"]
    }

    def evaluated(prometheus: Prometheus):
        rules = [rule for group in prometheus.api("/api/v1/rules")["groups"] for rule in group["rules"]]
        return rules if rules and all(rule["health"] != "unknown" for rule in rules) else None

    for prometheus in monitors:
        rules = prometheus.wait_for("every rule evaluated", evaluated)
        assert {rule["name"] for rule in rules} == wanted
        failing = {rule["name"]: rule.get("lastError") for rule in rules if rule["health"] != "ok"}
        assert not failing, f"{prometheus.name}: {failing}"
