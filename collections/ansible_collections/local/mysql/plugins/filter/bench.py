"""Filters that expose the load test's decisions to the mysql_bench role."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.bench import input_errors, plan, reproduce_command


def mysql_bench_input_errors(params: dict) -> list[str]:
    """The role's input problems, each naming its variable (empty when all are good)."""
    return input_errors(params)


def mysql_bench_plan(
    params: dict, probe: dict, flavor: str, sizing: dict, workdir: str, inventories: list, host: str
) -> dict:
    """Refusals, dataset, configurations and the ordered runs for one host."""
    return plan(params, probe, flavor, sizing, workdir, reproduce_command(params, inventories, host))


class FilterModule:
    def filters(self):
        return {"mysql_bench_input_errors": mysql_bench_input_errors, "mysql_bench_plan": mysql_bench_plan}
