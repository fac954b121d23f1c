"""Capacity search: how much load a host carries, found the way a DBA finds it.

Client threads double from 1 (1, 2, 4, 8 ...) up to a cap below max_connections; every step is a
warm-up and a measured run. The ladder stops when throughput grew less than 5 % over two
steps, when p95 passed the bound, when errors appeared, or at the cap. The capacity is the
highest QPS whose p95 stayed within the bound with no errors; what saturated is read from the
host's samples at the step beyond it, as one reads top and iostat at the knee.

Pure functions over the run records of ``bench.run_record``.
"""

from __future__ import annotations

GROWTH = 0.05
# sysbench's ignored errors are the deadlocks and lock-wait timeouts it retries; a few are how
# oltp_read_write works, more than this share of the transactions are errors
ERROR_SHARE = 0.01
# Sessions kept out of the ladder: the sampler's, the exporter's and an administrator's
RESERVE_SHARE = 0.10
RESERVE_MIN = 2
# What counts as saturated, on the medians of the per-second samples
CPU_BUSY_PCT = 90.0
SERVER_CPU_SHARE = 0.85
DISK_SHARE = 0.80
IOWAIT_PCT = 20.0


def thread_cap(max_threads: int, max_connections: int) -> int:
    """The ladder's last rung: the input's cap, below max_connections by a reserve."""
    reserve = max(RESERVE_MIN, int(RESERVE_SHARE * max_connections))
    return max(1, min(int(max_threads), int(max_connections) - reserve))


def ladder(cap: int) -> list[int]:
    """1, 2, 4 ... below the cap, then the cap itself."""
    rungs, threads = [], 1
    while threads < cap:
        rungs.append(threads)
        threads *= 2
    return [*rungs, cap]


def ladder_name(configuration: str, workload: str) -> str:
    return f"{configuration}/{workload}"


def too_many_errors(run: dict) -> bool:
    if run.get("failed"):
        return True
    return bool(run["errors"]) and run["errors"] > ERROR_SHARE * max(1, run["transactions"] or 0)


def within(run: dict, bound_ms: float) -> bool:
    p95 = run["latency_ms"]["p95"]
    return not too_many_errors(run) and p95 is not None and p95 <= bound_ms


def stop_reason(steps: list[dict], bound_ms: float, cap: int) -> str | None:
    """Why the ladder stops after its last step so far, or None to go on."""
    last = steps[-1]
    threads = last["threads"]
    if last.get("failed"):
        return f"the run at {threads} threads failed: {last['failure']}"
    if too_many_errors(last):
        return f"{last['errors']} errors in {last['transactions']} transactions at {threads} threads"
    if last["latency_ms"]["p95"] is not None and last["latency_ms"]["p95"] > bound_ms:
        return f"p95 {last['latency_ms']['p95']:g} ms over the {bound_ms:g} ms bound at {threads} threads"
    if len(steps) >= 3 and steps[-3]["qps"]["total"]:
        growth = last["qps"]["total"] / steps[-3]["qps"]["total"] - 1
        if growth < GROWTH:
            return (
                f"QPS grew {100 * growth:.1f} % from {steps[-3]['threads']} to {threads} threads "
                f"(less than {100 * GROWTH:g} % over two steps)"
            )
    if threads >= cap:
        return f"the cap of {cap} threads"
    return None


def ladders(runs: list[dict]) -> dict[str, list[dict]]:
    """The capacity runs grouped by configuration and workload, in the order they ran."""
    grouped: dict[str, list[dict]] = {}
    for run in runs:
        if run.get("ladder"):
            grouped.setdefault(run["ladder"], []).append(run)
    return grouped


def stops(runs: list[dict], bound_ms: float, cap: int) -> dict[str, str]:
    """The ladders that stopped, with why; the others go on."""
    found = {}
    for name, steps in ladders(runs).items():
        for count in range(1, len(steps) + 1):
            reason = stop_reason(steps[:count], bound_ms, cap)
            if reason:
                found[name] = reason
                break
    return found


def _median(run: dict, field: str):
    return (run.get("sample_summary") or {}).get(field, {}).get("median")


