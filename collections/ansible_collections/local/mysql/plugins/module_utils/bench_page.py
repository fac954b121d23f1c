"""The load test's report as a person reads it (report.md): what ran on what, each run's figures,
the comparison, the capacity ladders and the verdicts that bench.build_report decided."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils import capacity, rivals
from ansible_collections.local.mysql.plugins.module_utils.bench import human, run_label, shown


def runs_line(report: dict) -> str:
    """How each run was made: the load test's threads and warm-up, the ladder, or the storm's sessions."""
    settings = report["settings"]
    if report.get("storm"):
        return (
            f"- the storm: every table read through after a restart, then {report['storm']['sessions']} sessions "
            f"(max_connections) for {settings['time']} s"
        )
    if report.get("mode") == "capacity":
        return (
            f"- capacity search: threads 1, 2, 4 ... up to {report['capacity']['cap']}, "
            f"each step {settings['warmup']} s "
            f"warm-up then {settings['time']} s measured; stops when QPS grows less than 5 % over two steps, p95 "
            f"passes {report['capacity']['p95_bound_ms']:g} ms, errors appear, or at the cap"
        )
    confirmation = (
        f"; a candidate whose median led tuned's, against tuned again in {settings['rounds']} fresh rounds"
        if report.get("mode") == "search"
        else ""
    )
    return (
        f"- each run: {settings['threads']} threads, {settings['warmup']} s warm-up, then "
        f"{settings['time']} s measured; {settings['rounds']} round(s){confirmation}"
    )


def scenario_line(report: dict) -> str:
    scenario = report.get("scenario")
    if not scenario or report.get("storm"):
        return "- scenario: the storm's own (data 1.25 x the pool, read through first)"
    picking = f"; sysbench --rand-type={scenario['rand_type']}" if scenario.get("rand_type") else ""
    return f"- scenario: {scenario['scenario']} ({scenario['purpose']}{picking})"


def cpus_line(report: dict) -> str:
    cpus = report.get("cpus")
    if not cpus:
        return "- CPUs: server and client share the host's CPUs (fewer than 2, or mysql_bench_pin_cpus=false)"
    return (
        f"- CPUs: the server on {','.join(map(str, cpus['server']))}, sysbench on {','.join(map(str, cpus['client']))} "
        "(disjoint; each one's CPU is sampled apart)"
    )


def access_line(report: dict) -> list[str]:
    """What stock and the rivals kept of the toolkit's drop-in, when any of them ran."""
    kept = report["settings"].get("kept_access") or {}
    if not kept:
        return []
    return [
        "- access: stock and the rivals keep the host's listening addresses and TLS ("
        + ", ".join(f"{name} = {value}" for name, value in kept.items())
        + ")"
    ]


def disk_line(host_facts: dict) -> str:
    """'ssd disk', and what the device says of itself when fio overruled it."""
    disk, reported = host_facts.get("disk"), host_facts.get("disk_reported")
    if reported and reported != disk:
        return f"{disk} disk (the device reports itself {reported}; fio overruled it)"
    return f"{disk} disk"


def checks_markdown(title: str, judged: dict | None) -> list[str]:
    if not judged:
        return []
    lines = [f"## {title}", "", "| check | result |", "|---|---|"]
    lines += [f"| {name} | {'pass' if ok else 'FAIL'} |" for name, ok in judged["checks"].items()]
    return [*lines, ""]


def run_row(run: dict) -> str:
    qps, lat, summary = run["qps"], run["latency_ms"], run["sample_summary"]
    figures = (
        f"FAILED: {run['failure']} | | | "
        if run.get("failed")
        else f"{shown(run['tps'])} | {shown(qps['read'], 0)} / {shown(qps['write'], 0)} / {shown(qps['other'], 0)} | "
        f"{shown(lat['avg'], 2)} / {shown(lat['p95'], 2)} / {shown(lat['p99'], 2)} / {shown(lat['max'], 2)} | "
        f"{run['errors']} | "
    )
    return (
        f"| {run['round']} | {run['configuration']} | {run_label(run)} | {run['threads']} | {figures}"
        f"{shown(summary['cpu_busy_pct']['median'])} / {shown(summary['server_cpu_pct']['median'])} / "
        f"{shown(summary['client_cpu_pct']['median'])} | "
        f"{shown(summary['disk_read_iops']['median'], 0)} / {shown(summary['disk_write_iops']['median'], 0)} | "
        f"{human(summary['server_rss']['max'])} | {shown(summary['threads_running']['median'], 0)} | "
        f"{human(summary['checkpoint_age']['max'])} of {human(run['redo_capacity'])} | {shown(run.get('stall'), 2)} |"
    )


