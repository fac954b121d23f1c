"""What a monitoring host's Prometheus scrapes, decided from the inventory.

Pure: each database host's exporters (where they listen, whether they run) and the monitoring
host's own settings give Prometheus's configuration as a mapping. Every target carries the
host's inventory name as its ``instance`` label, the same for both exporters, so that the alert
rules' joins by instance hold and an alert names the host as the inventory does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from ansible_collections.local.mysql.plugins.module_utils.refusal import must_be

# Each job: the exporter's listen variable on the database hosts.
JOBS = (
    ("mysql", "mysql_monitor_mysqld_exporter_listen"),
    ("node", "mysql_monitor_node_exporter_listen"),
)
WILDCARDS = ("0.0.0.0", "::")


class ScrapeError(ValueError):
    """An exporter the monitoring host cannot reach; the message names the variable."""


@dataclass(frozen=True)
class Exporters:
    """One database host as the inventory describes its exporters."""

    host: str
    enabled: bool
    listen: dict  # variable name -> host:port

    @classmethod
    def of(cls, host: str, values: Mapping) -> Exporters:
        """From the host's mysql_monitor inputs (its own or the role's defaults)."""
        return cls(
            host=str(host),
            enabled=bool(values["mysql_monitor_enabled"]),
            listen={variable: str(values[variable]) for _, variable in JOBS},
        )


def split_listen(listen: str) -> tuple[str, str]:
    """host:port -> (host without IPv6 brackets, port)."""
    address, _, port = listen.rpartition(":")
    return address.strip("[]"), port


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def target(exporters: Exporters, variable: str, monitor: str) -> str:
    """Where the monitoring host reaches one exporter: its listen address, or the host's
    inventory name when the exporter listens on every address."""
    listen = exporters.listen[variable]
    address, port = split_listen(listen)
    if address in WILDCARDS:
        return f"{exporters.host}:{port}"
    if is_loopback(address) and exporters.host != monitor:
        raise ScrapeError(
            must_be(
                variable,
                listen,
                f"an address the monitoring host {monitor} reaches (not loopback) for {exporters.host} to be "
                f"scraped, such as the host's address on the monitoring network, or a wildcard such as 0.0.0.0:{port}",
            )
        )
    return listen


def targets(servers: list[Exporters], monitor: str) -> dict[str, list[tuple[str, str]]]:
    """job -> (host, where the monitoring host ``monitor`` scrapes it), hosts in name order."""
    scraped = sorted((server for server in servers if server.enabled), key=lambda server: server.host)
    return {job: [(server.host, target(server, variable, monitor)) for server in scraped] for job, variable in JOBS}


def prometheus_config(
    servers: list[Exporters], monitor: str, scrape_interval: str, rule_files: list[str], alertmanagers: list[str] = ()
) -> dict:
    """Prometheus's configuration: one job per exporter, one target per database host, and the
    Alertmanagers (host:port) the firing alerts go to, if any."""
    jobs = [
        {
            "job_name": job,
            "static_configs": [{"targets": [address], "labels": {"instance": host}} for host, address in found],
        }
        for job, found in targets(servers, monitor).items()
    ]
    config = {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval},
        "rule_files": list(rule_files),
        "scrape_configs": jobs,
    }
    if alertmanagers:
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": list(alertmanagers)}]}]}
    return config
