"""Server sizing: every my.cnf value computed from the host, with its formula and inputs.

The single source of truth for the roles (through the ``mysql_sizing`` filter) and for
``scripts/mysql-sizing``. Pure functions: no I/O, no Ansible.

Units: every size is in bytes; every rendered size is a whole number of MiB so that the
server keeps it exactly as written (MySQL rounds the buffer pool *up* to a multiple of
``chunk x instances``; MariaDB rounds it to whole MiB).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

FLAVORS = ("mysql", "mariadb")
DISKS = ("hdd", "ssd", "nvme")
PROFILES = {
    # profile: (buffer pool share of the budget, share of the host's memory the server may use)
    "dedicated": (0.60, 1.0),  # seed 004: "buffer pool about 60 % of RAM"
    "shared": (0.60, 0.5),  # seed 000: application and database on one 4 GB host
}
PEAK_LIMIT = 0.90  # worst-case peak memory must stay within 90 % of the budget
MIN_CONNECTIONS = 10  # seed 000: an application pool below 10 connections hurts
AUTO_CONNECTIONS_CAP = 1000
MIN_BUFFER_POOL = 32 * MIB
MAX_IO_CAPACITY = 20000  # MySQL: "values above 20000 are not recommended"
MIN_IO_CAPACITY = 100  # the servers' lower bound for innodb_io_capacity

# Per-thread buffers the roles render (server defaults where they are sane) and the
# thread stack each server uses (not rendered: the default is right).
PER_THREAD_RENDERED = {
    "sort_buffer_size": 256 * KIB,
    "join_buffer_size": 256 * KIB,
    "read_buffer_size": 128 * KIB,
    "read_rnd_buffer_size": 256 * KIB,
}
TMP_TABLE_SIZE = 16 * MIB
MAX_HEAP_TABLE_SIZE = 16 * MIB
THREAD_STACK = {"mysql": 1 * MIB, "mariadb": 299008}
BINLOG_CACHE_SIZE = 32 * KIB
KEY_BUFFER_SIZE = 8 * MIB  # MyISAM index cache: InnoDB-only servers need little
ARIA_PAGECACHE_SIZE = 32 * MIB  # MariaDB keeps its system tables in Aria
# performance_schema took 230 MiB on MySQL 9.7 in the lab (memory_summary_global_by_event_name).
PERFORMANCE_SCHEMA_RESERVE = 256 * MIB
PERFORMANCE_SCHEMA_MIN_BUDGET = 2 * GIB

# innodb_io_capacity / _max without a measurement, by disk class.
IO_DEFAULTS = {"hdd": (200, 400), "ssd": (2000, 4000), "nvme": (10000, 20000)}
# The servers' own defaults, which the defaults above never go below on SSD and NVMe.
SERVER_IO_DEFAULTS = {"mysql": {(8, 4): (10000, 20000), (0,): (200, 2000)}, "mariadb": {(0,): (200, 2000)}}
# A spinning disk seeks for each random write: 100-400 a second. Sustaining this many random
# 16 KiB writes (fio, O_DIRECT, past its ramp-up) rules out seeks, whatever the device reports.
SPINNING_MAX_IOPS = 1000
# Linear read-ahead helps where a random IO is expensive.
READ_AHEAD_THRESHOLD = {"hdd": 32, "ssd": 64, "nvme": 64}
TABLE_OPEN_CACHE = 4000
MAX_CHUNKS = 1000  # MySQL: keep innodb_buffer_pool_size / chunk_size below 1000
DEFAULT_CHUNK = 128 * MIB


class SizingError(ValueError):
    """The host cannot be sized as asked; the message names the input to change."""


@dataclass(frozen=True)
class Inputs:
    """What the sizing depends on. ``memory`` is the memory budget's source in bytes."""

    memory: int
    cpus: int
    disk: str
    flavor: str
    version: str
    profile: str = "dedicated"
    buffer_pool_ratio: float | None = None
    max_connections: int | None = None
    iops: int | None = None
    filesystem: str = "ext4"
    open_files: int = 65535
    long_query_time: float = 1.0
    slow_query_log_file: str = "/var/log/mysql/mysql-slow.log"

    def check(self) -> None:
        if self.flavor not in FLAVORS:
            raise SizingError(f"flavor must be one of {', '.join(FLAVORS)}; got {self.flavor!r}")
        if self.disk not in DISKS:
            raise SizingError(f"mysql_tune_disk must be one of {', '.join(DISKS)}; got {self.disk!r}")
        if self.profile not in PROFILES:
            raise SizingError(f"mysql_tune_profile must be one of {', '.join(PROFILES)}; got {self.profile!r}")
        if self.memory < 256 * MIB:
            raise SizingError(f"mysql_host_memory must be at least 256M; got {self.memory} bytes")
        if self.cpus < 1:
            raise SizingError(f"the host must have at least 1 CPU; got {self.cpus}")
        if self.buffer_pool_ratio is not None and not 0 < self.buffer_pool_ratio <= 0.9:
            raise SizingError(f"mysql_tune_buffer_pool_ratio must be > 0 and <= 0.9; got {self.buffer_pool_ratio}")
        if self.max_connections is not None and not 1 <= self.max_connections <= 100000:
            raise SizingError(f"mysql_tune_max_connections must be 1..100000; got {self.max_connections}")
        if self.iops is not None and self.iops < 1:
            raise SizingError(f"a measured IOPS figure must be positive; got {self.iops}")
        if not 0 <= self.long_query_time <= 3600:
            raise SizingError(f"mysql_tune_long_query_time must be 0..3600 seconds; got {self.long_query_time}")

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return version_tuple(self.version)


