"""Post-deploy load test: what to run, how to read sysbench and the host, how to report it.

Pure functions: the ``mysql_bench`` role's modules do the I/O (sysbench, /proc, the server)
and hand the text here. Sizes are bytes, times seconds, latencies milliseconds.
"""

from __future__ import annotations

import json
import math
import re

from ansible_collections.local.mysql.plugins.module_utils import capacity, inputs, rivals, scenarios, search
from ansible_collections.local.mysql.plugins.module_utils.bench_readings import (
    BenchError,
    parse_intervals,
    parse_sysbench,
    redo_capacity,
    spread,
    summarize_samples,
)
from ansible_collections.local.mysql.plugins.module_utils.databases import SYSTEM_SCHEMAS
from ansible_collections.local.mysql.plugins.module_utils.inputs import MIN_BENCH_TABLE_SIZE as MIN_TABLE_SIZE
from ansible_collections.local.mysql.plugins.module_utils.sizing import GIB
from ansible_collections.local.mysql.plugins.module_utils.sizing import human as size_text

OWN_WORKLOADS = ("oltp_join", "storm")
CONFIGURATIONS = ("stock", "tuned", "dedicated", "dedicated-budget")
SYSTEM_USERS = ("system user", "event_scheduler")
MARKER_TABLE = "toolkit_bench_marker"
MARKER_TEXT = "made by the mysql_bench role of the MySQL tuning toolkit; dropped after each run"
# Bytes a sysbench row takes on disk with its secondary index (InnoDB, 16 KiB pages):
# 8 tables x 1 000 000 rows took 1.9 GiB in the lab.
ROW_BYTES = 256
# Space kept free on the datadir's filesystem beside the dataset: redo, binary logs, temp files.
FREE_SPACE_MARGIN_SHARE = 0.10
FREE_SPACE_MARGIN_MIN = 1 * GIB
# Latency targets for an application's queries: primary-key lookups under 10 ms, JOINs under 50 ms (p95).
TARGETS = {"oltp_point_select": 10.0, "oltp_join": 50.0}
# Variables recorded with every run: what a reader needs to know which server was measured.
REPORTED_VARIABLES = (
    "version",
    "innodb_buffer_pool_size",
    "innodb_buffer_pool_instances",
    "innodb_dedicated_server",
    "innodb_redo_log_capacity",
    "innodb_log_file_size",
    "innodb_log_buffer_size",
    "innodb_io_capacity",
    "innodb_io_capacity_max",
    "innodb_flush_neighbors",
    "innodb_read_ahead_threshold",
    "innodb_lru_scan_depth",
    "innodb_page_cleaners",
    "innodb_purge_threads",
    "innodb_read_io_threads",
    "innodb_write_io_threads",
    "innodb_log_writer_threads",
    "innodb_adaptive_hash_index",
    "innodb_flush_method",
    "innodb_flush_log_at_trx_commit",
    "innodb_doublewrite",
    "sync_binlog",
    "log_bin",
    "max_connections",
    "table_open_cache",
    "tmp_table_size",
    "temptable_max_ram",
    "performance_schema",
    "thread_cache_size",
    "table_definition_cache",
    "slow_query_log",
    # stock and the rivals keep the host's access settings (rivals.access_settings)
    "bind_address",
    "require_secure_transport",
)


# ---------------------------------------------------------------------------------------------
# Inputs and decisions


def input_errors(params: dict) -> list[str]:
    """The role's input problems (``params`` are its inputs without their prefix), each naming its variable."""
    return inputs.errors({f"mysql_bench_{name}": value for name, value in params.items()})


def configurations_for(requested: list[str], flavor: str) -> tuple[list[str], list[str]]:
    """(configurations to compare on this host, the ones left out with why).

    ``innodb_dedicated_server`` is MySQL's own auto-sizing; MariaDB has no such switch.
    """
    kept, skipped = [], []
    for name in requested:
        if name.startswith("dedicated") and flavor != "mysql":
            skipped.append(f"{name} (innodb_dedicated_server exists on MySQL only)")
        else:
            kept.append(name)
    return kept, skipped


def free_space_margin(filesystem_size: int) -> int:
    return max(FREE_SPACE_MARGIN_MIN, int(FREE_SPACE_MARGIN_SHARE * filesystem_size))


