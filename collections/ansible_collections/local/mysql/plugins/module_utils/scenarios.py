"""Benchmark scenarios: named presets of data and load in which configurations can differ.

A scenario says how large the dataset is against the tuned buffer pool, which workloads run,
with how many client threads, and how rows are picked. The same scenario gives every
configuration of a comparison the same data and the same load. Inputs the user set win over
the preset: workloads (non-empty), threads (non-zero) and the table size (non-zero).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    # dataset size as a share of the tuned buffer pool
    data_share: float
    workloads: tuple[str, ...]
    threads: int
    # sysbench's --rand-type; None keeps sysbench's own (a hot spot of 1 % of the rows)
    rand_type: str | None
    # after the workloads, a burst of max_connections sessions doing primary-key lookups
    burst: bool
    purpose: str


SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            "in-memory",
            0.5,
            ("oltp_read_write", "oltp_point_select", "oltp_join"),
            10,
            None,
            False,
            "data about half the tuned pool: every configuration with a pool that large serves reads from memory",
        ),
        Scenario(
            "io-bound",
            2.5,
            ("oltp_read_write",),
            10,
            "uniform",
            False,
            "data about 2.5 x the tuned pool, rows picked uniformly: most reads and writes miss the pool "
            "and reach the disk",
        ),
        Scenario(
            "write-heavy",
            0.5,
            ("oltp_write_only", "oltp_insert"),
            10,
            "uniform",
            False,
            "updates, deletes and inserts spread over the data: dirty pages and redo as fast as the server takes them",
        ),
        Scenario(
            "connections",
            0.5,
            ("oltp_point_select", "oltp_join"),
            50,
            None,
            True,
            "an application's pool of 50 connections doing primary-key lookups and joins, then a burst to "
            "max_connections sessions",
        ),
    )
}
DEFAULT = "in-memory"
BURST_WORKLOAD = "oltp_point_select"


def resolve(params: dict) -> dict:
    """The scenario's preset with what the user set on top: workloads, threads, data share, row picking."""
    scenario = SCENARIOS[params.get("scenario") or DEFAULT]
    return {
        "scenario": scenario.name,
        "purpose": scenario.purpose,
        "workloads": list(params.get("workloads") or scenario.workloads),
        "threads": int(params.get("threads") or scenario.threads),
        "data_share": scenario.data_share,
        "rand_type": scenario.rand_type,
        "burst": scenario.burst,
    }


def stall(intervals: list[dict]) -> float | None:
    """The 1st-percentile per-second throughput over the median: 1.0 is even, near 0 a stall.

    Throughput is queries a second: a write-only transaction and an insert differ in size, the
    queries they send do not. Nearest rank: of 60 seconds the slowest one, of 300 the third.
    """
    values = sorted(row["qps"] for row in intervals)
    if len(values) < 2 or statistics.median(values) <= 0:
        return None
    low = values[max(0, math.ceil(0.01 * len(values)) - 1)]
    return round(low / statistics.median(values), 3)
