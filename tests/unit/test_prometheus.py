"""What a monitoring host's Prometheus scrapes (module_utils/prometheus.py and its filter)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.local.mysql.plugins.filter.monitor import scrape_config
from ansible_collections.local.mysql.plugins.module_utils.prometheus import (
    JOBS,
    Exporters,
    ScrapeError,
    prometheus_config,
    target,
    targets,
)
from hypothesis import given
from hypothesis import strategies as st

MYSQLD, NODE = (variable for _, variable in JOBS)
DEFAULTS = {"mysql_monitor_enabled": True, MYSQLD: "127.0.0.1:9104", NODE: "127.0.0.1:9100"}


def exporters(host: str, mysqld: str, node: str, enabled: bool = True) -> Exporters:
    return Exporters(host=host, enabled=enabled, listen={MYSQLD: mysqld, NODE: node})


def test_an_address_is_scraped_as_it_listens():
    db = exporters("db1", "198.18.0.11:9104", "[2001:db8::11]:9100")
    assert target(db, MYSQLD, "monitor") == "198.18.0.11:9104"
    assert target(db, NODE, "monitor") == "[2001:db8::11]:9100"


@pytest.mark.parametrize("wildcard", ["0.0.0.0:9104", "[::]:9104"])
def test_a_wildcard_is_scraped_at_the_hosts_inventory_name(wildcard):
    assert target(exporters("db1.example", wildcard, wildcard), MYSQLD, "monitor") == "db1.example:9104"


@pytest.mark.parametrize("loopback", ["127.0.0.1:9104", "127.0.1.1:9104", "[::1]:9104", "localhost:9104"])
def test_loopback_is_refused_naming_the_variable_unless_the_monitor_is_the_host(loopback):
    db = exporters("db1", loopback, "198.18.0.11:9100")
    with pytest.raises(ScrapeError) as refused:
        target(db, MYSQLD, "monitor")
    message = str(refused.value)
    assert message.startswith(f"{MYSQLD}={loopback!r}: must be ")
    assert "db1" in message and "monitor" in message
    # Prometheus on the database host itself reaches its loopback
    assert target(db, MYSQLD, "db1") == loopback


def test_the_configuration_has_one_job_per_exporter_and_one_target_per_enabled_host():
    servers = [
        exporters("db2", "198.18.0.12:9104", "198.18.0.12:9100"),
        exporters("db1", "198.18.0.11:9104", "198.18.0.11:9100"),
        exporters("db3", "127.0.0.1:9104", "127.0.0.1:9100", enabled=False),
    ]
    config = prometheus_config(servers, "monitor", "30s", ["/etc/prometheus/rules/mysql-alerts.yml"])
    assert config["global"] == {"scrape_interval": "30s", "evaluation_interval": "30s"}
    assert config["rule_files"] == ["/etc/prometheus/rules/mysql-alerts.yml"]
    jobs = {job["job_name"]: job["static_configs"] for job in config["scrape_configs"]}
    assert jobs["mysql"] == [
        {"targets": ["198.18.0.11:9104"], "labels": {"instance": "db1"}},
        {"targets": ["198.18.0.12:9104"], "labels": {"instance": "db2"}},
    ]
    assert [static["targets"] for static in jobs["node"]] == [["198.18.0.11:9100"], ["198.18.0.12:9100"]]


def test_a_disabled_host_is_not_checked_either():
    # its exporters are not installed: where they would listen does not matter
    assert targets([exporters("db1", "127.0.0.1:9104", "127.0.0.1:9100", enabled=False)], "monitor") == {
        "mysql": [],
        "node": [],
    }


host_names = st.from_regex(r"db[0-9]{1,3}", fullmatch=True)
addresses = st.ip_addresses(v=4).filter(lambda address: not address.is_loopback and not address.is_unspecified)


@given(st.dictionaries(host_names, st.tuples(addresses, st.booleans()), min_size=0, max_size=12))
def test_every_enabled_host_is_scraped_once_per_job_with_its_name_as_instance(hosts):
    servers = [
        exporters(name, f"{address}:9104", f"{address}:9100", enabled) for name, (address, enabled) in hosts.items()
    ]
    config = prometheus_config(servers, "monitor", "15s", [])
    enabled = sorted(name for name, (_, on) in hosts.items() if on)
    for job in config["scrape_configs"]:
        assert [static["labels"]["instance"] for static in job["static_configs"]] == enabled
        assert all(len(static["targets"]) == 1 for static in job["static_configs"])


def test_the_filter_reads_each_hosts_variables_and_the_roles_defaults():
    servers = [
        {"inventory_hostname": "db1", MYSQLD: "198.18.0.11:9104", NODE: "0.0.0.0:9100"},
        {"inventory_hostname": "db2", "mysql_monitor_enabled": False},
    ]
    config = scrape_config(servers, "monitor", "30s", ["/rules.yml"], DEFAULTS)
    jobs = {job["job_name"]: job["static_configs"] for job in config["scrape_configs"]}
    assert jobs == {
        "mysql": [{"targets": ["198.18.0.11:9104"], "labels": {"instance": "db1"}}],
        "node": [{"targets": ["db1:9100"], "labels": {"instance": "db1"}}],
    }


def test_the_filter_refuses_a_host_left_on_the_default_loopback():
    with pytest.raises(AnsibleFilterError, match=f"^{MYSQLD}='127.0.0.1:9104': must be"):
        scrape_config([{"inventory_hostname": "db1"}], "monitor", "30s", [], DEFAULTS)


def test_alerts_go_to_the_alertmanagers_given_and_nowhere_without_them():
    servers = [exporters("db1", "198.18.0.11:9104", "198.18.0.11:9100")]
    assert "alerting" not in prometheus_config(servers, "monitor", "30s", [])
    config = prometheus_config(servers, "monitor", "30s", [], ["198.18.0.40:9093", "198.18.0.41:9093"])
    assert config["alerting"] == {
        "alertmanagers": [{"static_configs": [{"targets": ["198.18.0.40:9093", "198.18.0.41:9093"]}]}]
    }