def saturated(run: dict, resources: dict) -> str:
    """What ran out at this step: connections, disk, CPU, locks, or nothing the host shows.

    ``resources``: the server's CPUs (``server_cpus``) and the IOPS fio measured (``disk_iops``).
    """
    if run.get("refused_connections") or "Too many connections" in (run.get("failure") or ""):
        return "connections"
    disk = (_median(run, "disk_read_iops") or 0) + (_median(run, "disk_write_iops") or 0)
    if (resources.get("disk_iops") and disk >= DISK_SHARE * resources["disk_iops"]) or (
        _median(run, "cpu_iowait_pct") or 0
    ) >= IOWAIT_PCT:
        return "disk"
    server_cpu = _median(run, "server_cpu_pct")
    if (server_cpu is not None and server_cpu >= 100 * SERVER_CPU_SHARE * resources.get("server_cpus", 1)) or (
        _median(run, "cpu_busy_pct") or 0
    ) >= CPU_BUSY_PCT:
        return "CPU"
    running = _median(run, "threads_running")
    if (running is not None and running >= max(2, run["threads"] / 2)) or too_many_errors(run):
        return "locks"
    return "nothing the host shows (the latency bound came first)"


def verdict(steps: list[dict], bound_ms: float, resources: dict) -> dict:
    """One ladder's capacity, the threads there, the knee and what saturated first."""
    good = [step for step in steps if within(step, bound_ms)]
    best = max(good, key=lambda step: step["qps"]["total"]) if good else None
    knee = None
    for index in range(2, len(steps)):
        earlier, later = steps[index - 2], steps[index]
        if (
            not later.get("failed")
            and earlier["qps"]["total"]
            and later["qps"]["total"] < (1 + GROWTH) * earlier["qps"]["total"]
        ):
            knee = earlier["threads"]
            break
    beyond = steps[steps.index(best) + 1] if best and steps.index(best) + 1 < len(steps) else steps[-1]
    return {
        "capacity_qps": best["qps"]["total"] if best else None,
        "capacity_tps": best["tps"] if best else None,
        "threads": best["threads"] if best else None,
        "p95_ms": best["latency_ms"]["p95"] if best else None,
        "knee_threads": knee,
        "saturated": saturated(beyond, resources),
        "saturated_at_threads": beyond["threads"],
        "bound_ms": bound_ms,
    }


def report(runs: list[dict], bound_ms: float, cap: int, resources: dict) -> dict:
    """Every ladder's steps, why it stopped and its verdict."""
    result = {}
    reasons = stops(runs, bound_ms, cap)
    for name, steps in ladders(runs).items():
        result[name] = {
            "configuration": steps[0]["configuration"],
            "workload": steps[0]["workload"],
            "threads": [step["threads"] for step in steps],
            "stopped": reasons.get(name, "not stopped (the run ended)"),
            "verdict": verdict(steps, bound_ms, resources),
        }
    return result


def ratios(found: dict) -> dict:
    """Per workload, the tuned configuration's capacity over each other configuration's; None where
    tuned carries load within the bound and the other carries none (no finite ratio)."""
    by_workload: dict = {}
    for entry in found.values():
        by_workload.setdefault(entry["workload"], {})[entry["configuration"]] = entry["verdict"]["capacity_qps"]
    result = {}
    for workload, carried in by_workload.items():
        tuned = carried.get("tuned")
        result[workload] = {
            f"tuned/{name}": round(tuned / qps, 3) if qps else None
            for name, qps in carried.items()
            if name != "tuned" and tuned
        }
    return result


def ratio_text(name: str, value: float | None) -> str:
    """'tuned/stock = 1.53', or what an infinite ratio means."""
    if value is None:
        return f"{name} = no finite ratio ({name.split('/', 1)[1]} carries nothing within the bound)"
    return f"{name} = {value:.2f}"


def verdict_line(capacity: dict) -> str:
    parts = []
    for name, entry in capacity.items():
        judged = entry["verdict"]
        if judged["capacity_qps"] is None:
            parts.append(f"{name}: no step within p95 {judged['bound_ms']:g} ms without errors")
        else:
            parts.append(
                f"{name}: carries {judged['capacity_qps']:.0f} QPS at {judged['threads']} threads "
                f"(p95 {judged['p95_ms']:g} ms <= {judged['bound_ms']:g} ms), knee at "
                f"{judged['knee_threads'] or '-'} threads, {judged['saturated']} saturated first"
            )
    return "capacity: " + "; ".join(parts)
