"""The load test's chart: TPS and p95 per second beside the host's CPU, IO and memory.

Runs on the controller only (matplotlib is a controller requirement). Every run is drawn at
its own offset from the start of the benchmark, so all panels share one time axis; in compare
mode a last panel gives each configuration's TPS per round and median.
"""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.bench import GIB
from ansible_collections.local.mysql.plugins.module_utils.capacity import ladders as capacity_ladders
from matplotlib.figure import Figure  # the object API draws to files with no display or pyplot state

COLOURS = {
    "as-is": "tab:blue",
    "tuned": "tab:green",
    "stock": "tab:grey",
    "dedicated": "tab:orange",
    "dedicated-budget": "tab:red",
}


def _series(run: dict, rows: list[dict], key: str, scale: float = 1.0):
    points = [(run["offset"] + row["t"], row[key] / scale) for row in rows if row.get(key) is not None]
    return [x for x, _ in points], [y for _, y in points]


def draw(report: dict, path: str) -> None:
    if report.get("mode") == "capacity":
        draw_capacity(report, path)
        return
    runs = report["runs"]
    configurations = list(dict.fromkeys(run["configuration"] for run in runs))
    compare = len(configurations) > 1
    panels = 6 if compare else 5
    figure = Figure(figsize=(12, 2.6 * panels), layout="constrained")
    axes = figure.subplots(panels, 1)
    tps_axis, latency_axis, cpu_axis, io_axis, memory_axis = axes[:5]
    labelled = set()
    for run in runs:
        colour = COLOURS.get(run["configuration"], "tab:purple")
        label = run["configuration"] if run["configuration"] not in labelled else None
        labelled.add(run["configuration"])
        tps_axis.plot(*_series(run, run["intervals"], "tps"), color=colour, label=label, linewidth=1)
        latency_axis.plot(*_series(run, run["intervals"], "latency_ms"), color=colour, linewidth=1)
        tps_axis.annotate(
            f"{run['workload']} r{run['round']}",
            (run["offset"], 0),
            xycoords=("data", "axes fraction"),
            fontsize=7,
            rotation=90,
            va="bottom",
        )
        samples = run["samples"]
        cpu_axis.plot(*_series(run, samples, "cpu_busy_pct"), color="tab:red", linewidth=1)
        io_axis.plot(*_series(run, samples, "disk_write_iops"), color="tab:blue", linewidth=1)
        io_axis.plot(*_series(run, samples, "disk_read_iops"), color="tab:cyan", linewidth=1)
        memory_axis.plot(*_series(run, samples, "server_rss", GIB), color="tab:purple", linewidth=1)
        memory_axis.plot(*_series(run, samples, "cgroup_memory", GIB), color="tab:brown", linewidth=1)
    tps_axis.set_ylabel("TPS (log scale)")
    tps_axis.set_yscale("log")  # point selects and joins differ by orders of magnitude
    tps_axis.set_title(f"{report['host']}: {report['server']['flavor']} {report['server']['version']}")
    if compare:
        tps_axis.legend(loc="upper right", fontsize=8)
    latency_axis.set_ylabel("p95 latency (ms, log scale)")
    latency_axis.set_yscale("log")
    cpu_axis.set_ylabel("CPU busy %")
    cpu_axis.set_ylim(0, 105)  # a busy host sits on 100: keep that line visible
    io_axis.set_ylabel("disk IOPS")
    io_axis.legend(["write", "read"], loc="upper right", fontsize=8)
    memory_axis.set_ylabel("memory (GiB)")
    memory_axis.set_ylim(bottom=0)  # from zero, so that a flat line does not look like growth
    memory_axis.legend(["server RSS", "cgroup"], loc="upper right", fontsize=8)
    memory_axis.set_xlabel("seconds since the benchmark started")
    for axis in axes[:5]:
        axis.grid(alpha=0.3)
    if compare:
        _draw_compare(axes[5], report["compare"])
    figure.savefig(path, dpi=90)


def _draw_compare(axis, comparison: dict) -> None:
    """TPS of each round as dots, the median as a bar, per workload and configuration."""
    position, ticks, labels = 0, [], []
    for workload, entry in comparison.items():
        for name, row in entry["configurations"].items():
            colour = COLOURS.get(name, "tab:purple")
            if row["tps_median"] is not None:
                axis.bar(position, row["tps_median"], color=colour, alpha=0.5)
            axis.scatter([position] * len(row["tps"]), row["tps"], color=colour, s=12, zorder=3)
            if row["failed"]:  # a failed round has no TPS: marked at the axis, never left out unseen
                axis.scatter([position] * len(row["failed"]), [0] * len(row["failed"]), color="tab:red", marker="x")
            ticks.append(position)
            labels.append(f"{workload}\n{name}")
            position += 1
        position += 1
    axis.set_xticks(ticks)
    axis.set_xticklabels(labels, fontsize=7)
    axis.set_ylabel("TPS (median bar, rounds as dots)")
    axis.grid(alpha=0.3, axis="y")


def draw_capacity(report: dict, path: str) -> None:
    """QPS and p95 against client threads, one line per configuration and workload; failed steps left out."""
    figure = Figure(figsize=(12, 7), layout="constrained")
    qps_axis, latency_axis = figure.subplots(2, 1, sharex=True)
    markers, drawn = {}, False
    for name, steps in capacity_ladders(report["runs"]).items():
        configuration, workload = name.split("/", 1)
        marker = markers.setdefault(workload, "os^vD"[len(markers) % 5])
        done = [step for step in steps if not step.get("failed")]
        drawn = drawn or bool(done)
        threads = [step["threads"] for step in done]
        colour = COLOURS.get(configuration, "tab:purple")
        qps_axis.plot(threads, [step["qps"]["total"] for step in done], color=colour, marker=marker, label=name)
        latency_axis.plot(threads, [step["latency_ms"]["p95"] for step in done], color=colour, marker=marker)
        verdict = report["capacity_result"][name]["verdict"]
        if verdict["threads"]:
            qps_axis.scatter([verdict["threads"]], [verdict["capacity_qps"]], color=colour, s=120, facecolors="none")
    latency_axis.axhline(report["capacity"]["p95_bound_ms"], color="tab:red", linestyle="--", linewidth=1)
    qps_axis.set_title(
        f"{report['host']}: {report['server']['flavor']} {report['server']['version']}, "
        "capacity (circled) per configuration"
    )
    qps_axis.set_ylabel("QPS")
    qps_axis.set_ylim(bottom=0)
    qps_axis.legend(loc="upper left", fontsize=8)
    latency_axis.set_ylabel("p95 latency (ms, log scale; dashed: the bound)")
    if drawn:  # a log scale needs points: with every step failed the chart says so instead
        latency_axis.set_yscale("log")
        latency_axis.set_xscale("log", base=2)
    else:
        qps_axis.text(0.5, 0.5, "every step failed: see report.md", transform=qps_axis.transAxes, ha="center")
    latency_axis.set_xlabel("client threads")
    for axis in (qps_axis, latency_axis):
        axis.grid(alpha=0.3)
    figure.savefig(path, dpi=90)