def compare_markdown(report: dict) -> list[str]:
    lines = ["", "## Comparison (median of the rounds)", ""]
    lines += [
        "| workload | configuration | rounds (failed) | TPS median | TPS min..max | spread % | p95 median ms | "
        "stall (p1 / median QPS) | checkpoint age peak / redo |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for workload, entry in report["compare"].items():
        for name, row in entry["configurations"].items():
            lines.append(
                f"| {workload} | {name} | {row['rounds']} ({len(row['failed'])}) | {shown(row['tps_median'])} | "
                f"{shown(row['tps_min'])}..{shown(row['tps_max'])} | {shown(row['tps_spread_pct'])} | "
                f"{shown(row['p95_median_ms'], 2)} | {shown(row['stall_median'], 2)} | "
                f"{shown(row['checkpoint_peak_share'], 2)} |"
            )
        ratios = ", ".join(f"{key} = {value:.2f}" for key, value in entry["ratios"].items())
        if ratios:
            lines.append(f"| {workload} | ratios | | {ratios} | | | | | |")
    failures = [
        f"- {workload} {name} {failure}"
        for workload, entry in report["compare"].items()
        for name, row in entry["configurations"].items()
        for failure in row["failed"]
    ]
    if failures:
        lines += ["", "Failed runs (shown, not in the medians):", "", *failures]
    return lines


def search_markdown(report: dict) -> list[str]:
    """Each candidate's change, its median against tuned's, and the best found."""
    found = report.get("best_found")
    if found is None:
        return []
    changes = report["settings"].get("candidates") or {}
    lines = [
        "## Best found",
        "",
        "| workload | configuration | what moved | median TPS | spread | tuned / this | "
        "every round above tuned's best |",
        "|---|---|---|---|---|---|---|",
    ]
    for workload, entry in report["compare"].items():
        rows = entry["configurations"]
        tuned = (rows.get("tuned") or {}).get("tps_median")
        picked = (found.get(workload) or {}).get("search_best")
        beats = (found.get(workload) or {}).get("beat_tuned_every_round") or []
        for name, row in sorted(rows.items(), key=lambda item: -(item[1]["tps_median"] or 0)):
            moved = ", ".join(f"{key} = {value}" for key, value in changes.get(name, {}).items()) or "-"
            ratio = shown(tuned / row["tps_median"], 2) if tuned and row["tps_median"] else "-"
            mark = " (picked)" if name == picked and name != "tuned" else ""
            lines.append(
                f"| {workload} | {name}{mark} | {moved} | {shown(row['tps_median'])} | "
                f"{shown(row['tps_spread_pct'])} % | {ratio} | {'yes' if name in beats else ''} |"
            )
    return [*lines, "", *confirmation_markdown(report)]


def confirmation_markdown(report: dict) -> list[str]:
    """The search's best against tuned in the fresh rounds measured after the pick."""
    confirmed = report.get("confirmation")
    if not confirmed:
        return []
    lines = [
        "### Confirmation: the search's best against tuned in fresh rounds",
        "",
        "| workload | configuration | TPS by round | median TPS | spread | tuned / this | failed |",
        "|---|---|---|---|---|---|---|",
    ]
    for workload, entry in confirmed.items():
        rows = entry["configurations"]
        tuned = (rows.get("tuned") or {}).get("tps_median")
        for name, row in rows.items():
            ratio = shown(tuned / row["tps_median"], 3) if tuned and row["tps_median"] else "-"
            lines.append(
                f"| {workload} | {name} | {', '.join(shown(tps) for tps in row['tps'])} | {shown(row['tps_median'])} | "
                f"{shown(row['tps_spread_pct'])} % | {ratio} | {'; '.join(row['failed'])} |"
            )
    return [*lines, ""]


def capacity_markdown(report: dict) -> list[str]:
    found = report.get("capacity_result")
    if not found:
        return []
    lines = [
        "## Capacity",
        "",
        "| configuration | workload | capacity QPS | TPS | threads | p95 ms | knee (threads) | "
        "saturated first | stopped |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for entry in found.values():
        judged = entry["verdict"]
        lines.append(
            f"| {entry['configuration']} | {entry['workload']} | {shown(judged['capacity_qps'], 0)} | "
            f"{shown(judged['capacity_tps'], 0)} | {shown(judged['threads'])} | {shown(judged['p95_ms'], 2)} | "
            f"{shown(judged['knee_threads'])} | {judged['saturated']} (at {judged['saturated_at_threads']} threads) | "
            f"{entry['stopped']} |"
        )
    for workload, ratios in (report.get("capacity_ratios") or {}).items():
        if ratios:
            lines.append(
                f"| ratios | {workload} | "
                + ", ".join(capacity.ratio_text(k, v) for k, v in ratios.items())
                + " | | | | | | |"
            )
    return [*lines, "", "![QPS and p95 against client threads](report.png)", ""]


def dedicated_lines(report: dict) -> list[str]:
    """What innodb_dedicated_server chose and the memory that choice means, against the budget."""
    lines = []
    budget = report["host_facts"].get("memory")
    for run in report["runs"]:
        if run["configuration"] != "dedicated" or not run["variables"].get("innodb_buffer_pool_size"):
            continue
        pool = int(run["variables"]["innodb_buffer_pool_size"])
        believed = rivals.believed_memory(pool)
        lines = [
            "",
            f"`dedicated` chose a {human(pool)} buffer pool and {human(run['redo_capacity'])} of redo: its formula "
            f"gives that pool for about {human(believed)} of memory, against a budget of {human(budget)}"
            + (
                " (more than the host has for it: see dedicated-budget)"
                if believed and budget and believed > budget
                else ""
            ),
        ]
        break
    added = report["settings"].get("added_configurations") or []
    return lines + [f"- {note}" for note in added]


def markdown(report: dict) -> str:
    """The report a person reads: what ran on what, each run's figures, the comparison, the verdict."""
    title = (
        "Best found"
        if report.get("mode") == "search"
        else "Capacity"
        if report.get("mode") == "capacity"
        else "Memory under the storm"
        if report.get("storm")
        else "Latency targets"
    )
    lines = [
        f"# Load test of {report['host']}",
        "",
        f"- server: {report['server']['flavor']} {report['server']['version']}; host: "
        f"{human(report['host_facts'].get('memory'))} memory budget, {report['host_facts'].get('cpus')} CPUs, "
        f"{disk_line(report['host_facts'])}",
        f"- dataset: {report['dataset']['tables']} tables x {report['dataset']['table_size']} rows "
        f"(about {human(report['dataset']['estimated_bytes'])}; {report['dataset']['formula']})",
        scenario_line(report),
        runs_line(report),
        cpus_line(report),
        *access_line(report),
        f"- started {report['started']}, finished {report['finished']}",
        f"- reproduce: `{report['command']}`",
        "",
        f"**{title}:** {report['verdict_line']}",
        "",
        *checks_markdown("Storm checks", report.get("storm")),
        *checks_markdown("Connections burst", report.get("connections")),
        *capacity_markdown(report),
        *search_markdown(report),
        "## Runs",
        "",
        "| round | configuration | workload | threads | TPS | QPS r/w/o | latency avg / p95 / p99 / max ms | errors | "
        "CPU busy % host / server / client (median) | disk IOPS r / w (median) | server RSS (max) | "
        "Threads_running (median) | checkpoint age (max) | stall |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *[run_row(run) for run in report["runs"]],
    ]
    configurations = sorted({run["configuration"] for run in report["runs"]})
    if len(configurations) > 1 and report["compare"]:
        lines += compare_markdown(report)
    if len(configurations) > 1:
        lines += ["", "## What differs between the configurations", ""]
        names = sorted({key for run in report["runs"] for key in run["variables"]})
        by_configuration = {run["configuration"]: run["variables"] for run in report["runs"]}
        differing = [name for name in names if len({str(v.get(name)) for v in by_configuration.values()}) > 1]
        lines.append("| variable | " + " | ".join(by_configuration) + " |")
        lines.append("|---|" + "---|" * len(by_configuration))
        for name in differing:
            lines.append(f"| {name} | " + " | ".join(str(v.get(name, "-")) for v in by_configuration.values()) + " |")
    lines += dedicated_lines(report)
    skipped = report["settings"].get("skipped_configurations") or []
    if skipped:
        lines += ["", "Left out on this host: " + "; ".join(skipped)]
    if report.get("mode") != "capacity":
        lines += ["", "![TPS, latency and the host over time](report.png)", ""]
    return "\n".join(lines)
