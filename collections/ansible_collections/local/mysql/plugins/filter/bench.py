"""Filters that expose the load test's decisions to the mysql_bench role."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.bench import plan, reproduce_command


def mysql_bench_plan(
    params: dict, probe: dict, flavor: str, sizing: dict, workdir: str, inventories: list, host: str
) -> dict:
    """Refusals, dataset, configurations and the ordered runs for one host."""
    return plan(params, probe, flavor, sizing, workdir, reproduce_command(params, inventories, host))


class FilterModule:
    def filters(self):
        return {"mysql_bench_plan": mysql_bench_plan}
