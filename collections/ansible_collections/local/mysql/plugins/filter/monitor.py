"""Filters that expose the monitoring decisions (what a Prometheus scrapes) to the roles."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.local.mysql.plugins.module_utils.prometheus import Exporters, ScrapeError, prometheus_config


def scrape_config(
    servers: list, monitor: str, scrape_interval: str, rule_files: list, defaults: Mapping, alertmanagers: list = ()
) -> dict:
    """Prometheus's configuration for the database hosts ``servers`` (their variables, as
    ``hostvars`` has them); a variable a host does not set takes the role's default."""
    try:
        exporters = [
            Exporters.of(
                host_vars["inventory_hostname"], {**defaults, **{k: host_vars[k] for k in defaults if k in host_vars}}
            )
            for host_vars in servers
        ]
        return prometheus_config(
            exporters, str(monitor), str(scrape_interval), list(rule_files), [str(a) for a in alertmanagers]
        )
    except ScrapeError as error:
        raise AnsibleFilterError(str(error)) from error
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError(f"scrape_config: bad input: {error}") from error


class FilterModule:
    def filters(self):
        return {"scrape_config": scrape_config}
