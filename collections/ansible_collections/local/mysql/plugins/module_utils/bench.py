"""Post-deploy load test: what to run, how to read sysbench and the host, how to report it.

Pure functions: the ``mysql_bench`` role's modules do the I/O (sysbench, /proc, the server)
and hand the text here. Sizes are bytes, times seconds, latencies milliseconds.
"""

from __future__ import annotations

import json
import math
import re
import statistics

from ansible_collections.local.mysql.plugins.module_utils import inputs
from ansible_collections.local.mysql.plugins.module_utils.inputs import MIN_BENCH_TABLE_SIZE as MIN_TABLE_SIZE
from ansible_collections.local.mysql.plugins.module_utils.inputs import SYSTEM_SCHEMAS
from ansible_collections.local.mysql.plugins.module_utils.sizing import GIB, KIB
from ansible_collections.local.mysql.plugins.module_utils.sizing import human as size_text

OWN_WORKLOADS = ("oltp_join", "storm")
CONFIGURATIONS = ("stock", "tuned", "dedicated")
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
SAMPLE_FIELDS = (
    "server_hwm",
    "load1",
    "cpu_busy_pct",
    "disk_read_iops",
    "disk_write_iops",
    "disk_read_mbps",
    "disk_write_mbps",
    "server_rss",
    "cgroup_memory",
    "threads_running",
    "checkpoint_age",
)
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
)


class BenchError(ValueError):
    """The benchmark cannot run as asked; the message names the variable to change."""


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
        if name == "dedicated" and flavor != "mysql":
            skipped.append("dedicated (innodb_dedicated_server exists on MySQL only)")
        else:
            kept.append(name)
    return kept, skipped


def free_space_margin(filesystem_size: int) -> int:
    return max(FREE_SPACE_MARGIN_MIN, int(FREE_SPACE_MARGIN_SHARE * filesystem_size))


def dataset(
    tables: int, table_size: int, buffer_pool: int, free_bytes: int, filesystem_size: int, mode: str = "load"
) -> dict:
    """Rows per table and the dataset's expected size; BenchError when it would not fit.

    With ``table_size`` 0 the load test's dataset is about half the buffer pool: the reads are
    served from memory once warm, and the writes still reach the disk through checkpoints. The
    storm's is larger than the pool, so that reading it through fills the pool.
    """
    share = STORM_DATA_SHARE if mode == "storm" else 0.5
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


def schedule(configurations: list[str], rounds: int, workloads: list[str]) -> list[dict]:
    """Every measured run in order: configurations alternate within each round (A B C A B C ...).

    ``switch`` marks the first run on a configuration in a round: the server restarts there.
    Without configurations the server is measured as it is, with no restart.
    """
    steps = []
    for round_number in range(1, rounds + 1):
        for configuration in configurations or [None]:
            for index, workload in enumerate(workloads):
                steps.append(
                    {
                        "round": round_number,
                        "configuration": configuration or "as-is",
                        "workload": workload,
                        "switch": configuration is not None and index == 0,
                    }
                )
    return steps


CONFIGURATION_FILES = {
    "stock": {"dropin": False, "dedicated": False},
    "tuned": {"dropin": True, "dedicated": False},
    "dedicated": {"dropin": False, "dedicated": True},
}


def file_actions(configuration: str, dropin_exists: bool, aside_exists: bool, dedicated_exists: bool) -> list[str]:
    """What puts the server's configuration directory in the state of a configuration.

    stock: the toolkit's drop-in moved aside; tuned: the drop-in in place; dedicated: stock plus
    a drop-in with innodb_dedicated_server=ON. A drop-in in place is the newest (a provision
    run may have written it after a benchmark stopped midway): an aside copy beside it is stale.
    """
    wanted = CONFIGURATION_FILES[configuration]
    actions = []
    if dropin_exists and aside_exists:
        actions.append("remove stale aside copy")
        aside_exists = False
    if wanted["dropin"] and not dropin_exists and aside_exists:
        actions.append("move drop-in back")
    if not wanted["dropin"] and dropin_exists:
        actions.append("move drop-in aside")
    if wanted["dedicated"] and not dedicated_exists:
        actions.append("write dedicated drop-in")
    if not wanted["dedicated"] and dedicated_exists:
        actions.append("remove dedicated drop-in")
    return actions