@dataclass(frozen=True)
class Setting:
    """One server variable: its value in server units, the formula and the inputs behind it."""

    value: int | float | str
    formula: str
    inputs: dict = field(default_factory=dict)


@dataclass
class Plan:
    inputs: Inputs
    budget: int
    peak: int
    per_thread: int
    global_buffers: int
    settings: dict[str, Setting]
    disk_class: dict = field(default_factory=dict)

    def variables(self) -> dict:
        return {name: setting.value for name, setting in self.settings.items()}

    def to_dict(self) -> dict:
        """Flat form for the CLI: the server's variable names at the top, plus inputs and memory figures."""
        fact = self.to_fact({})
        return {**fact.pop("variables"), **fact}

    def to_fact(self, overrides: dict) -> dict:
        """Nested form for the roles and the fact file; ``overrides`` win and say so.

        Overrides go through the same bounds as computed values (SizingError names the one
        that does not fit); sizes may use the server's notation (512M, 8G).
        """
        variables, peak, global_memory, per_thread = apply_overrides(self, overrides)
        overrides = {name: variables[name] for name in overrides}
        explain = {
            name: {"formula": setting.formula, "inputs": setting.inputs} for name, setting in self.settings.items()
        }
        for name in overrides:
            computed = self.settings[name].value if name in self.settings else None
            explain[name] = {"formula": "override (mysql_tune_overrides)", "inputs": {"computed": computed}}
        return {
            "variables": variables,
            "explain": explain,
            "inputs": {key: getattr(self.inputs, key) for key in self.inputs.__dataclass_fields__},
            "memory_budget": self.budget,
            "peak_memory": peak,
            "per_thread_memory": per_thread,
            "global_memory": global_memory,
            "disk_class": self.disk_class,
        }


def version_tuple(version: str) -> tuple[int, ...]:
    """'9.7.4-2' -> (9, 7, 4); '1:11.8.6-0+deb13u1' -> (11, 8, 6)."""
    upstream = version.split(":", 1)[-1].split("-", 1)[0]
    return tuple(int(part) for part in re.findall(r"\d+", upstream)[:3]) or (0,)


def human(size: int) -> str:
    """1.5G / 512M / 64K: the shortest exact-or-rounded form, for comments and tables."""
    for unit, name in ((GIB, "G"), (MIB, "M"), (KIB, "K")):
        if size >= unit:
            value = size / unit
            return f"{value:.0f}{name}" if value == int(value) else f"{value:.1f}{name}"
    return str(size)


def budget_of(inputs: Inputs) -> int:
    return int(inputs.memory * PROFILES[inputs.profile][1])