def dataset(
    tables: int, table_size: int, buffer_pool: int, free_bytes: int, filesystem_size: int, share: float = 0.5
) -> dict:
    """Rows per table and the dataset's expected size; BenchError when it would not fit.

    With ``table_size`` 0 the dataset is ``share`` of the buffer pool: the scenario's (about half
    in memory, 2.5 x when the load must reach the disk), or the storm's, larger than the pool so
    that reading it through fills the pool.
    """
    if table_size:
        rows, formula = table_size, "requested (mysql_bench_table_size)"
    else:
        rows = max(MIN_TABLE_SIZE, math.ceil(buffer_pool * share / (tables * ROW_BYTES)))
        formula = f"buffer pool x {share:g} / ({tables} tables x {ROW_BYTES} B a row)"
    size = tables * rows * ROW_BYTES
    margin = free_space_margin(filesystem_size)
    room = free_bytes - margin
    if size > room:
        largest = max(0, room // (tables * ROW_BYTES))
        raise BenchError(
            f"mysql_bench_table_size={table_size}: {tables} tables x {rows} rows need about {human(size)} but the "
            f"datadir's filesystem has {human(free_bytes)} free and keeps {human(margin)} in reserve; "
            f"use at most {largest} rows per table (or fewer mysql_bench_tables)"
        )
    return {"tables": tables, "table_size": rows, "estimated_bytes": size, "formula": formula, "free_bytes": free_bytes}


def other_connections(processlist: list[dict], bench_user: str) -> list[dict]:
    """Connections that are neither the server's own threads nor the benchmark's."""
    return [
        row
        for row in processlist
        if row.get("user") not in SYSTEM_USERS and row.get("command") != "Daemon" and row.get("user") != bench_user
    ]


def busy_reasons(
    processlist: list[dict], schemas: list[str], bench_schema: str, marker_present: bool, bench_user: str
) -> list[str]:
    """Why the server looks in use: connections that are not the server's own or the benchmark's,
    and schemas besides the system ones and the benchmark's marked schema."""
    reasons = []
    others = other_connections(processlist, bench_user)
    if others:
        who = ", ".join(sorted({f"{row.get('user')}@{row.get('host')}" for row in others}))
        reasons.append(f"{len(others)} other connection(s): {who}")
    user_schemas = [name for name in schemas if name not in SYSTEM_SCHEMAS]
    foreign = [name for name in user_schemas if not (name == bench_schema and marker_present)]
    if foreign:
        reasons.append(f"schemas in use: {', '.join(sorted(foreign))}")
    return reasons


def refusals(probe: dict, params: dict) -> list[str]:
    """What stops the benchmark on this host before anything is created, each naming its variable."""
    problems = []
    if probe["schema_exists"] and not probe["marker_present"]:
        problems.append(
            f"mysql_bench_schema={params['schema']!r}: a schema of that name exists and was not made by this "
            f"toolkit (no {MARKER_TABLE} table); choose another mysql_bench_schema"
        )
    if probe["user_exists"] and not probe["marker_present"]:
        problems.append(
            f"mysql_bench_user={params['user']!r}: an account of that name exists and was not made by this "
            f"toolkit (its schema has no {MARKER_TABLE} table); choose another mysql_bench_user"
        )
    if not params.get("allow_busy_host"):
        reasons = busy_reasons(
            probe["processlist"], probe["schemas"], params["schema"], probe["marker_present"], params["user"]
        )
        if reasons:
            problems.append(
                "the server looks in use (" + "; ".join(reasons) + "): the load test belongs right after "
                "deployment. Set mysql_bench_allow_busy_host=true to run it anyway"
            )
    return problems


def schedule(
    configurations: list[str], rounds: int, workloads: list[str], threads: int = 10, burst: int = 0
) -> list[dict]:
    """Every measured run in order: configurations alternate within each round, the order rotated
    by one each round (A B C, B C A, C A B) so that no configuration always runs first after the
    data load or last in a round: a drift over the runs (a table growing under inserts) falls on
    each configuration alike.

    ``switch`` marks the first run on a configuration in a round: the server restarts there.
    Without configurations the server is measured as it is, with no restart. ``burst``: the
    sessions of a last run on each configuration in each round (the connections scenario).
    """
    runs = [(workload, threads, "load") for workload in workloads]
    if burst:
        runs.append((scenarios.BURST_WORKLOAD, burst, "burst"))
    steps = []
    for round_number in range(1, rounds + 1):
        shift = (round_number - 1) % max(len(configurations), 1)
        for configuration in (configurations[shift:] + configurations[:shift]) or [None]:
            for index, (workload, count, phase) in enumerate(runs):
                steps.append(
                    {
                        "round": round_number,
                        "configuration": configuration or "as-is",
                        "workload": workload,
                        "threads": count,
                        "phase": phase,
                        "ladder": None,
                        "switch": configuration is not None and index == 0,
                    }
                )
    return steps


def capacity_schedule(configurations: list[str], workloads: list[str], cap: int) -> list[dict]:
    """The capacity search's runs: per configuration (one restart) and workload, the thread ladder.

    The ladder's later steps are skipped once it stops (``capacity.stops``)."""
    steps = []
    for configuration in configurations or [None]:
        name = configuration or "as-is"
        for workload_index, workload in enumerate(workloads):
            for index, threads in enumerate(capacity.ladder(cap)):
                steps.append(
                    {
                        "round": 1,
                        "configuration": name,
                        "workload": workload,
                        "threads": threads,
                        "phase": "capacity",
                        "ladder": capacity.ladder_name(name, workload),
                        "switch": configuration is not None and workload_index == 0 and index == 0,
                    }
                )
    return steps


def confirmation_steps(plan: dict, names: list[str], rounds: int) -> list[dict]:
    """The search's confirmation: tuned against the candidates it found best, in ``rounds`` fresh
    alternating rounds after its own, every run made as the search made it.

    The search picks among many configurations by the medians of a few rounds each, so the
    winner's median is likely one drawn from the top of the noise: only rounds measured after
    the pick say how far ahead of tuned it is."""
    if not names:
        return []
    made = {(step["configuration"], step["workload"]): step for step in plan["steps"] if step["phase"] == "load"}
    workloads = list(dict.fromkeys(workload for _, workload in made))
    last = max(step["round"] for step in plan["steps"])
    return [
        {
            **made[(step["configuration"], step["workload"])],
            "round": last + step["round"],
            "phase": search.CONFIRM,
            "switch": step["switch"],
        }
        for step in schedule(["tuned", *names], rounds, workloads)
    ]


def file_actions(
    configuration: str, dropin_exists: bool, aside_exists: bool, rival_now: str | None, rival: str
) -> list[str]:
    """What puts the server's configuration directory in the state of a configuration.

    stock: the toolkit's drop-in moved aside; tuned: the drop-in in place; a rival (dedicated,
    dedicated-budget): stock plus the rival's drop-in (``rival``, '' for none; ``rival_now`` is
    what the file holds, None when there is none). A drop-in in place is the newest (a provision
    run may have written it after a benchmark stopped midway): an aside copy beside it is stale.
    """
    wants_dropin = configuration == "tuned"
    actions = []
    if dropin_exists and aside_exists:
        actions.append("remove stale aside copy")
        aside_exists = False
    if wants_dropin and not dropin_exists and aside_exists:
        actions.append("move drop-in back")
    if not wants_dropin and dropin_exists:
        actions.append("move drop-in aside")
    if rival and rival_now != rival:
        actions.append("write rival drop-in")
    if not rival and rival_now is not None:
        actions.append("remove rival drop-in")
    return actions


# What each mode's command line carries: the storm decides its sessions, warm-up, round and
# configuration itself; the capacity search its threads and rounds.
# What a run in rounds is made of, in the load test and the search alike.
ROUNDS_OF_RUNS = ("mode", "scenario", "workloads", "tables", "table_size", "threads", "time", "warmup", "rounds")
REPRODUCED = {
    "storm": ("mode", "tables", "table_size", "time"),
    "capacity": (
        "mode",
        "scenario",
        "workloads",
        "tables",
        "table_size",
        "time",
        "warmup",
        "compare",
        "p95_bound_ms",
        "max_threads",
        "pin_cpus",
    ),
    "load": (*ROUNDS_OF_RUNS, "compare", "pin_cpus"),
    "search": (*ROUNDS_OF_RUNS, "candidates", "pin_cpus"),
}


def reproduce_command(params: dict, inventories: list[str], host: str) -> str:
    """The command line that runs the same benchmark on the same host again."""
    names = REPRODUCED.get(params.get("mode"), REPRODUCED["load"])
    extra = json.dumps({f"mysql_bench_{name}": params[name] for name in names if name in params}, sort_keys=True)
    sources = " ".join(f"-i {source}" for source in inventories)
    return f"ansible-playbook {sources} playbooks/bench.yml -l {host} -e '{extra}'"


def cpu_split(cpus: list[int] | None, pin: bool) -> dict | None:
    """Disjoint CPU sets, so that a configuration is not judged by the CPU it leaves the client:
    the client the last quarter of the host's CPUs (at least one), the server the rest."""
    if not pin or not cpus or len(cpus) < 2:
        return None
    client = max(1, len(cpus) // 4)
    return {"server": list(cpus[:-client]), "client": list(cpus[-client:])}


# Bounds that stop a stuck sysbench: loading at 5 000 rows a second is far below what a lab
# container does (160 000), and a run gets two minutes beyond its time to connect and report.
PREPARE_ROWS_PER_SECOND = 5000
RUN_GRACE = 120
# The storm: a dataset larger than the pool, read through before it starts; each event sorts
# STORM_RANGE rows on a column without an index, groups them on it (a temporary table), and
# joins a tenth of them to another table on it (no index: the join buffer).
STORM_DATA_SHARE = 1.25
STORM_RANGE = 20000


def sysbench_phases(params: dict, data: dict, storm_sessions: int = 0) -> dict:
    """Options and time bound of each sysbench command: prepare, warm-up, measured run.

    The storm's warm-up reads every table through (files/storm.lua's prewarm) and its run opens
    ``storm_sessions`` sessions at once."""
    common = {"tables": data["tables"], "table-size": data["table_size"], "threads": int(params["threads"])}
    warmup, measured = int(params["warmup"]), int(params["time"])
    prepare_timeout = max(600, data["tables"] * data["table_size"] // PREPARE_ROWS_PER_SECOND)
    # sysbench loads and reads through one table per thread at most
    loaders = {**common, "threads": min(int(params["threads"]), data["tables"])}
    if params.get("mode") == "storm":
        return {
            "prepare": {"options": loaders, "timeout": prepare_timeout},
            "warmup": {"command": "prewarm", "options": loaders, "timeout": prepare_timeout},
            "measure": {
                "options": {
                    **common,
                    "threads": storm_sessions,
                    "time": measured,
                    "range-size": STORM_RANGE,
                    "report-interval": int(params["report_interval"]),
                },
                "timeout": measured + RUN_GRACE,
                # every one of max_connections is the storm's: the sampler takes the admin's extra one
                "sample_account": "root",
            },
        }
    return {
        "prepare": {"options": loaders, "timeout": prepare_timeout},
        "warmup": {"command": "run", "options": {**common, "time": warmup}, "timeout": warmup + RUN_GRACE}
        if warmup
        else None,
        "measure": {
            "options": {
                **common,
                "time": measured,
                "report-interval": int(params["report_interval"]),
                "histogram": "on",
            },
            "timeout": measured + RUN_GRACE,
            "sample_account": "benchmark",
        },
    }


def step_phases(phases: dict, step: dict, rand_type: str | None) -> dict:
    """One step's warm-up and measured run: the phases with the step's threads and the scenario's
    row picking. A burst opens its sessions at once, with no warm-up, and, as the storm, leaves
    every one of them to the load (the sampler takes the administrator's extra connection)."""
    picking = {"rand-type": rand_type} if rand_type else {}
    measure = {**phases["measure"], "options": {**phases["measure"]["options"], "threads": step["threads"], **picking}}
    warmup = phases["warmup"]
    if step["phase"] == "burst":
        return {"warmup": None, "measure": {**measure, "sample_account": "root"}}
    if warmup and warmup["command"] == "run":
        warmup = {**warmup, "options": {**warmup["options"], "threads": step["threads"], **picking}}
    return {"warmup": warmup, "measure": measure}


def plan(params: dict, probe: dict, flavor: str, sizing: dict, workdir: str, reproduce: str = "") -> dict:
    """Everything the role does on a host, decided before anything is created.

    ``params`` are the role's inputs without their prefix, ``probe`` what bench_probe read,
    ``sizing`` what the toolkit sized (its variables and budget; the dataset follows the buffer
    pool, whichever configuration is live when the benchmark starts; the storm and a burst open
    max_connections sessions). ``refusals`` non-empty means: change nothing.
    ``reproduce`` is the command line that runs the same benchmark again.
    """
    bad_inputs = input_errors(params)
    problems = bad_inputs + refusals(probe, params)
    mode = params.get("mode", "load")
    storm = mode == "storm"
    resolved = scenarios.resolve(params) if not bad_inputs else scenarios.resolve({})
    effective = {**params, "workloads": resolved["workloads"], "threads": resolved["threads"]}
    cpus = len(probe.get("cpus") or []) or 1
    budget = int(sizing.get("memory_budget") or 0)
    if mode == "search":
        # tuned against one-knob moves of it; the comparison's rivals have their own mode
        found, skipped = search.candidates(sizing, cpus, int(params.get("candidates") or search.MAX_CANDIDATES))
        candidates = {candidate["name"]: candidate for candidate in found}
        configurations, added = ["tuned", *candidates], []
    else:
        # the storm restarts the tuned server, so that its high-water mark is this storm's
        requested = ["tuned"] if storm else list(params.get("compare") or [])
        configurations, skipped = configurations_for(requested, flavor)
        configurations, added = rivals.with_budget_rival(configurations, flavor, probe.get("mem_total"), budget)
        candidates = {}
    if configurations and not (probe["files"].get("dropin") or probe["files"].get("aside")):
        what = (
            f"mysql_bench_mode={mode}"
            if mode in ("storm", "search")
            else f"mysql_bench_compare={params.get('compare')!r}"
        )
        problems.append(f"{what} needs the toolkit's drop-in on the host: run provision.yml first")
    data = None
    if not bad_inputs:
        try:
            data = dataset(
                int(params["tables"]),
                int(params["table_size"]),
                int(sizing["variables"]["innodb_buffer_pool_size"]),
                probe["free_bytes"],
                probe["filesystem_bytes"],
                STORM_DATA_SHARE if storm else resolved["data_share"],
            )
        except BenchError as error:
            problems.append(str(error))
    max_connections = int(sizing["variables"]["max_connections"])
    cap = capacity.thread_cap(int(params.get("max_threads") or 1), max_connections)
    steps = []
    if not problems:
        if storm:
            steps = schedule(configurations, 1, ["storm"], max_connections)
        elif mode == "capacity":
            steps = capacity_schedule(configurations, resolved["workloads"], cap)
        else:
            burst = max_connections if resolved["burst"] else 0
            steps = schedule(configurations, int(params["rounds"]), resolved["workloads"], resolved["threads"], burst)
    phases = sysbench_phases(effective, data, max_connections) if data else {}
    access = rivals.access_settings(sizing)
    for step in steps:
        name = step["workload"]
        step["script"] = f"{workdir}/{name}.lua" if name in OWN_WORKLOADS else name
        step.update(step_phases(phases, step, None if storm else resolved["rand_type"]))
        candidate = candidates.get(step["configuration"])
        # how bench_config arranges the files: a candidate is written whole, beside the tuned drop-in set aside
        step["files"] = "candidate" if candidate else step["configuration"]
        step["rival_dropin"] = (
            search.dropin(candidate, sizing)
            if candidate
            else rivals.dropin(step["configuration"], budget, cpus, access)
        )
        # the memory cgroup's peak and OOM kills are read around the runs that open every session
        step["memory_watch"] = storm or step["phase"] == "burst"
    return {
        "refusals": problems,
        "dataset": data,
        "scenario": resolved,
        "configurations": configurations,
        "skipped_configurations": skipped,
        "added_configurations": added,
        "kept_access": access if any(step["files"] in rivals.KEEPING_ACCESS for step in steps) else {},
        "candidates": {name: candidate["changes"] for name, candidate in candidates.items()},
        "steps": steps,
        "sysbench": phases,
        "cpus": cpu_split(probe.get("cpus"), bool(params.get("pin_cpus", True))),
        "capacity": {"cap": cap, "p95_bound_ms": float(params.get("p95_bound_ms") or 50)}
        if mode == "capacity"
        else None,
        "marker": {"table": MARKER_TABLE, "text": MARKER_TEXT},
        "command": reproduce,
    }


# ---------------------------------------------------------------------------------------------
# The sysbench client, unpacked into a private directory from the distribution's packages


def parse_depends(field: str) -> list[list[str]]:
    """A Debian Depends field as groups of alternative package names (versions and arch dropped)."""
    groups = []
    for group in field.split(","):
        names = []
        for alternative in group.split("|"):
            name = re.sub(r"\(.*?\)|\[.*?\]|<.*?>", "", alternative).strip().split(":", 1)[0]
            if name:
                names.append(name)
        if names:
            groups.append(names)
    return groups


def unmet(groups: list[list[str]], satisfied) -> list[list[str]]:
    """The groups of which no alternative is installed on the host or already fetched."""
    return [group for group in groups if not any(satisfied(name) for name in group)]


def library_dirs(files: list[str]) -> list[str]:
    """Directories holding shared libraries among the unpacked files, in a stable order."""
    dirs = {path.rsplit("/", 1)[0] for path in files if re.search(r"\.so(\.\d+)*$", path) and "/plugin/" not in path}
    return sorted(dirs)


def ldd_missing(text: str) -> list[str]:
    """Libraries ldd could not find."""
    return [line.split("=>")[0].strip() for line in text.splitlines() if "not found" in line]


# ---------------------------------------------------------------------------------------------
# Reports


REFUSED = re.compile(r"Too many connections|error 1040|ER_CON_COUNT_ERROR")


def failed_figures(output: str, failure: str) -> dict:
    """A run that did not finish: no figures, the reason, the connections refused on the way."""
    return {
        "failed": True,
        "failure": failure,
        "sysbench_version": None,
        "transactions": None,
        "tps": None,
        "qps": {"total": None, "read": None, "write": None, "other": None},
        "queries": {},
        "threads": None,
        "errors": None,
        "reconnects": None,
        "total_time": None,
        "events": None,
        "latency_ms": {"min": None, "avg": None, "max": None, "p95": None, "p99": None},
        "latency_sysbench_percentile": None,
        "intervals": parse_intervals(output),
        "refused_connections": sum(1 for line in output.splitlines() if REFUSED.search(line)),
    }


def run_record(
    step: dict, output: str, samples: list[dict], variables: dict, offset: float, failure: str | None = None
) -> dict:
    """One measured run as the report keeps it; a run that failed (sysbench's error, a server
    killed or restarted under it) is kept as failed with why, never dropped."""
    if not failure:
        try:
            figures = {"failed": False, "failure": None, **parse_sysbench(output), "refused_connections": 0}
        except BenchError as error:
            failure = str(error)
    if failure:
        figures = failed_figures(output, failure)
    figures["threads"] = figures["threads"] or step.get("threads")
    intervals = figures.pop("intervals")
    return {
        "configuration": step["configuration"],
        "round": step["round"],
        "workload": step["workload"],
        "phase": step.get("phase", "load"),
        "ladder": step.get("ladder"),
        "offset": offset,
        **figures,
        "intervals": intervals,
        "stall": scenarios.stall(intervals),
        "samples": samples,
        "sample_summary": summarize_samples(samples),
        "variables": {name: variables[name] for name in REPORTED_VARIABLES if name in variables},
        "redo_capacity": redo_capacity(variables),
    }


def run_label(run: dict) -> str:
    """The row a run belongs to: its workload, or the burst of sessions."""
    return f"burst ({run['workload']})" if run.get("phase") == "burst" else run["workload"]


def checkpoint_share(run: dict) -> float | None:
    """The checkpoint age's peak over the redo capacity (1.0: the redo was full, writes stalled)."""
    peak = run["sample_summary"]["checkpoint_age"]["max"]
    return round(peak / run["redo_capacity"], 3) if peak is not None and run.get("redo_capacity") else None


def compare(runs: list[dict]) -> dict:
    """Per workload and configuration: TPS of every round, median, min, max and spread, p95 median,
    the write stall and the redo's fill; and the ratios of the tuned configuration's median TPS to
    the others'. A failed run is counted as failed: it has no TPS to take a median of."""
    table: dict = {}
    for run in runs:
        entry = table.setdefault(run_label(run), {}).setdefault(
            run["configuration"], {"tps": [], "p95": [], "failed": [], "stall": [], "redo": [], "refused": 0}
        )
        entry["refused"] += run.get("refused_connections") or 0
        if run.get("failed"):
            entry["failed"].append(f"round {run['round']}: {run['failure']}")
            continue
        entry["tps"].append(run["tps"])
        entry["p95"].append(run["latency_ms"]["p95"])
        entry["stall"].append(run.get("stall"))
        entry["redo"].append(checkpoint_share(run))
    result = {}
    for workload, configurations in table.items():
        rows = {}
        for name, entry in configurations.items():
            tps = spread(entry["tps"])
            rows[name] = {
                "rounds": len(entry["tps"]) + len(entry["failed"]),
                "failed": entry["failed"],
                "tps": entry["tps"],
                "tps_median": tps["median"],
                "tps_min": tps["min"],
                "tps_max": tps["max"],
                "tps_spread_pct": (
                    round(100 * (tps["max"] - tps["min"]) / tps["median"], 1) if tps["median"] else None
                ),
                "p95_ms": entry["p95"],
                "p95_median_ms": spread(entry["p95"])["median"],
                "stall_median": spread(entry["stall"])["median"],
                "checkpoint_peak_share": spread(entry["redo"])["max"],
                "refused_connections": entry["refused"],
            }
        ratios = {}
        tuned = rows.get("tuned", {}).get("tps_median")
        for other in ("stock", "dedicated", "dedicated-budget"):
            base = rows.get(other, {}).get("tps_median")
            if tuned and base:
                ratios[f"tuned/{other}"] = round(tuned / base, 3)
        result[workload] = {"configurations": rows, "ratios": ratios}
    return result


def verdict(runs: list[dict]) -> dict:
    """The latency targets, judged on the median p95 of the runs of that workload."""
    judged = {}
    for workload, target in TARGETS.items():
        judged_runs = [
            run
            for run in runs
            if run["workload"] == workload and run["configuration"] in ("as-is", "tuned") and run["phase"] == "load"
        ]
        median = spread([run["latency_ms"]["p95"] for run in judged_runs])["median"]
        failed = sum(1 for run in judged_runs if run.get("failed"))
        judged[workload] = {
            "target_p95_ms": target,
            "p95_ms": median,
            "failed_runs": failed,
            "pass": False if failed else None if median is None else median < target,
        }
    return judged


def summary_lines(report: dict, where: str) -> list[str]:
    """What the play prints: where the report is, each comparison with its ratios, the verdict."""
    lines = [f"report: {where}/report.md (report.json, report.png)"]
    for workload, entry in report["compare"].items():
        for name, row in entry["configurations"].items():
            lines.append(
                f"{workload} {name}: median {shown(row['tps_median'])} TPS over {row['rounds']} round(s), "
                f"{shown(row['tps_min'])}..{shown(row['tps_max'])}, p95 {shown(row['p95_median_ms'], 2)} ms"
            )
        if entry["ratios"]:
            lines.append(f"{workload}: " + ", ".join(f"{key} = {value:.2f}" for key, value in entry["ratios"].items()))
    lines.append(report["verdict_line"])
    return lines


def verdict_line(judged: dict) -> str:
    parts = []
    for workload, entry in judged.items():
        if entry.get("failed_runs"):
            parts.append(f"{workload} p95 < {entry['target_p95_ms']:g} ms: FAIL ({entry['failed_runs']} run(s) failed)")
        elif entry["p95_ms"] is None:
            parts.append(f"{workload} p95 < {entry['target_p95_ms']:g} ms: not run")
        else:
            word = "PASS" if entry["pass"] else "FAIL"
            parts.append(f"{workload} p95 {entry['p95_ms']:g} ms < {entry['target_p95_ms']:g} ms: {word}")
    return "; ".join(parts)


def storm_verdict(run: dict, sizing: dict) -> dict:
    """Is the memory model right? Half the predicted peak <= the measured peak <= the predicted
    peak <= 90 % of the budget, nothing killed, every session served.

    ``sizing``: the fact file's peak_memory, memory_budget and max_connections. ``run`` holds the
    server's main process before and after the storm (``server_pid``) and the memory cgroup's
    peak and OOM kills where they can be read (``cgroup``, else None); the kernel counts kills
    since the container started, so those already counted before the storm (``cgroup_before``)
    are not the storm's.
    """
    predicted, budget = int(sizing["peak_memory"]), int(sizing["memory_budget"])
    cgroup = run.get("cgroup")
    summary = run["sample_summary"]
    measured = summary["server_hwm"]["max"] or summary["server_rss"]["max"]
    cgroup_peak = (cgroup or {}).get("peak") or summary["cgroup_memory"]["max"]
    killed = killed_reasons(run)
    sessions = int(sizing["max_connections"])
    checks = {
        f"predicted peak {human(predicted)} <= 90 % of the {human(budget)} budget": predicted <= 0.9 * budget,
        f"measured peak {human(measured)} <= predicted {human(predicted)}": measured is not None
        and measured <= predicted,
        f"measured peak {human(measured)} >= half the predicted {human(predicted // 2)}": measured is not None
        and measured >= predicted / 2,
        "nothing killed" + (f": {'; '.join(killed)}" if killed else ""): not killed,
        f"every one of {sessions} sessions served ({run['threads']} opened, {run['errors']} errors, "
        f"{run['reconnects']} reconnects)": run["threads"] == sessions
        and run["errors"] == 0
        and run["reconnects"] == 0,
    }
    return {
        "predicted_peak": predicted,
        "budget": budget,
        "measured_peak": measured,
        "cgroup_peak": cgroup_peak,
        "cgroup_limit": (cgroup or {}).get("limit"),
        "sessions": sessions,
        "checks": checks,
        "pass": all(checks.values()),
    }


def resources(meta: dict) -> dict:
    """What saturation is judged against: the server's CPUs (its pinned set, else the host's) and
    the IOPS fio measured."""
    cpus = meta.get("cpus")
    return {
        "server_cpus": len(cpus["server"]) if cpus else int(meta["host_facts"].get("cpus") or 1),
        "disk_iops": meta.get("disk_iops"),
    }


def killed_reasons(run: dict) -> list[str]:
    """What killed or replaced the server during a run: its main process changed, OOM kills in its
    cgroup (the kernel counts them since the container started: those before the run are not its)."""
    server, cgroup = run.get("server_pid") or {}, run.get("cgroup")
    killed = []
    if not server.get("before") or server.get("before") != server.get("after"):
        killed.append(f"the server's main process changed ({server.get('before')} -> {server.get('after')})")
    oom_kills = int((cgroup or {}).get("oom_kills") or 0) - int((run.get("cgroup_before") or {}).get("oom_kills") or 0)
    if oom_kills:
        killed.append(f"{oom_kills} process(es) killed by the kernel's OOM killer in the cgroup during the run")
    return killed


def connections_verdict(runs: list[dict]) -> dict | None:
    """The burst: every session below the configuration's max_connections served, nothing killed."""
    bursts = [run for run in runs if run.get("phase") == "burst"]
    if not bursts:
        return None
    checks = {}
    for run in bursts:
        allowed = int(run["variables"].get("max_connections") or 0)
        sessions = run["threads"]
        where = f"{run['configuration']} round {run['round']}"
        below = sessions <= allowed
        refused = run.get("refused_connections") or 0
        served = not run.get("failed") and not refused
        checks[
            f"{where}: {sessions} sessions against max_connections {allowed}: "
            + (f"{refused} refused" if refused else "failed: " + run["failure"] if run.get("failed") else "all served")
        ] = served or not below
        killed = killed_reasons(run)
        checks[f"{where}: nothing killed" + (f" ({'; '.join(killed)})" if killed else "")] = not killed
    return {"checks": checks, "pass": all(checks.values())}


def storm_line(judged: dict) -> str:
    failed = [name for name, ok in judged["checks"].items() if not ok]
    return (
        f"storm: predicted peak {human(judged['predicted_peak'])}, measured {human(judged['measured_peak'])} "
        f"(server high-water mark; cgroup peak {human(judged['cgroup_peak'])}), budget {human(judged['budget'])}: "
        + ("PASS" if judged["pass"] else "FAIL (" + "; ".join(failed) + ")")
    )


def build_report(meta: dict, runs: list[dict]) -> dict:
    if meta.get("mode") == "storm":
        judged = storm_verdict(next(run for run in runs if run["workload"] == "storm"), meta["sizing"])
        return {**meta, "runs": runs, "compare": {}, "storm": judged, "verdict": {}, "verdict_line": storm_line(judged)}
    if meta.get("mode") == "search":
        compared = compare([run for run in runs if run["phase"] != search.CONFIRM])
        confirmed = compare([run for run in runs if run["phase"] == search.CONFIRM])
        found = search.best_found(compared, confirmed)
        return {
            **meta,
            "runs": runs,
            "compare": compared,
            "confirmation": confirmed,
            "best_found": found,
            "verdict": {},
            "verdict_line": search.best_line(found),
        }
    if meta.get("mode") == "capacity":
        settings = meta["capacity"]
        found = capacity.report(runs, float(settings["p95_bound_ms"]), int(settings["cap"]), resources(meta))
        return {
            **meta,
            "runs": runs,
            "compare": {},
            "capacity_result": found,
            "capacity_ratios": capacity.ratios(found),
            "verdict": {},
            "verdict_line": capacity.verdict_line(found),
        }
    judged = verdict(runs)
    connections = connections_verdict(runs)
    line = verdict_line(judged)
    if connections:
        failed = [name for name, ok in connections["checks"].items() if not ok]
        line += "; connections burst: " + ("PASS" if connections["pass"] else "FAIL (" + "; ".join(failed) + ")")
    return {
        **meta,
        "runs": runs,
        "compare": compare(runs),
        "verdict": judged,
        "connections": connections,
        "verdict_line": line,
    }


def human(size: float | None) -> str:
    return "-" if size is None else size_text(int(size))


def shown(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)
