"""Readings of a load test: sysbench's text reports (1.0.x) and the host's counters (/proc,
the server's status) turned into figures, one sample a second. Pure functions: the
bench_sysbench module reads the files and the server and hands the text here."""

from __future__ import annotations

import math
import re
import statistics

from ansible_collections.local.mysql.plugins.module_utils.sizing import KIB


class BenchError(ValueError):
    """The benchmark cannot run as asked, or sysbench did not report; the message says what to change."""


# One host sample's figures, summarized per run (min, median, max).
SAMPLE_FIELDS = (
    "server_hwm",
    "load1",
    "cpu_busy_pct",
    "cpu_iowait_pct",
    "server_cpu_pct",
    "client_cpu_pct",
    "disk_read_iops",
    "disk_write_iops",
    "disk_read_mbps",
    "disk_write_mbps",
    "server_rss",
    "cgroup_memory",
    "threads_running",
    "checkpoint_age",
)


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


def cpu_times(proc_stat: str) -> tuple[int, int, int]:
    """(busy, total, iowait) jiffies of all CPUs from /proc/stat; idle and iowait count as not busy."""
    for line in proc_stat.splitlines():
        fields = line.split()
        if fields and fields[0] == "cpu":
            values = [int(value) for value in fields[1:9]]
            idle = values[3] + values[4]
            return sum(values) - idle, sum(values), values[4]
    raise ValueError("no cpu line in /proc/stat")


def process_cpu_ticks(stat: str) -> int | None:
    """User and system clock ticks of a process (all its threads) from /proc/PID/stat."""
    _, paren, rest = stat.rpartition(")")
    fields = rest.split()
    if not paren or len(fields) < 13:
        return None
    return int(fields[11]) + int(fields[12])


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

    def process_cpu(key: str) -> float | None:
        """Per cent of one CPU the process used (200 is two CPUs busy)."""
        if current.get(key) is None or previous.get(key) is None:
            return None
        return round(100 * (current[key] - previous[key]) / (current.get("hz", 100) * elapsed), 1)

    sector_mb = 512 / 1_000_000
    iowait = current["cpu"][2] - previous["cpu"][2] if len(current["cpu"]) > 2 else 0
    return {
        "t": round(current["t"], 2),
        "load1": current["load1"],
        "cpu_busy_pct": round(100 * busy / total, 1) if total > 0 else 0.0,
        "cpu_iowait_pct": round(100 * iowait / total, 1) if total > 0 else 0.0,
        "server_cpu_pct": process_cpu("server_ticks"),
        "client_cpu_pct": process_cpu("client_ticks"),
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