def buffer_pool_ratio(inputs: Inputs) -> float:
    return inputs.buffer_pool_ratio if inputs.buffer_pool_ratio is not None else PROFILES[inputs.profile][0]


def log_buffer_size(budget: int) -> int:
    """innodb_log_buffer_size: budget/256 within 16..64 MiB, whole MiB."""
    return max(16 * MIB, min(64 * MIB, budget // 256 // MIB * MIB))


def performance_schema_on(inputs: Inputs) -> bool:
    return inputs.flavor == "mysql" and budget_of(inputs) >= PERFORMANCE_SCHEMA_MIN_BUDGET


def performance_schema_reserve(inputs: Inputs) -> int:
    """Memory kept for performance_schema (MySQL only; MariaDB ships it off).

    Below 2 GiB it is switched off and the same share (budget/8) stays as headroom, so the
    reserve, and with it every other value, grows smoothly with memory.
    """
    if inputs.flavor != "mysql":
        return 0
    return min(budget_of(inputs) // 8, PERFORMANCE_SCHEMA_RESERVE)


def fixed_global(inputs: Inputs) -> int:
    """Global buffers other than the buffer pool."""
    budget = budget_of(inputs)
    total = log_buffer_size(budget) + KEY_BUFFER_SIZE + performance_schema_reserve(inputs)
    if inputs.flavor == "mariadb":
        total += ARIA_PAGECACHE_SIZE
    return total


def per_thread_of(variables: dict, flavor: str) -> int:
    """Worst case one connection can hold with these values: the usual formula."""
    return (
        sum(variables[name] for name in PER_THREAD_RENDERED)
        + variables.get("thread_stack", THREAD_STACK[flavor])
        + variables.get("binlog_cache_size", BINLOG_CACHE_SIZE)
        + min(variables["tmp_table_size"], variables["max_heap_table_size"])
    )


def per_thread_memory(flavor: str) -> int:
    """Worst case one connection can hold with the values the roles render."""
    rendered = {**PER_THREAD_RENDERED, "tmp_table_size": TMP_TABLE_SIZE, "max_heap_table_size": MAX_HEAP_TABLE_SIZE}
    return per_thread_of(rendered, flavor)


def buffer_pool_target(inputs: Inputs) -> tuple[int, bool]:
    """(ratio x budget, lowered only as far as MIN_CONNECTIONS must still fit; whether it was lowered)."""
    budget = budget_of(inputs)
    by_ratio = buffer_pool_ratio(inputs) * budget
    room = PEAK_LIMIT * budget - fixed_global(inputs) - MIN_CONNECTIONS * per_thread_memory(inputs.flavor)
    lowered = inputs.max_connections is None and room < by_ratio
    target = room if lowered else by_ratio
    if target < MIN_BUFFER_POOL:
        raise SizingError(
            f"a memory budget of {human(budget)} leaves no room for a {human(MIN_BUFFER_POOL)} buffer pool "
            f"beside {MIN_CONNECTIONS} connections: give the host more memory (or raise mysql_host_memory), "
            f"or use mysql_tune_profile=dedicated"
        )
    return int(target), lowered


def mysql_buffer_pool(raw: int, cpus: int) -> tuple[int, int, int]:
    """(pool, instances, chunk) for MySQL, kept by the server exactly as written.

    instances = min(pool in whole GiB, CPUs, 64), at least 1 (MySQL itself forces 1 below
    1 GiB). Each instance holds 2^m chunks, m the least that keeps a chunk at or below
    128 MiB but no more than 1000 chunks in all; the chunk is a whole number of MiB and
    the pool is chunk x instances x 2^m. The grids are nested and each switch point lies
    on the coarser grid, so the pool never shrinks when memory grows.
    """
    raw_mib = raw // MIB
    instances = max(1, min(raw_mib // 1024, cpus, 64))
    max_exponent = int(math.log2(MAX_CHUNKS / instances))
    exponent = 0
    while raw_mib > (DEFAULT_CHUNK // MIB) * instances * 2**exponent and exponent < max_exponent:
        exponent += 1
    chunks_per_instance = 2**exponent
    chunk_mib = raw_mib // (instances * chunks_per_instance)
    return chunk_mib * instances * chunks_per_instance * MIB, instances, chunk_mib * MIB


def disk_class(inputs: Inputs) -> tuple[str, str]:
    """(class that drives flush neighbours, read-ahead and io defaults, why).

    The device's rotational flag is the fallback; a measurement overrules it when a disk that
    calls itself spinning sustained more random writes than any spinning disk can (virtual
    disks, and some controllers, report themselves rotational).
    """
    if inputs.iops is None:
        return inputs.disk, f"{inputs.disk} as the device reports it (no fio measurement)"
    if inputs.disk == "hdd" and inputs.iops >= SPINNING_MAX_IOPS:
        return "ssd", (
            f"the device reports itself rotational, overruled: fio sustained {inputs.iops} random 16 KiB "
            f"writes/s and no spinning disk does {SPINNING_MAX_IOPS}"
        )
    return inputs.disk, f"{inputs.disk} as the device reports it, consistent with fio's {inputs.iops} writes/s"


def server_io_defaults(flavor: str, version: tuple[int, ...]) -> tuple[int, int]:
    """innodb_io_capacity / _max the server uses when none is set."""
    for since, values in sorted(SERVER_IO_DEFAULTS[flavor].items(), reverse=True):
        if version >= since:
            return values
    return IO_DEFAULTS["hdd"]


def io_capacity(inputs: Inputs, kind: str) -> tuple[int, int, str, dict]:
    """(innodb_io_capacity, innodb_io_capacity_max, formula, inputs).

    The server counts 16 KiB page writes per second; fio measures sustained 16 KiB random
    writes. Capacity is half the measurement (background flushing must leave room for
    foreground IO), within 100..20000; _max is twice capacity but never above the
    measurement, and never below capacity.
    """
    if inputs.iops is None:
        capacity, maximum = IO_DEFAULTS[kind]
        if kind != "hdd":
            own = server_io_defaults(inputs.flavor, inputs.version_tuple)
            capacity, maximum = max(capacity, own[0]), max(maximum, own[1])
        return (
            capacity,
            maximum,
            f"default for {kind} (no fio measurement), never below the server's own on SSD/NVMe",
            {"disk_class": kind},
        )
    capacity = max(MIN_IO_CAPACITY, min(inputs.iops // 2, MAX_IO_CAPACITY))
    maximum = max(capacity, min(inputs.iops, 2 * capacity))
    return (
        capacity,
        maximum,
        "capacity = clamp(iops/2, 100, 20000); max = clamp(2 x capacity, capacity, iops)",
        {"iops": inputs.iops},
    )


def redo_size(pool: int) -> int:
    """Redo: a quarter of the buffer pool within 128 MiB..16 GiB, whole MiB.

    Seed 004's stall: a small redo (2 x 48 MB) fills before the dirty pages are flushed,
    and writes wait for a flush storm. A redo sized from the pool absorbs it.
    """
    return max(128 * MIB, min(16 * GIB, pool // 4 // MIB * MIB))


def max_connections_for(inputs: Inputs, pool: int) -> tuple[int, int]:
    """(max_connections, how many fit) given the pool.

    The fit is computed from the unrounded pool target, so it grows with memory and the
    rounded pool (never larger) keeps the peak inside the limit.
    """
    budget = budget_of(inputs)
    room = PEAK_LIMIT * budget - pool - fixed_global(inputs)
    fit = max(0, math.floor(room / per_thread_memory(inputs.flavor)))
    if inputs.max_connections is None:
        return min(fit, AUTO_CONNECTIONS_CAP), fit
    return inputs.max_connections, fit


def required_open_files(max_connections: int, table_open_cache: int) -> int:
    """What MySQL asks the kernel for: max(10 + max_connections + 2 x table_open_cache, 5 x max_connections)."""
    return max(10 + max_connections + 2 * table_open_cache, 5 * max_connections)


def plan(inputs: Inputs) -> Plan:
    inputs.check()
    flavor = inputs.flavor
    budget = budget_of(inputs)
    ratio = buffer_pool_ratio(inputs)
    target, lowered = buffer_pool_target(inputs)
    settings: dict[str, Setting] = {}

    budget_inputs = {"memory": human(inputs.memory), "profile": inputs.profile, "budget": human(budget)}
    if flavor == "mysql":
        pool, instances, chunk = mysql_buffer_pool(target, inputs.cpus)
    else:
        pool, instances, chunk = target // MIB * MIB, 1, 0
    pool_formula = f"{ratio:.2f} x budget, rounded down so the server keeps it"
    if lowered:
        pool_formula = (
            f"budget x {PEAK_LIMIT:.2f} - global buffers - {MIN_CONNECTIONS} connections "
            f"(less than {ratio:.2f} x budget)"
        )
    settings["innodb_buffer_pool_size"] = Setting(pool, pool_formula, {**budget_inputs, "ratio": ratio})
    if flavor == "mysql":
        settings["innodb_buffer_pool_instances"] = Setting(
            instances, "min(pool in whole GiB, CPUs, 64), at least 1", {"pool": human(target), "cpus": inputs.cpus}
        )
        settings["innodb_buffer_pool_chunk_size"] = Setting(
            chunk,
            "pool / (instances x 2^m), m least with chunk <= 128M and <= 1000 chunks",
            {"pool": human(pool), "instances": instances},
        )

    connections, fit = max_connections_for(inputs, target)
    per_thread = per_thread_memory(flavor)
    if connections > fit:
        best_ratio = (PEAK_LIMIT * budget - fixed_global(inputs) - connections * per_thread) / budget
        advice = (
            f"lower mysql_tune_buffer_pool_ratio to {math.floor(best_ratio * 100) / 100:.2f}"
            if best_ratio >= 0.05
            else "give the host more memory"
        )
        raise SizingError(
            f"mysql_tune_max_connections={connections} does not fit: at {human(per_thread)} per connection the "
            f"worst-case peak would exceed {PEAK_LIMIT:.0%} of the {human(budget)} budget. Lower "
            f"mysql_tune_max_connections to {fit} or less, {advice}, or use connection pooling in the application"
        )
    settings["max_connections"] = Setting(
        connections,
        "requested" if inputs.max_connections is not None else f"min(connections that fit, {AUTO_CONNECTIONS_CAP})",
        {"per_thread": human(per_thread), "fit": fit, "peak_limit": f"{PEAK_LIMIT:.0%} of {human(budget)}"},
    )

    settings["innodb_log_buffer_size"] = Setting(
        log_buffer_size(budget), "budget / 256 within 16M..64M", {"budget": human(budget)}
    )
    settings["key_buffer_size"] = Setting(KEY_BUFFER_SIZE, "fixed: MyISAM index cache, InnoDB-only server", {})
    if flavor == "mariadb":
        settings["aria_pagecache_buffer_size"] = Setting(
            ARIA_PAGECACHE_SIZE, "fixed: Aria cache for MariaDB's system tables", {}
        )
    for name, size in PER_THREAD_RENDERED.items():
        settings[name] = Setting(size, "per-thread; counted x max_connections in the peak", {})
    settings["tmp_table_size"] = Setting(TMP_TABLE_SIZE, "per-thread in-memory temporary table limit", {})
    settings["max_heap_table_size"] = Setting(MAX_HEAP_TABLE_SIZE, "per-thread MEMORY table limit", {})
    if flavor == "mysql":
        settings["performance_schema"] = Setting(
            "ON" if performance_schema_on(inputs) else "OFF",
            f"ON from a {human(PERFORMANCE_SCHEMA_MIN_BUDGET)} budget (needs ~230M on MySQL 9.7)",
            {"budget": human(budget)},
        )

    redo = redo_size(pool)
    redo_inputs = {"pool": human(pool)}
    if flavor == "mysql" and inputs.version_tuple >= (8, 0, 30):
        settings["innodb_redo_log_capacity"] = Setting(redo, "pool / 4 within 128M..16G", redo_inputs)
    elif flavor == "mysql":
        half = redo // 2 // MIB * MIB
        settings["innodb_log_file_size"] = Setting(half, "(pool / 4 within 128M..16G) / 2 files", redo_inputs)
        settings["innodb_log_files_in_group"] = Setting(2, "fixed", {})
    else:
        settings["innodb_log_file_size"] = Setting(redo, "pool / 4 within 128M..16G", redo_inputs)

    direct_io = inputs.filesystem != "tmpfs"
    fs_inputs = {"filesystem": inputs.filesystem}
    if flavor == "mariadb" and inputs.version_tuple >= (11, 0):
        # innodb_log_file_buffering is left to the server: it turns it ON itself where the log's
        # block size is unknown (overlayfs, seen in the lab) and would not keep OFF as written.
        settings["innodb_data_file_buffering"] = Setting(
            "OFF" if direct_io else "ON", "OFF (O_DIRECT) unless tmpfs", fs_inputs
        )
    else:
        settings["innodb_flush_method"] = Setting(
            "O_DIRECT" if direct_io else "fsync", "O_DIRECT (no double caching) unless tmpfs", fs_inputs
        )
    kind, kind_reason = disk_class(inputs)
    disk_inputs = {"disk_class": kind, "reported": inputs.disk, "iops": inputs.iops}
    settings["innodb_flush_neighbors"] = Setting(
        1 if kind == "hdd" else 0, "1 on HDD (merge seeks), 0 on SSD/NVMe", disk_inputs
    )
    settings["innodb_read_ahead_threshold"] = Setting(
        READ_AHEAD_THRESHOLD[kind], "32 on HDD (read ahead early), 64 on SSD/NVMe", disk_inputs
    )
    capacity, maximum, io_formula, io_inputs = io_capacity(inputs, kind)
    settings["innodb_io_capacity"] = Setting(capacity, io_formula, io_inputs)
    settings["innodb_io_capacity_max"] = Setting(maximum, io_formula, io_inputs)

    need = required_open_files(connections, TABLE_OPEN_CACHE)
    if inputs.open_files < need:
        raise SizingError(
            f"mysql_limits_nofile={inputs.open_files} is below what the server needs: "
            f"max(10 + {connections} + 2 x {TABLE_OPEN_CACHE}, 5 x {connections}) = {need}; "
            f"raise mysql_limits_nofile to at least {need} or lower mysql_tune_max_connections"
        )
    settings["table_open_cache"] = Setting(TABLE_OPEN_CACHE, "fixed", {})
    settings["open_files_limit"] = Setting(
        inputs.open_files,
        "= LimitNOFILE; >= max(10 + max_connections + 2 x table_open_cache, 5 x max_connections)",
        {"nofile": inputs.open_files, "needed": need},
    )

    settings["slow_query_log"] = Setting("ON", "always: seed 004's slow-query cases start from it", {})
    settings["long_query_time"] = Setting(inputs.long_query_time, "requested", {})
    settings["slow_query_log_file"] = Setting(inputs.slow_query_log_file, "OS layout", {})

    variables = {name: setting.value for name, setting in settings.items()}
    peak, global_buffers, per_thread = peak_of(variables, flavor, performance_schema_reserve(inputs))
    assert peak <= PEAK_LIMIT * budget, "sizing invariant broken: peak above the limit"
    return Plan(
        inputs,
        budget,
        peak,
        per_thread,
        global_buffers,
        settings,
        {"value": kind, "reported": inputs.disk, "reason": kind_reason},
    )


# Overrides that change the worst-case peak: counted once, or once per connection.
GLOBAL_SIZES = ("innodb_buffer_pool_size", "innodb_log_buffer_size", "key_buffer_size", "aria_pagecache_buffer_size")
PER_THREAD_SIZES = (*PER_THREAD_RENDERED, "thread_stack", "binlog_cache_size", "tmp_table_size", "max_heap_table_size")
SIZE_NOTATION = re.compile(r"^\d+(\.\d+)?[KMGT]$", re.IGNORECASE)


def normalize_override(name: str, value):
    """The server's size notation (512M, 8G) and digit strings become integers, as SHOW GLOBAL
    VARIABLES shows them; other values stay as given."""
    if isinstance(value, str) and SIZE_NOTATION.match(value.strip()):
        return parse_size(value.strip())
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if name in GLOBAL_SIZES + PER_THREAD_SIZES + ("max_connections",) and not isinstance(value, int):
        raise SizingError(
            f"mysql_tune_overrides: {name}={value!r} is not a size (bytes, or a number with K, M, G or T)"
        )
    return value


def peak_of(variables: dict, flavor: str, performance_schema: int) -> tuple[int, int, int]:
    """(worst-case peak, global memory, per-connection memory) of a set of values."""
    per_thread = per_thread_of(variables, flavor)
    global_memory = sum(variables.get(name, 0) for name in GLOBAL_SIZES) + performance_schema
    return global_memory + variables["max_connections"] * per_thread, global_memory, per_thread


def apply_overrides(result: Plan, overrides: dict) -> tuple[dict, int, int, int]:
    """(variables with the overrides, worst-case peak, global and per-connection memory);
    SizingError when an override breaks a bound."""
    inputs = result.inputs
    given = {name: normalize_override(name, value) for name, value in overrides.items()}
    variables = {**result.variables(), **given}
    if inputs.flavor == "mysql" and "innodb_buffer_pool_size" in given:
        pool, instances, chunk = mysql_buffer_pool(given["innodb_buffer_pool_size"], inputs.cpus)
        if pool != given["innodb_buffer_pool_size"]:
            raise SizingError(
                f"mysql_tune_overrides: innodb_buffer_pool_size={overrides['innodb_buffer_pool_size']} is not kept "
                f"as written (MySQL rounds it to a multiple of chunk x instances); use {pool // MIB}M"
            )
        if "innodb_buffer_pool_instances" not in given:
            variables["innodb_buffer_pool_instances"] = instances
        if "innodb_buffer_pool_chunk_size" not in given:
            variables["innodb_buffer_pool_chunk_size"] = chunk
    reserve = performance_schema_reserve(inputs)
    peak, global_memory, per_thread = peak_of(variables, inputs.flavor, reserve)
    limit = int(PEAK_LIMIT * result.budget)
    if peak > limit:
        over = peak - limit
        connections = variables["max_connections"]
        # the plan itself fits, so only overrides that count in the peak can break it
        culprits = [name for name in given if name in GLOBAL_SIZES + PER_THREAD_SIZES + ("max_connections",)]
        advice = []
        for name in culprits:
            if name in GLOBAL_SIZES:
                largest = variables[name] - over
            elif name == "max_connections":
                largest = (limit - global_memory) // per_thread
            else:
                largest = variables[name] - math.ceil(over / connections)
            advice.append(f"{name} at most {human(largest) if name != 'max_connections' else largest}")
        raise SizingError(
            f"mysql_tune_overrides {', '.join(f'{n}={overrides[n]}' for n in culprits)} do not fit: "
            f"the worst-case peak would be {human(peak)}, above {PEAK_LIMIT:.0%} of the {human(result.budget)} "
            f"budget; the largest that fits: {'; '.join(advice)}"
        )
    need = required_open_files(variables["max_connections"], variables["table_open_cache"])
    if variables["open_files_limit"] < need:
        raise SizingError(
            f"mysql_tune_overrides: max_connections={variables['max_connections']} needs {need} open files, "
            f"above open_files_limit={variables['open_files_limit']}: raise mysql_limits_nofile to at least {need}"
        )
    return variables, peak, global_memory, per_thread


def parse_size(text: str | int) -> int:
    """'32G', '4096M', '512k', '1073741824' -> bytes; SizingError on anything else."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    value = str(text).strip().upper().removesuffix("B").removesuffix("I")
    factors = {"K": KIB, "M": MIB, "G": GIB, "T": 1024 * GIB}
    factor = factors.get(value[-1:], 1)
    number = value[:-1] if value[-1:] in factors else value
    try:
        size = float(number)
    except ValueError:
        raise SizingError(f"not a size: {text!r} (use bytes or a number with K, M, G or T)") from None
    if size <= 0 or not math.isfinite(size):
        raise SizingError(f"not a size: {text!r} (must be positive)")
    return int(size * factor)