def reproduce_command(params: dict, inventories: list[str], host: str) -> str:
    """The command line that runs the same benchmark on the same host again."""
    if params.get("mode") == "storm":
        # the storm decides its sessions, warm-up, round and configuration itself
        names = ("mode", "tables", "table_size", "time")
    else:
        names = ("mode", "workloads", "tables", "table_size", "threads", "time", "warmup", "rounds", "compare")
    extra = json.dumps({f"mysql_bench_{name}": params[name] for name in names if name in params}, sort_keys=True)
    sources = " ".join(f"-i {source}" for source in inventories)
    return f"ansible-playbook {sources} playbooks/bench.yml -l {host} -e '{extra}'"


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


def plan(params: dict, probe: dict, flavor: str, sizing: dict, workdir: str, reproduce: str = "") -> dict:
    """Everything the role does on a host, decided before anything is created.

    ``params`` are the role's inputs without their prefix, ``probe`` what bench_probe read,
    ``sizing`` what the toolkit sized (its variables; the dataset follows the buffer pool,
    whichever configuration is live when the benchmark starts; the storm opens max_connections
    sessions). ``refusals`` non-empty means: change nothing.
    ``reproduce`` is the command line that runs the same benchmark again.
    """
    bad_inputs = input_errors(params)
    problems = bad_inputs + refusals(probe, params)
    storm = params.get("mode") == "storm"
    # the storm restarts the tuned server, so that its high-water mark is this storm's
    requested = ["tuned"] if storm else list(params.get("compare") or [])
    configurations, skipped = configurations_for(requested, flavor)
    if configurations and not (probe["files"].get("dropin") or probe["files"].get("aside")):
        what = "mysql_bench_mode=storm" if storm else f"mysql_bench_compare={params.get('compare')!r}"
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
                params.get("mode", "load"),
            )
        except BenchError as error:
            problems.append(str(error))
    rounds, workloads = (1, ["storm"]) if storm else (int(params["rounds"]), list(params["workloads"]))
    steps = schedule(configurations, rounds, workloads) if not problems else []
    for step in steps:
        name = step["workload"]
        step["script"] = f"{workdir}/{name}.lua" if name in OWN_WORKLOADS else name
    return {
        "refusals": problems,
        "dataset": data,
        "configurations": configurations,
        "skipped_configurations": skipped,
        "steps": steps,
        "sysbench": sysbench_phases(params, data, int(sizing["variables"]["max_connections"])) if data else {},
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
# sysbench output (1.0.x text reports)

INTERVAL = re.compile(
    r"^\[\s*(?P<t>[\d.]+)s\s*\]\s+thds:\s*(?P<threads>\d+)\s+tps:\s*(?P<tps>[\d.]+)\s+qps:\s*(?P<qps>[\d.]+)\s+"
    r"\(r/w/o:\s*(?P<read>[\d.]+)/(?P<write>[\d.]+)/(?P<other>[\d.]+)\)\s+lat\s+\(ms,(?P<pct>\d+)%\):\s*"
    r"(?P<lat>[\d.]+)\s+err/s:\s*(?P<err>[\d.]+)\s+reconn/s:\s*(?P<reconn>[\d.]+)"
)
HISTOGRAM_ROW = re.compile(r"^\s*(?P<value>[\d.]+)\s+\|\**\s+(?P<count>\d+)\s*$")


def _field(text: str, label: str) -> str | None:
    match = re.search(rf"^\s*{re.escape(label)}:\s+(.+?)\s*$", text, re.MULTILINE)
    return match.group(1) if match else None


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    match = re.match(r"[\d.]+", text)
    return float(match.group(0)) if match else None


def _per_second(text: str | None) -> float | None:
    match = re.search(r"\(([\d.]+) per sec\.\)", text or "")
    return float(match.group(1)) if match else None


def parse_intervals(text: str) -> list[dict]:
    """The per-interval lines of --report-interval."""
    rows = []
    for line in text.splitlines():
        match = INTERVAL.match(line.strip())
        if match:
            rows.append(
                {
                    "t": float(match["t"]),
                    "threads": int(match["threads"]),
                    "tps": float(match["tps"]),
                    "qps": float(match["qps"]),
                    "read_qps": float(match["read"]),
                    "write_qps": float(match["write"]),
                    "other_qps": float(match["other"]),
                    "latency_pct": int(match["pct"]),
                    "latency_ms": float(match["lat"]),
                    "errors_per_sec": float(match["err"]),
                    "reconnects_per_sec": float(match["reconn"]),
                }
            )
    return rows


def parse_histogram(text: str) -> list[tuple[float, int]]:
    """(latency ms, count) rows of --histogram, in the order printed (ascending)."""
    rows = []
    inside = False
    for line in text.splitlines():
        if line.startswith("Latency histogram"):
            inside = True
            continue
        if inside:
            match = HISTOGRAM_ROW.match(line)
            if match:
                rows.append((float(match["value"]), int(match["count"])))
            elif line.strip() and "distribution" not in line:
                break
    return rows


def histogram_percentile(rows: list[tuple[float, int]], percentile: float) -> float | None:
    """The smallest bucket value at or below which ``percentile`` % of the events fall."""
    total = sum(count for _, count in rows)
    if not total:
        return None
    wanted = math.ceil(total * percentile / 100)
    seen = 0
    for value, count in rows:
        seen += count
        if seen >= wanted:
            return value
    return rows[-1][0]


def parse_sysbench(text: str) -> dict:
    """Totals, latencies and per-interval figures of one sysbench ``run``; BenchError if it has none."""
    transactions = _field(text, "transactions")
    if transactions is None or "SQL statistics" not in text:
        fatal = re.search(r"^FATAL:.*$", text, re.MULTILINE)
        raise BenchError(f"sysbench printed no statistics{': ' + fatal.group(0) if fatal else ''}")
    version = re.search(r"^sysbench (\S+)", text, re.MULTILINE)
    histogram = parse_histogram(text)
    own = re.search(r"^\s*(\d+)th percentile:\s+([\d.]+)", text, re.MULTILINE)
    own_percentile = {"percentile": int(own.group(1)), "value": float(own.group(2))} if own else None
    latency = {
        "min": _number(_field(text, "min")),
        "avg": _number(_field(text, "avg")),
        "max": _number(_field(text, "max")),
        "p95": histogram_percentile(histogram, 95),
        "p99": histogram_percentile(histogram, 99),
    }
    # Without --histogram, sysbench's own percentile line is all there is.
    for key in ("p95", "p99"):
        if latency[key] is None and own_percentile and f"p{own_percentile['percentile']}" == key:
            latency[key] = own_percentile["value"]
    queries = {name: int(_number(_field(text, name)) or 0) for name in ("read", "write", "other", "total")}
    return {
        "sysbench_version": version.group(1) if version else None,
        "transactions": int(_number(transactions) or 0),
        "tps": _per_second(transactions),
        "qps": {
            "total": _per_second(_field(text, "queries")),
            **{name: _rate(queries[name], _number(_field(text, "total time"))) for name in ("read", "write", "other")},
        },
        "queries": queries,
        "threads": int(_number(_field(text, "Number of threads")) or 0),
        "errors": int(_number(_field(text, "ignored errors")) or 0),
        "reconnects": int(_number(_field(text, "reconnects")) or 0),
        "total_time": _number(_field(text, "total time")),
        "events": int(_number(_field(text, "total number of events")) or 0),
        "latency_ms": latency,
        "latency_sysbench_percentile": own_percentile,
        "intervals": parse_intervals(text),
    }


def _rate(count: int, seconds: float | None) -> float | None:
    return round(count / seconds, 2) if seconds else None


# ---------------------------------------------------------------------------------------------
# The host while a run goes: /proc, the cgroup, the server's status


def sysbench_options(text: str) -> dict:
    """A sysbench --config-file: one option=value a line, without the leading dashes."""
    options = {}
    for line in text.splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name and not name.startswith("#"):
            options[name.strip()] = value.strip()
    return options


def parse_loadavg(text: str) -> float:
    return float(text.split()[0])


def cpu_times(proc_stat: str) -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs from /proc/stat; idle and iowait count as not busy."""
    for line in proc_stat.splitlines():
        fields = line.split()
        if fields and fields[0] == "cpu":
            values = [int(value) for value in fields[1:9]]
            idle = values[3] + values[4]
            return sum(values) - idle, sum(values)
    raise ValueError("no cpu line in /proc/stat")


def disk_counters(diskstats: str, disks: list[str]) -> dict:
    """Reads, writes and sectors of the named whole disks, summed, from /proc/diskstats."""
    totals = {"reads": 0, "read_sectors": 0, "writes": 0, "write_sectors": 0}
    for line in diskstats.splitlines():
        fields = line.split()
        if len(fields) >= 10 and fields[2] in disks:
            totals["reads"] += int(fields[3])
            totals["read_sectors"] += int(fields[5])
            totals["writes"] += int(fields[7])
            totals["write_sectors"] += int(fields[9])
    return totals


def process_memory(status: str) -> dict:
    """VmRSS and VmHWM (resident now and at its highest) of a process, in bytes."""
    values = {}
    for line in status.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * KIB
    return {"rss": values.get("VmRSS"), "hwm": values.get("VmHWM")}


def checkpoint_age(status: dict, engine_status: str | None = None) -> int | None:
    """Bytes of redo written since the last checkpoint.

    MySQL >= 8.0.30: Innodb_redo_log_current_lsn - Innodb_redo_log_checkpoint_lsn; MariaDB:
    Innodb_checkpoint_age; otherwise SHOW ENGINE INNODB STATUS's LOG section.
    """
    lowered = {key.lower(): value for key, value in status.items()}
    current, checkpoint = lowered.get("innodb_redo_log_current_lsn"), lowered.get("innodb_redo_log_checkpoint_lsn")
    if current is not None and checkpoint is not None:
        return max(0, int(current) - int(checkpoint))
    if lowered.get("innodb_checkpoint_age") is not None:
        return int(lowered["innodb_checkpoint_age"])
    if engine_status:
        lsn = re.search(r"^Log sequence number\s+(\d+)", engine_status, re.MULTILINE)
        last = re.search(r"^Last checkpoint at\s+(\d+)", engine_status, re.MULTILINE)
        if lsn and last:
            return max(0, int(lsn.group(1)) - int(last.group(1)))
    return None


def redo_capacity(variables: dict) -> int | None:
    """The redo the server may fill before it must flush: capacity (MySQL >= 8.0.30) or log files."""
    if variables.get("innodb_redo_log_capacity"):
        return int(variables["innodb_redo_log_capacity"])
    if variables.get("innodb_log_file_size"):
        return int(variables["innodb_log_file_size"]) * int(variables.get("innodb_log_files_in_group") or 1)
    return None


def sample(previous: dict, current: dict) -> dict:
    """One per-second sample from two raw readings (``t``, ``cpu``, ``disk`` counters and gauges)."""
    elapsed = current["t"] - previous["t"]
    if elapsed <= 0:
        raise ValueError("readings must be taken in order")
    busy = current["cpu"][0] - previous["cpu"][0]
    total = current["cpu"][1] - previous["cpu"][1]
    disk_now, disk_before = current["disk"], previous["disk"]

    def rate(key: str, scale: float = 1.0) -> float:
        return round((disk_now[key] - disk_before[key]) * scale / elapsed, 2)

    sector_mb = 512 / 1_000_000
    return {
        "t": round(current["t"], 2),
        "load1": current["load1"],
        "cpu_busy_pct": round(100 * busy / total, 1) if total > 0 else 0.0,
        "disk_read_iops": rate("reads"),
        "disk_write_iops": rate("writes"),
        "disk_read_mbps": rate("read_sectors", sector_mb),
        "disk_write_mbps": rate("write_sectors", sector_mb),
        "server_rss": current.get("server_rss"),
        "server_hwm": current.get("server_hwm"),
        "cgroup_memory": current.get("cgroup_memory"),
        "cgroup_limit": current.get("cgroup_limit"),
        "threads_running": current.get("threads_running"),
        "checkpoint_age": current.get("checkpoint_age"),
    }


def spread(values: list[float]) -> dict:
    """min, median and max of the values that exist (None where there are none)."""
    present = [value for value in values if value is not None]
    if not present:
        return {"min": None, "median": None, "max": None}
    return {"min": min(present), "median": statistics.median(present), "max": max(present)}


def summarize_samples(samples: list[dict]) -> dict:
    return {name: spread([row.get(name) for row in samples]) for name in SAMPLE_FIELDS}


# ---------------------------------------------------------------------------------------------
# Reports


def run_record(step: dict, output: str, samples: list[dict], variables: dict, offset: float) -> dict:
    """One measured run as the report keeps it."""
    figures = parse_sysbench(output)
    intervals = figures.pop("intervals")
    return {
        "configuration": step["configuration"],
        "round": step["round"],
        "workload": step["workload"],
        "offset": offset,
        **figures,
        "intervals": intervals,
        "samples": samples,
        "sample_summary": summarize_samples(samples),
        "variables": {name: variables[name] for name in REPORTED_VARIABLES if name in variables},
        "redo_capacity": redo_capacity(variables),
    }


def compare(runs: list[dict]) -> dict:
    """Per workload and configuration: TPS of every round, median, min, max and spread, p95 median;
    and the ratios of the tuned configuration's median TPS to the others'."""
    table: dict = {}
    for run in runs:
        entry = table.setdefault(run["workload"], {}).setdefault(run["configuration"], {"tps": [], "p95": []})
        entry["tps"].append(run["tps"])
        entry["p95"].append(run["latency_ms"]["p95"])
    result = {}
    for workload, configurations in table.items():
        rows = {}
        for name, entry in configurations.items():
            tps = spread(entry["tps"])
            rows[name] = {
                "rounds": len(entry["tps"]),
                "tps": entry["tps"],
                "tps_median": tps["median"],
                "tps_min": tps["min"],
                "tps_max": tps["max"],
                "tps_spread_pct": (
                    round(100 * (tps["max"] - tps["min"]) / tps["median"], 1) if tps["median"] else None
                ),
                "p95_ms": entry["p95"],
                "p95_median_ms": spread(entry["p95"])["median"],
            }
        ratios = {}
        tuned = rows.get("tuned", {}).get("tps_median")
        for other in ("stock", "dedicated"):
            base = rows.get(other, {}).get("tps_median")
            if tuned and base:
                ratios[f"tuned/{other}"] = round(tuned / base, 3)
        result[workload] = {"configurations": rows, "ratios": ratios}
    return result


def verdict(runs: list[dict]) -> dict:
    """The latency targets, judged on the median p95 of the runs of that workload."""
    judged = {}
    for workload, target in TARGETS.items():
        values = [
            run["latency_ms"]["p95"]
            for run in runs
            if run["workload"] == workload and run["configuration"] in ("as-is", "tuned")
        ]
        median = spread(values)["median"]
        judged[workload] = {
            "target_p95_ms": target,
            "p95_ms": median,
            "pass": None if median is None else median < target,
        }
    return judged


def summary_lines(report: dict, where: str) -> list[str]:
    """What the play prints: where the report is, each comparison with its ratios, the verdict."""
    lines = [f"report: {where}/report.md (report.json, report.png)"]
    for workload, entry in report["compare"].items():
        for name, row in entry["configurations"].items():
            lines.append(
                f"{workload} {name}: median {_fmt(row['tps_median'])} TPS over {row['rounds']} round(s), "
                f"{_fmt(row['tps_min'])}..{_fmt(row['tps_max'])}, p95 {_fmt(row['p95_median_ms'], 2)} ms"
            )
        if entry["ratios"]:
            lines.append(f"{workload}: " + ", ".join(f"{key} = {value:.2f}" for key, value in entry["ratios"].items()))
    lines.append(report["verdict_line"])
    return lines


def verdict_line(judged: dict) -> str:
    parts = []
    for workload, entry in judged.items():
        if entry["p95_ms"] is None:
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
    server, cgroup = run.get("server_pid") or {}, run.get("cgroup")
    summary = run["sample_summary"]
    measured = summary["server_hwm"]["max"] or summary["server_rss"]["max"]
    cgroup_peak = (cgroup or {}).get("peak") or summary["cgroup_memory"]["max"]
    killed = []
    if not server.get("before") or server.get("before") != server.get("after"):
        killed.append(f"the server's main process changed ({server.get('before')} -> {server.get('after')})")
    oom_kills = int((cgroup or {}).get("oom_kills") or 0) - int((run.get("cgroup_before") or {}).get("oom_kills") or 0)
    if oom_kills:
        killed.append(f"{oom_kills} process(es) killed by the kernel's OOM killer in the cgroup during the storm")
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
    judged = verdict(runs)
    return {
        **meta,
        "runs": runs,
        "compare": compare(runs),
        "verdict": judged,
        "verdict_line": verdict_line(judged),
    }


def human(size: float | None) -> str:
    return "-" if size is None else size_text(int(size))


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def storm_markdown(judged: dict | None) -> list[str]:
    if not judged:
        return []
    lines = ["## Storm checks", "", "| check | result |", "|---|---|"]
    lines += [f"| {name} | {'pass' if ok else 'FAIL'} |" for name, ok in judged["checks"].items()]
    return [*lines, ""]


def runs_line(report: dict) -> str:
    """How each run was made: the load test's threads and warm-up, or the storm's sessions."""
    settings = report["settings"]
    if report.get("storm"):
        return (
            f"- the storm: every table read through after a restart, then {report['storm']['sessions']} sessions "
            f"(max_connections) for {settings['time']} s"
        )
    return (
        f"- each run: {settings['threads']} threads, {settings['warmup']} s warm-up, then "
        f"{settings['time']} s measured; {settings['rounds']} round(s)"
    )


def disk_line(host_facts: dict) -> str:
    """'ssd disk', and what the device says of itself when fio overruled it."""
    disk, reported = host_facts.get("disk"), host_facts.get("disk_reported")
    if reported and reported != disk:
        return f"{disk} disk (the device reports itself {reported}; fio overruled it)"
    return f"{disk} disk"


def markdown(report: dict) -> str:
    """The report a person reads: what ran on what, each run's figures, the comparison, the verdict."""
    lines = [
        f"# Load test of {report['host']}",
        "",
        f"- server: {report['server']['flavor']} {report['server']['version']}; host: "
        f"{human(report['host_facts'].get('memory'))} memory budget, {report['host_facts'].get('cpus')} CPUs, "
        f"{disk_line(report['host_facts'])}",
        f"- dataset: {report['dataset']['tables']} tables x {report['dataset']['table_size']} rows "
        f"(about {human(report['dataset']['estimated_bytes'])}; {report['dataset']['formula']})",
        runs_line(report),
        f"- started {report['started']}, finished {report['finished']}",
        f"- reproduce: `{report['command']}`",
        "",
        f"**{'Memory under the storm' if report.get('storm') else 'Latency targets'}:** {report['verdict_line']}",
        "",
        *storm_markdown(report.get("storm")),
        "## Runs",
        "",
        "| round | configuration | workload | TPS | QPS r/w/o | latency avg / p95 / p99 / max ms | errors | "
        "CPU busy % (median) | disk write IOPS (median) | server RSS (max) | checkpoint age (max) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in report["runs"]:
        qps, lat, summary = run["qps"], run["latency_ms"], run["sample_summary"]
        lines.append(
            f"| {run['round']} | {run['configuration']} | {run['workload']} | {_fmt(run['tps'])} | "
            f"{_fmt(qps['read'], 0)} / {_fmt(qps['write'], 0)} / {_fmt(qps['other'], 0)} | "
            f"{_fmt(lat['avg'], 2)} / {_fmt(lat['p95'], 2)} / {_fmt(lat['p99'], 2)} / {_fmt(lat['max'], 2)} | "
            f"{run['errors']} | {_fmt(summary['cpu_busy_pct']['median'])} | "
            f"{_fmt(summary['disk_write_iops']['median'], 0)} | {human(summary['server_rss']['max'])} | "
            f"{human(summary['checkpoint_age']['max'])} of {human(run['redo_capacity'])} |"
        )
    configurations = sorted({run["configuration"] for run in report["runs"]})
    if len(configurations) > 1:
        lines += ["", "## Comparison (median of the rounds)", ""]
        lines += [
            "| workload | configuration | rounds | TPS median | TPS min..max | spread % | p95 median ms |",
            "|---|---|---|---|---|---|---|",
        ]
        for workload, entry in report["compare"].items():
            for name, row in entry["configurations"].items():
                lines.append(
                    f"| {workload} | {name} | {row['rounds']} | {_fmt(row['tps_median'])} | "
                    f"{_fmt(row['tps_min'])}..{_fmt(row['tps_max'])} | {_fmt(row['tps_spread_pct'])} | "
                    f"{_fmt(row['p95_median_ms'], 2)} |"
                )
            ratios = ", ".join(f"{key} = {value:.2f}" for key, value in entry["ratios"].items())
            if ratios:
                lines.append(f"| {workload} | ratios | | {ratios} | | | |")
        lines += ["", "## What differs between the configurations", ""]
        names = sorted({key for run in report["runs"] for key in run["variables"]})
        by_configuration = {run["configuration"]: run["variables"] for run in report["runs"]}
        differing = [name for name in names if len({str(v.get(name)) for v in by_configuration.values()}) > 1]
        lines.append("| variable | " + " | ".join(by_configuration) + " |")
        lines.append("|---|" + "---|" * len(by_configuration))
        for name in differing:
            lines.append(f"| {name} | " + " | ".join(str(v.get(name, "-")) for v in by_configuration.values()) + " |")
    skipped = report["settings"].get("skipped_configurations") or []
    if skipped:
        lines += ["", "Left out on this host: " + "; ".join(skipped)]
    lines += ["", "![TPS, latency and the host over time](report.png)", ""]
    return "\n".join(lines)
