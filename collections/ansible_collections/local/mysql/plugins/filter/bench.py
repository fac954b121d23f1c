"""Filters that expose the load test's decisions to the mysql_bench role."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils import capacity, search
from ansible_collections.local.mysql.plugins.module_utils.bench import (
    compare,
    confirmation_steps,
    plan,
    reproduce_command,
    run_record,
)


def mysql_bench_plan(
    params: dict, probe: dict, flavor: str, sizing: dict, workdir: str, inventories: list, host: str
) -> dict:
    """Refusals, dataset, configurations and the ordered runs for one host."""
    return plan(params, probe, flavor, sizing, workdir, reproduce_command(params, inventories, host))


def _records(runs: list) -> list[dict]:
    return [
        run_record(run["step"], run["output"], run["samples"], run["variables"], 0.0, run.get("failure"))
        for run in runs
    ]


def mysql_bench_capacity_stops(runs: list, settings: dict) -> dict:
    """The capacity ladders that stopped (configuration/workload -> why), from the runs kept so far."""
    return capacity.stops(_records(runs), float(settings["p95_bound_ms"]), int(settings["cap"]))


def mysql_bench_confirmation(runs: list, planned: dict, rounds: int) -> list:
    """The search's confirmation runs: tuned against each candidate whose median led it, in fresh
    rounds; none outside the search or when tuned led on every workload."""
    if not planned.get("candidates"):
        return []
    return confirmation_steps(planned, search.leaders(compare(_records(runs))), int(rounds))


class FilterModule:
    def filters(self):
        return {
            "mysql_bench_plan": mysql_bench_plan,
            "mysql_bench_capacity_stops": mysql_bench_capacity_stops,
            "mysql_bench_confirmation": mysql_bench_confirmation,
        }
