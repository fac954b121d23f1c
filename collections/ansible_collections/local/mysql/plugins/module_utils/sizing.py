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

from ansible_collections.local.mysql.plugins.module_utils import inputs
from ansible_collections.local.mysql.plugins.module_utils.access import HEADROOM_CONNECTIONS
from ansible_collections.local.mysql.plugins.module_utils.refusal import must_be
from ansible_collections.local.mysql.plugins.module_utils.sizes import GIB, KIB, MIB, SizingError, human, parse_size
from ansible_collections.local.mysql.plugins.module_utils.slow_log import slow_log_reader, slow_log_rotation

FLAVORS = ("mysql", "mariadb")
DISKS = ("hdd", "ssd", "nvme")
PROFILES = {
    # profile: (share of the host's memory the server may use, connections the pool leaves room for)
    "dedicated": (1.0, 151),  # the servers' own max_connections default
    "shared": (0.5, 50),  # application and database on one host, pools of 20-50
}
PEAK_LIMIT = 0.90  # worst-case peak memory must stay within 90 % of the budget; the rest is the OS's
MIN_CONNECTIONS = 10  # an application pool below 10 connections hurts
AUTO_CONNECTIONS_CAP = 1000
MIN_BUFFER_POOL = 32 * MIB
MAX_IO_CAPACITY = 20000  # MySQL: "values above 20000 are not recommended"
MIN_IO_CAPACITY = 100  # the servers' lower bound for innodb_io_capacity
# innodb_io_capacity is the measured IOPS divided by this (see io_capacity)
IO_CAPACITY_SHARE = 4

# Buffer pool share of the budget: 0.60 (the common rule of thumb) up to 8 GiB, +0.03 per doubling, at most 0.75
# (MySQL's own share above 4 GiB) from 256 GiB. What else the server holds grows far slower than
# memory, so big hosts can give the pool more; the step is small enough that the memory left for
# connections still grows with the host (the pool and its descriptors take < 90 % of each extra
# byte). The measured model and the 90 % bound still decide: the pool is lowered when the
# connections it must leave room for would not fit.
POOL_SHARE_BASE, POOL_SHARE_STEP, POOL_SHARE_MAX = 0.60, 0.03, 0.75
POOL_SHARE_FROM = 8 * GIB

# Per-connection buffers the roles render (server defaults where they are sane).
PER_THREAD_RENDERED = {
    "sort_buffer_size": 256 * KIB,
    "join_buffer_size": 256 * KIB,
    "read_buffer_size": 128 * KIB,
    "read_rnd_buffer_size": 256 * KIB,
}
THREAD_STACK = {"mysql": 1 * MIB, "mariadb": 299008}
NET_BUFFER_LENGTH = 16 * KIB  # each connection holds a read and a write buffer of this size
BINLOG_CACHE_SIZE = 32 * KIB
KEY_BUFFER_SIZE = 8 * MIB  # MyISAM index cache: InnoDB-only servers need little
ARIA_PAGECACHE_SIZE = 32 * MIB  # MariaDB keeps its system tables in Aria

# Measured on the lab's servers (MySQL 9.7.4, MariaDB 11.8.6; README "Memory model"): a fresh
# server with a 128 MiB pool and performance_schema off holds 244 MB (MySQL), 94 MB (MariaDB);
# counted besides the pool and the log buffer as:
SERVER_BASE = {"mysql": 224 * MIB, "mariadb": 96 * MIB}
# Page descriptors beyond the pool's pages: 183 MB for 2304 MiB more pool (MySQL), 44 MB (MariaDB).
POOL_OVERHEAD = {"mysql": 0.08, "mariadb": 0.03}
# What a connection holds besides its buffers and stack: an idle one 500 KB (MySQL), 135 KB
# (MariaDB); MariaDB 10.11 sessions sorting 20000 rows grew 0.73 MB each, joining 2000 x 2000
# rows without an index 0.45 MB (60 sessions each): its statements' own working memory.
SESSION_MEMORY = {"mysql": 512 * KIB, "mariadb": 2 * MIB}
# performance_schema: MySQL 9.7 holds 230 MiB from the start whatever the table caches, plus
# 225-270 KB for each connection it instruments (measured from 100 to 900 sessions). MariaDB 11.8
# (statement digests and the history_long consumer on) held 93.6 MiB at 151 connections and
# 135.9 MiB at 1000 by its own count (resident memory +96.8 MB and +140 MB over the same server
# with it off): 86 MiB and 51 KB a connection.
PERFORMANCE_SCHEMA_BASE = {"mysql": 240 * MIB, "mariadb": 88 * MIB}
PERFORMANCE_SCHEMA_PER_CONNECTION = {"mysql": 288 * KIB, "mariadb": 52 * KIB}
PERFORMANCE_SCHEMA_CHOICES = ("auto", "on", "off")
# MySQL's slow log writes a statement's handler and sort counters from this version on.
LOG_SLOW_EXTRA_SINCE = (8, 0, 14)
PERFORMANCE_SCHEMA_MIN_BUDGET = 4 * GIB  # below, it would take over 6 % of the budget
# Table cache entries: an open table's handler and record buffers, a definition's share.
TABLE_OPEN_MEMORY = 16 * KIB
TABLE_DEFINITION_MEMORY = 8 * KIB

# Internal temporary tables: MySQL 8.0+ keeps them in one server-wide TempTable pool
# (temptable_max_ram, a thirty-second of the budget, counted once); MariaDB gives each one up to
# min(tmp_table_size, max_heap_table_size), counted per connection, so it gets a size that does
# not change with memory (a size that grew with memory would shrink the connections that fit).
TEMP_TABLE_SHARE = 32
TEMPTABLE_RAM_RANGE = (32 * MIB, 4 * GIB)
MYSQL_TMP_TABLE_SIZE = 16 * MIB  # MySQL: the largest single in-memory temporary table
MARIADB_TMP_TABLE_SIZE = 2 * MIB  # 151 connections x MariaDB's 16M default would take the whole of 4 GiB
# A MariaDB 10.11 session grouping 20000 rows grew by twice its in-memory table's limit (7.95 MB
# with 4 MiB): the rows, their hash index, and the copy while the table moves to Aria on disk.
MARIADB_TMP_TABLE_FACTOR = 2

# innodb_io_capacity / _max without a measurement, by disk class.
IO_DEFAULTS = {"hdd": (200, 400), "ssd": (2000, 4000), "nvme": (10000, 20000)}
# The servers' own defaults, which the defaults above never go below on SSD and NVMe.
SERVER_IO_DEFAULTS = {"mysql": {(8, 4): (10000, 20000), (0,): (200, 2000)}, "mariadb": {(0,): (200, 2000)}}
# innodb_log_buffer_size the server uses when none is set.
SERVER_LOG_BUFFER = {"mysql": {(8, 4): 64 * MIB, (0,): 16 * MIB}, "mariadb": {(0,): 16 * MIB}}
# innodb_lru_scan_depth the server uses when none is set.
SERVER_LRU_SCAN_DEPTH = {"mysql": {(0,): 1024}, "mariadb": {(10, 5, 7): 1536, (0,): 1024}}
# A spinning disk seeks for each random write: 100-400 a second. Sustaining this many random
# 16 KiB writes (fio, O_DIRECT, past its ramp-up) rules out seeks, whatever the device reports.
SPINNING_MAX_IOPS = 1000
# Linear read-ahead helps where a random IO is expensive.
READ_AHEAD_THRESHOLD = {"hdd": 32, "ssd": 64, "nvme": 64}
TABLE_OPEN_CACHE_RANGE = (400, 4000)
TABLE_DEFINITION_CACHE_MAX = 2000
MARIADB_TABLE_CACHE_INSTANCES = 8  # MariaDB's default, which it cuts itself when files run short
LOG_WRITER_THREADS_MIN_CPUS = 8
THREAD_CACHE_MAX = 100  # MySQL's own ceiling for thread_cache_size
MAX_CHUNKS = 1000  # MySQL: keep innodb_buffer_pool_size / chunk_size below 1000
DEFAULT_CHUNK = 128 * MIB
ADMIN_PORT = {"mysql": 33062, "mariadb": 3307}

# Binary logs may fill this share of what the datadir has free (counting the logs it holds now,
# which purging frees): the rest stays for the data's growth, the redo and temporary files.
BINLOG_SPACE_SHARE = 0.25
# Retention in whole days from these steps, so that a re-run minutes later keeps the same value;
# at most MySQL's default of 30 days. A day of logs is the least that measures a daily rate.
BINLOG_RETENTION_DAYS = (1, 2, 3, 5, 7, 10, 14, 21, 30)
DAY = 86400
# Inputs that move with every write: the fact file keeps what they decided (its binlog section),
# not them, so that a second run changes nothing.
MOVING_INPUTS = ("datadir_free", "binlog_bytes", "binlog_written", "binlog_span", "binlog_room_before")


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
    tmpdir: str = "/tmp"
    open_files: int = 65535
    long_query_time: float = 1.0
    slow_query_log_file: str = "/var/log/mysql/mysql-slow.log"
    # bytes of the slow log directory's file system (None: unknown), which bounds the log's rotation
    log_dir_size: int | None = None
    # Binary logs: on or off as the running server says (None: the server's default), the datadir's
    # free bytes, and what the logs present hold and were written over which seconds.
    binlog: bool | None = None
    datadir_free: int | None = None
    # the room the fact file recorded from the run before (None: none recorded)
    binlog_room_before: int | None = None
    binlog_bytes: int = 0
    binlog_written: int = 0
    binlog_span: int = 0
    # Connections the application accounts may hold at once (mysql_server_users'
    # max_user_connections): max_connections leaves room for them and for administration.
    app_connections: int = 0
    # mysql_tune_performance_schema: auto (MySQL on from a 4 GiB budget, MariaDB as shipped: off), on, off
    performance_schema: str = "auto"

    def check(self) -> None:
        if self.flavor not in FLAVORS:
            raise SizingError(f"flavor must be one of {', '.join(FLAVORS)}; got {self.flavor!r}")
        if self.disk not in DISKS:
            raise SizingError(must_be("mysql_host_disk", self.disk, f"one of {', '.join(DISKS)}"))
        if self.performance_schema not in PERFORMANCE_SCHEMA_CHOICES:
            raise SizingError(
                must_be(
                    "mysql_tune_performance_schema",
                    self.performance_schema,
                    f"one of {', '.join(PERFORMANCE_SCHEMA_CHOICES)}",
                )
            )
        if self.profile not in PROFILES:
            raise SizingError(f"mysql_tune_profile must be one of {', '.join(PROFILES)}; got {self.profile!r}")
        for name, value in (
            ("mysql_host_memory", self.memory),
            ("mysql_tune_buffer_pool_ratio", self.buffer_pool_ratio),
            ("mysql_tune_max_connections", self.max_connections),
            ("mysql_tune_long_query_time", self.long_query_time),
        ):
            problem = inputs.error(name, value)
            if problem:
                raise SizingError(problem)
        if self.cpus < 1:
            raise SizingError(f"the host must have at least 1 CPU; got {self.cpus}")
        if self.iops is not None and self.iops < 1:
            raise SizingError(f"a measured IOPS figure must be positive; got {self.iops}")
        if self.log_dir_size is not None and self.log_dir_size < 0:
            raise SizingError(f"the log directory's file system must be >= 0 bytes; got {self.log_dir_size}")
        if self.datadir_free is not None and self.datadir_free < 0:
            raise SizingError(f"the datadir's free space must be >= 0 bytes; got {self.datadir_free}")
        if min(self.binlog_bytes, self.binlog_written, self.binlog_span) < 0:
            raise SizingError("binary-log sizes and span must be >= 0")
        if self.app_connections < 0:
            raise SizingError(f"application pools must hold >= 0 connections; got {self.app_connections}")
        floor = pools_floor(self)
        if self.max_connections is not None and self.app_connections and self.max_connections < floor:
            raise SizingError(
                f"mysql_server_users: the accounts' max_user_connections add up to {self.app_connections}; with "
                f"{HEADROOM_CONNECTIONS} for administration they need max_connections >= {floor}, above "
                f"mysql_tune_max_connections={self.max_connections}: lower the pools or raise "
                "mysql_tune_max_connections"
            )

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
    binlog: dict = field(default_factory=dict)
    slow_log: dict = field(default_factory=dict)

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
        problem = inputs.error("mysql_tune_overrides", overrides)
        if problem:
            raise SizingError(problem)
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
            "inputs": {
                key: getattr(self.inputs, key) for key in self.inputs.__dataclass_fields__ if key not in MOVING_INPUTS
            },
            "memory_budget": self.budget,
            "peak_memory": peak,
            "per_thread_memory": per_thread,
            "global_memory": global_memory,
            "disk_class": self.disk_class,
            "binlog": self.binlog,
            "slow_log": {**self.slow_log, "reader": slow_log_reader(self.inputs.flavor, variables)},
        }


def with_settings(fact: dict, owned: dict[str, dict], overrides: dict) -> dict:
    """The plan's fact with other roles' settings beside the sized values: mysql_server's access
    (listening addresses, TLS), mysql_replication's place in the topology, what mysql_backup
    needs. ``owned`` maps each
    role to its {variables, options, shown}: ``variables`` the server shows, ``options`` only its
    start-up reads, ``shown`` what the server must show for those options under names of its own
    (compared live, never written). A name a role sets is its own: an override of it is refused,
    naming the role."""
    fact = {**fact, "variables": dict(fact["variables"]), "explain": dict(fact["explain"]), "options": {}}
    fact["shown"] = {
        name: value for settings in owned.values() for name, value in (settings.get("shown") or {}).items()
    }
    shared = {}
    for role, settings in owned.items():
        for kind in ("variables", "options"):
            for name, setting in (settings.get(kind) or {}).items():
                if name in shared and fact[kind].get(name) == setting["value"]:
                    # two roles need the same thing (the clone plugin): one line, both reasons
                    fact["explain"][name]["formula"] += f"; {setting['formula']}"
                    continue
                if name in overrides or name in fact["variables"] or name in fact["options"]:
                    raise SizingError(
                        f"mysql_tune_overrides: {name} is set by the {role} role; use its {role}_* variables"
                    )
                shared[name] = role
                fact[kind][name] = setting["value"]
                fact["explain"][name] = {"formula": setting["formula"], "inputs": {}}
    return fact


def version_tuple(version: str) -> tuple[int, ...]:
    """'9.7.4-2' -> (9, 7, 4); '1:11.8.6-0+deb13u1' -> (11, 8, 6)."""
    upstream = version.split(":", 1)[-1].split("-", 1)[0]
    return tuple(int(part) for part in re.findall(r"\d+", upstream)[:3]) or (0,)


def budget_of(inputs: Inputs) -> int:
    return int(inputs.memory * PROFILES[inputs.profile][0])


def pool_share(budget: int) -> float:
    """Buffer pool share of the budget: grows by POOL_SHARE_STEP per doubling past POOL_SHARE_FROM."""
    doublings = max(0.0, math.log2(budget / POOL_SHARE_FROM))
    return min(POOL_SHARE_MAX, POOL_SHARE_BASE + POOL_SHARE_STEP * doublings)


def buffer_pool_ratio(inputs: Inputs) -> float:
    return inputs.buffer_pool_ratio if inputs.buffer_pool_ratio is not None else pool_share(budget_of(inputs))


def server_default(table: dict, flavor: str, version: tuple[int, ...]):
    """The server's own default for a variable whose default changed between versions."""
    for since, value in sorted(table[flavor].items(), reverse=True):
        if version >= since:
            return value
    raise KeyError(flavor)


def whole_mib(size: float) -> int:
    return int(size) // MIB * MIB


def clamp(value, low, high):
    return max(low, min(high, value))


def log_buffer_size(inputs: Inputs, exact: bool = False) -> float:
    """innodb_log_buffer_size: budget/256, whole MiB, never below the server's default, at most 256 MiB."""
    own = server_default(SERVER_LOG_BUFFER, inputs.flavor, inputs.version_tuple)
    share = budget_of(inputs) / 256
    return clamp(share if exact else whole_mib(share), own, max(own, 256 * MIB))


def performance_schema_on(inputs: Inputs) -> bool:
    if inputs.performance_schema != "auto":
        return inputs.performance_schema == "on"
    return inputs.flavor == "mysql" and budget_of(inputs) >= PERFORMANCE_SCHEMA_MIN_BUDGET


def performance_schema_setting(inputs: Inputs, value: str, budget: int) -> Setting:
    held = (
        f"holds {human(PERFORMANCE_SCHEMA_BASE[inputs.flavor])} "
        f"+ {human(PERFORMANCE_SCHEMA_PER_CONNECTION[inputs.flavor])} per connection, counted in the peak"
    )
    if inputs.performance_schema == "auto":
        return Setting(
            value, f"ON from a {human(PERFORMANCE_SCHEMA_MIN_BUDGET)} budget ({held})", {"budget": human(budget)}
        )
    why = "statement digests for the query report" if value == "ON" else "nothing instrumented"
    return Setting(value, f"mysql_tune_performance_schema={inputs.performance_schema}: {why} ({held})", {})


def statement_samples(flavor: str, variables: dict) -> dict:
    """Start-up options the sizing adds beside its variables: on MariaDB with performance_schema on,
    the statement consumers, so that the query report finds a statement of each digest to EXPLAIN
    in the history_long ring (MySQL keeps one in the digest table itself; MariaDB ships every
    consumer off, and history_long records nothing while events_statements_current is off)."""
    if flavor != "mariadb" or str(variables.get("performance_schema", "")).upper() != "ON":
        return {}
    why = "the last statements with their values, for the query report's EXPLAIN (counted in performance_schema's size)"
    return {
        "options": {
            f"performance_schema_consumer_events_statements_{consumer}": {"value": "ON", "formula": why}
            for consumer in ("current", "history_long")
        }
    }


def performance_schema_reserve(inputs: Inputs) -> int:
    """Global memory kept for performance_schema.

    MySQL (auto): below a 4 GiB budget it is switched off and a share of the budget (budget/16,
    which reaches its size there) stays free, so that every other value grows smoothly with memory.
    MariaDB ships it off: its size is kept only when mysql_tune_performance_schema turns it on.
    """
    if inputs.performance_schema != "auto" or inputs.flavor != "mysql":
        return PERFORMANCE_SCHEMA_BASE[inputs.flavor] if performance_schema_on(inputs) else 0
    return min(budget_of(inputs) // 16, PERFORMANCE_SCHEMA_BASE["mysql"])


def temptable_max_ram(inputs: Inputs, exact: bool = False) -> float:
    """MySQL's server-wide TempTable pool: budget/32 within 32 MiB..4 GiB, whole MiB."""
    share = budget_of(inputs) / TEMP_TABLE_SHARE
    return clamp(share if exact else whole_mib(share), *TEMPTABLE_RAM_RANGE)


def pools_floor(inputs: Inputs) -> int:
    """The fewest connections that serve the application pools (0 when none are declared)."""
    return inputs.app_connections + HEADROOM_CONNECTIONS if inputs.app_connections else 0


def reserved_connections(inputs: Inputs) -> int:
    """The connections the buffer pool leaves room for: those asked for, else the profile's or the
    application pools', whichever is more."""
    if inputs.max_connections is not None:
        return inputs.max_connections
    return max(PROFILES[inputs.profile][1], pools_floor(inputs))


def table_caches(inputs: Inputs, exact: bool = False) -> tuple[float, float]:
    """(table_open_cache, table_definition_cache): one open table per MiB of budget within
    400..4000; definitions by MySQL's own autosizing rule, 400 + open/2, at most 2000."""
    per_mib = budget_of(inputs) / MIB
    tables = clamp(per_mib if exact else int(per_mib), *TABLE_OPEN_CACHE_RANGE)
    return tables, min(TABLE_DEFINITION_CACHE_MAX, 400 + (tables / 2 if exact else tables // 2))


def memory_variables(inputs: Inputs, exact: bool = False) -> dict:
    """Every value the memory model counts except the pool and max_connections.

    ``exact``: before rounding to whole MiB and whole tables, so that what the pool and the
    connections are fitted to grows smoothly with memory; the rendered values are never larger.
    """
    tables, definitions = table_caches(inputs, exact)
    values = {
        **PER_THREAD_RENDERED,
        "innodb_log_buffer_size": log_buffer_size(inputs, exact),
        "key_buffer_size": KEY_BUFFER_SIZE,
        "table_open_cache": tables,
        "table_definition_cache": definitions,
    }
    if inputs.flavor == "mysql":
        values["performance_schema"] = "ON" if performance_schema_on(inputs) else "OFF"
        values["temptable_max_ram"] = temptable_max_ram(inputs, exact)
        values["tmp_table_size"] = values["max_heap_table_size"] = MYSQL_TMP_TABLE_SIZE
    else:
        if inputs.performance_schema != "auto":
            values["performance_schema"] = "ON" if performance_schema_on(inputs) else "OFF"
        values["aria_pagecache_buffer_size"] = ARIA_PAGECACHE_SIZE
        values["tmp_table_size"] = values["max_heap_table_size"] = MARIADB_TMP_TABLE_SIZE
    return values


def per_thread_of(variables: dict, flavor: str) -> int:
    """Worst case one connection can hold with these values.

    Its buffers, stack, binary log cache, network buffers and session state; on MySQL its share
    of performance_schema (counted even when that is off, so values grow smoothly with memory);
    on MariaDB an in-memory temporary table, twice its limit as measured (MySQL's live in the
    server-wide TempTable pool).
    """
    total = (
        sum(variables[name] for name in PER_THREAD_RENDERED)
        + variables.get("thread_stack", THREAD_STACK[flavor])
        + variables.get("binlog_cache_size", BINLOG_CACHE_SIZE)
        + 2 * variables.get("net_buffer_length", NET_BUFFER_LENGTH)
        + SESSION_MEMORY[flavor]
    )
    if flavor == "mysql":
        return total + PERFORMANCE_SCHEMA_PER_CONNECTION["mysql"]
    if variables.get("performance_schema") == "ON":
        total += PERFORMANCE_SCHEMA_PER_CONNECTION["mariadb"]
    return total + MARIADB_TMP_TABLE_FACTOR * min(variables["tmp_table_size"], variables["max_heap_table_size"])


def global_of(variables: dict, flavor: str, performance_schema: int) -> int:
    """Memory the server holds once, whatever the connections: pools, caches, its own base."""
    pool = variables["innodb_buffer_pool_size"]
    return (
        pool
        + math.ceil(pool * POOL_OVERHEAD[flavor])
        + sum(variables.get(name, 0) for name in GLOBAL_SIZES if name != "innodb_buffer_pool_size")
        + performance_schema
        + variables["table_open_cache"] * TABLE_OPEN_MEMORY
        + variables["table_definition_cache"] * TABLE_DEFINITION_MEMORY
        + SERVER_BASE[flavor]
    )


def pool_room(inputs: Inputs, connections: int) -> int:
    """The largest buffer pool that leaves room for this many connections under the 90 % bound."""
    flavor = inputs.flavor
    others = {**memory_variables(inputs, exact=True), "innodb_buffer_pool_size": 0}
    room = (
        PEAK_LIMIT * budget_of(inputs)
        - global_of(others, flavor, performance_schema_reserve(inputs))
        - connections * per_thread_of(others, flavor)
    )
    return whole_mib(room / (1 + POOL_OVERHEAD[flavor]))  # whole MiB: the rounding slack stays free


def connections_fit(inputs: Inputs, pool: int) -> int:
    """How many connections fit beside this pool under the 90 % bound, from the unrounded values
    (so the count grows with memory, and the rendered values, never larger, keep the bound)."""
    model = {**memory_variables(inputs, exact=True), "innodb_buffer_pool_size": pool}
    held = global_of(model, inputs.flavor, performance_schema_reserve(inputs))
    return max(0, math.floor((PEAK_LIMIT * budget_of(inputs) - held) / per_thread_of(model, inputs.flavor)))


def buffer_pool_target(inputs: Inputs) -> tuple[int, bool]:
    """(the pool before rounding, whether it was lowered below its share to leave room for the
    connections). An explicit ratio is taken as given; the connections check follows."""
    budget = budget_of(inputs)
    by_ratio = int(buffer_pool_ratio(inputs) * budget)
    room = pool_room(inputs, reserved_connections(inputs))
    if inputs.buffer_pool_ratio is None and inputs.max_connections is None:
        # on a small host the profile's connections give way, down to MIN_CONNECTIONS (never below
        # the application pools), before the pool does
        least = max(MIN_CONNECTIONS, pools_floor(inputs))
        room = max(room, min(pool_room(inputs, least), int(budget / 8)))
    lowered = inputs.buffer_pool_ratio is None and room < by_ratio
    target = room if lowered else by_ratio
    if target < MIN_BUFFER_POOL and inputs.max_connections is not None:
        fit = connections_fit(inputs, MIN_BUFFER_POOL)
        raise SizingError(
            f"mysql_tune_max_connections={inputs.max_connections} does not fit in the {human(budget)} budget even "
            f"beside the smallest buffer pool ({human(MIN_BUFFER_POOL)}): lower mysql_tune_max_connections to "
            f"{fit} or less (the largest that fits), give the host more memory, or use connection pooling"
        )
    if target < MIN_BUFFER_POOL and inputs.app_connections:
        raise SizingError(
            f"mysql_server_users: the accounts' max_user_connections add up to {inputs.app_connections}; with "
            f"{HEADROOM_CONNECTIONS} for administration they do not fit in the {human(budget)} budget beside the "
            f"smallest buffer pool ({human(MIN_BUFFER_POOL)}): lower the pools or give the host more memory"
        )
    if target < MIN_BUFFER_POOL:
        raise SizingError(
            f"a memory budget of {human(budget)} leaves no room for a {human(MIN_BUFFER_POOL)} buffer pool "
            f"beside {reserved_connections(inputs)} connections: give the host more memory (or raise "
            f"mysql_host_memory), lower mysql_tune_max_connections, or use mysql_tune_profile=dedicated"
        )
    return target, lowered


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
    return server_default(SERVER_IO_DEFAULTS, flavor, version)


def io_capacity(inputs: Inputs, kind: str) -> tuple[int, int, str, dict]:
    """(innodb_io_capacity, innodb_io_capacity_max, formula, inputs).

    The server counts 16 KiB page writes per second; fio measures sustained 16 KiB random
    writes. Capacity is a quarter of the measurement, within 100..20000: each page the
    background flushes is written twice (the doublewrite buffer, then its place), and commits'
    log syncs and the reads of pages missing from the pool need the rest. _max is twice capacity
    but never above the measurement, and never below capacity. Half the measurement, the rule
    before, lost to a quarter in every round of the best-found search on write-heavy (README).
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
    capacity = max(MIN_IO_CAPACITY, min(inputs.iops // IO_CAPACITY_SHARE, MAX_IO_CAPACITY))
    maximum = max(capacity, min(inputs.iops, 2 * capacity))
    return (
        capacity,
        maximum,
        f"capacity = clamp(iops/{IO_CAPACITY_SHARE}, 100, 20000); max = clamp(2 x capacity, capacity, iops)",
        {"iops": inputs.iops},
    )


# The pool divided by this gives the redo. MySQL's adaptive flushing keeps the checkpoint age low
# (peak 16 % of a quarter-pool redo in make bench-lab); MariaDB flushes lazily and lets it run up
# the log (11.8: peak 59 % of a quarter-pool redo in the same run), so it gets twice the log.
REDO_POOL_DIVISOR = {"mysql": 4, "mariadb": 2}
REDO_MIN = 128 * MIB
REDO_MAX = 16 * GIB


def redo_size(flavor: str, pool: int) -> int:
    """Redo: the pool / REDO_POOL_DIVISOR[flavor] within 128 MiB..16 GiB, whole MiB.

    The stall it prevents: a small redo (2 x 48 MB) fills before the dirty pages are flushed, and
    writes wait for a flush storm. The bench's sampler records the checkpoint age's peak as a
    share of this capacity for every write-heavy run (report.json, the report's redo column).
    """
    return max(REDO_MIN, min(REDO_MAX, pool // REDO_POOL_DIVISOR[flavor] // MIB * MIB))


def required_open_files(flavor: str, max_connections: int, table_open_cache: int, instances: int = 1) -> int:
    """What the server asks the kernel for at start.

    MySQL: max(10 + max_connections + 2 x table_open_cache, 5 x max_connections).
    MariaDB: 30 + max_connections + 1 (extra_max_connections) + 2 x table_open_cache x
    table_open_cache_instances; short of it, MariaDB cuts the instances, then the caches.
    """
    if flavor == "mariadb":
        return 30 + max_connections + 1 + 2 * table_open_cache * instances
    return max(10 + max_connections + 2 * table_open_cache, 5 * max_connections)


def mariadb_table_cache_instances(inputs: Inputs, connections: int, tables: int) -> int:
    """The most table cache instances (at most MariaDB's 8) whose open files fit the limit; 0 if none."""
    fitting = [
        n
        for n in range(MARIADB_TABLE_CACHE_INSTANCES, 0, -1)
        if required_open_files("mariadb", connections, tables, n) <= inputs.open_files
    ]
    return fitting[0] if fitting else 0


def binlog_room(inputs: Inputs) -> int | None:
    """Bytes the binary logs may take: a share of the datadir's free space plus the logs it holds.

    Rounded down to a power of two, and the room of the run before kept while the new one is
    within a factor of two of it (so at most half the space): the free space moves between runs
    (other files, other containers on a shared disk), and free space hovering at a power of two
    must not flip the value on every run.
    """
    if inputs.datadir_free is None:
        return None
    share = max(MIB, int(BINLOG_SPACE_SHARE * (inputs.datadir_free + inputs.binlog_bytes)))
    room = 1 << (share.bit_length() - 1)  # at least 1 MiB: max_binlog_total_size = 0 would mean no limit
    before = inputs.binlog_room_before
    if before and room // 2 <= before <= 2 * room:
        return before
    return room


def binlog_retention(inputs: Inputs) -> tuple[dict[str, Setting], dict]:
    """(settings, summary): how long binary logs are kept so that they fit the datadir.

    MySQL 8.0+ writes binary logs by default and purges them after 30 days whatever their
    size; MariaDB writes none unless log_bin is set, and then keeps them forever unless told.
    The daily rate comes from the logs present once they span a day; the retention is the
    longest step of BINLOG_RETENTION_DAYS whose logs fit the room, at least a day.
    """
    flavor, version = inputs.flavor, inputs.version_tuple
    enabled = inputs.binlog if inputs.binlog is not None else flavor == "mysql"
    if not enabled:
        reason = (
            "MariaDB writes no binary log unless log_bin is set: nothing to retain"
            if flavor == "mariadb"
            else "log_bin is OFF: nothing to retain"
        )
        return {}, {"enabled": False, "reason": reason}
    room = binlog_room(inputs)
    rate = inputs.binlog_written * DAY / inputs.binlog_span if inputs.binlog_span >= DAY else 0
    capped = flavor == "mariadb" and version >= (11, 4) and room is not None
    measured = room is not None and rate > 0
    if measured:
        fitting = [step for step in BINLOG_RETENTION_DAYS if step * rate <= room]
        days = fitting[-1] if fitting else BINLOG_RETENTION_DAYS[0]
        why = (
            f"the longest of {', '.join(map(str, BINLOG_RETENTION_DAYS))} days whose logs fit the room "
            "at the daily rate of the logs present"
            if fitting
            else "1 day, and even that does not fit the room at the logs' daily rate: give the datadir more space"
        )
    else:
        days = BINLOG_RETENTION_DAYS[-1]
        unknown = "the datadir's free space is unknown" if room is None else "no binary logs span a day yet"
        why = f"{days} days (MySQL's default): {unknown}, so no daily rate to fit"
    # Only what stays put between runs is recorded (the rate moves with every write), and the
    # room only where it decides a value.
    room_inputs = {"room": human(room), "share_of_free": BINLOG_SPACE_SHARE} if measured or capped else {}
    summary = {"enabled": True, "days": days, "reason": why, **({"room": room} if room_inputs else {})}
    settings: dict[str, Setting] = {}
    if flavor == "mysql" or version >= (10, 6, 1):
        settings["binlog_expire_logs_seconds"] = Setting(days * DAY, why, room_inputs if measured else {})
    else:
        settings["expire_logs_days"] = Setting(days, why, room_inputs if measured else {})
    if flavor == "mariadb" and version >= (11, 4):
        # Left as shipped: whether a primary may purge logs a disconnected replica still needs is
        # the administrator's call, and the toolkit does not know the replicas.
        summary["reason"] += (
            "; MariaDB >= 11.4 purges only while slave_connections_needed_for_purge (default 1) replicas are "
            "connected: a server without replicas needs it 0 (mysql_tune_overrides)"
        )
    if capped:
        settings["max_binlog_total_size"] = Setting(
            room,
            f"{BINLOG_SPACE_SHARE} x (datadir free + binary logs present), down to a power of two: "
            "the oldest logs go first",
            room_inputs,
        )
    return settings, summary


def plan(inputs: Inputs) -> Plan:
    inputs.check()
    flavor, version = inputs.flavor, inputs.version_tuple
    budget = budget_of(inputs)
    ratio = buffer_pool_ratio(inputs)
    target, lowered = buffer_pool_target(inputs)
    model = memory_variables(inputs)
    settings: dict[str, Setting] = {}

    budget_inputs = {"memory": human(inputs.memory), "profile": inputs.profile, "budget": human(budget)}
    if flavor == "mysql":
        pool, instances, chunk = mysql_buffer_pool(target, inputs.cpus)
    elif version < (10, 8) and target >= DEFAULT_CHUNK:
        # MariaDB before 10.8 rounds the pool up to a multiple of its 128 MiB chunk (one instance);
        # a smaller pool makes the chunk smaller and is kept
        pool, instances, chunk = target // DEFAULT_CHUNK * DEFAULT_CHUNK, 1, DEFAULT_CHUNK
    else:
        pool, instances, chunk = whole_mib(target), 1, 0
    share = "requested" if inputs.buffer_pool_ratio is not None else "0.60, +0.03 per doubling past 8G, at most 0.75"
    pool_formula = f"{ratio:.2f} x budget ({share}), rounded down so the server keeps it"
    if lowered:
        pool_formula = (
            f"budget x {PEAK_LIMIT:.2f} - global memory - {reserved_connections(inputs)} connections "
            f"(less than {ratio:.2f} x budget), rounded down so the server keeps it"
        )
    settings["innodb_buffer_pool_size"] = Setting(pool, pool_formula, {**budget_inputs, "ratio": round(ratio, 3)})
    if flavor == "mysql":
        settings["innodb_buffer_pool_instances"] = Setting(
            instances, "min(pool in whole GiB, CPUs, 64), at least 1", {"pool": human(target), "cpus": inputs.cpus}
        )
        settings["innodb_buffer_pool_chunk_size"] = Setting(
            chunk,
            "pool / (instances x 2^m), m least with chunk <= 128M and <= 1000 chunks",
            {"pool": human(pool), "instances": instances},
        )
    elif version < (10, 5):
        settings["innodb_buffer_pool_instances"] = Setting(1, "1: the pool is kept as a multiple of one chunk", {})

    per_thread = per_thread_of(model, flavor)
    fit = connections_fit(inputs, target)  # from the unrounded target: the rounded pool is never larger
    floor = pools_floor(inputs)
    if inputs.max_connections is None:
        connections = max(min(fit, AUTO_CONNECTIONS_CAP), floor)
    else:
        connections = inputs.max_connections
    if inputs.max_connections is None and connections > fit:
        raise SizingError(
            f"mysql_server_users: the accounts' max_user_connections add up to {inputs.app_connections}; with "
            f"{HEADROOM_CONNECTIONS} for administration they need {floor} connections, and at {human(per_thread)} "
            f"per connection {fit} fit in the {human(budget)} budget: lower the pools or give the host more memory"
        )
    if connections > fit:
        room = pool_room(inputs, connections)
        advice = (
            f"lower mysql_tune_buffer_pool_ratio to {math.floor(room / budget * 100) / 100:.2f}"
            if inputs.buffer_pool_ratio is not None and room >= MIN_BUFFER_POOL
            else "give the host more memory"
        )
        raise SizingError(
            f"mysql_tune_max_connections={connections} does not fit: at {human(per_thread)} per connection the "
            f"worst-case peak would exceed {PEAK_LIMIT:.0%} of the {human(budget)} budget. Lower "
            f"mysql_tune_max_connections to {fit} or less (the largest that fits), {advice}, "
            f"or use connection pooling in the application"
        )
    connection_inputs = {
        "per_thread": human(per_thread),
        "fit": fit,
        "peak_limit": f"{PEAK_LIMIT:.0%} of {human(budget)}",
    }
    auto = f"min(connections that fit, {AUTO_CONNECTIONS_CAP})"
    if floor:
        auto = f"max({auto}, application pools + {HEADROOM_CONNECTIONS})"
        connection_inputs["application_pools"] = inputs.app_connections
    settings["max_connections"] = Setting(
        connections, "requested" if inputs.max_connections is not None else auto, connection_inputs
    )
    settings["thread_cache_size"] = Setting(
        min(connections, THREAD_CACHE_MAX),
        f"min(max_connections, {THREAD_CACHE_MAX}): an application pool reconnects without a new thread",
        {"max_connections": connections},
    )
    if flavor == "mysql" and version >= (8, 0, 14):
        settings["admin_address"] = Setting(
            "127.0.0.1", "loopback: the administrators' own interface, served when every connection is taken", {}
        )
        settings["admin_port"] = Setting(ADMIN_PORT[flavor], "the server's default admin port", {})
    elif flavor == "mariadb":
        settings["extra_port"] = Setting(
            ADMIN_PORT[flavor],
            "a port for administrators (extra_max_connections), served when every connection is taken",
            {},
        )

    own_log_buffer = server_default(SERVER_LOG_BUFFER, flavor, version)
    settings["innodb_log_buffer_size"] = Setting(
        model["innodb_log_buffer_size"],
        "budget / 256, whole MiB, within the server's default..256M",
        {"budget": human(budget), "server_default": human(own_log_buffer)},
    )
    settings["key_buffer_size"] = Setting(KEY_BUFFER_SIZE, "fixed: MyISAM index cache, InnoDB-only server", {})
    if flavor == "mariadb":
        settings["aria_pagecache_buffer_size"] = Setting(
            ARIA_PAGECACHE_SIZE, "fixed: Aria cache for MariaDB's system tables", {}
        )
    for name, size in PER_THREAD_RENDERED.items():
        settings[name] = Setting(size, "per connection; counted x max_connections in the peak", {})
    if flavor == "mysql":
        settings["temptable_max_ram"] = Setting(
            model["temptable_max_ram"],
            "budget / 32 within 32M..4G: one TempTable pool for every connection's temporary tables, "
            "counted once; beyond it they go to InnoDB on disk",
            {"budget": human(budget)},
        )
        if version >= (8, 0, 23):
            settings["temptable_max_mmap"] = Setting(
                0, "0: no memory-mapped overflow, so TempTable never holds more than temptable_max_ram", {}
            )
        settings["tmp_table_size"] = Setting(
            MYSQL_TMP_TABLE_SIZE, "largest single in-memory temporary table (inside temptable_max_ram)", {}
        )
        settings["max_heap_table_size"] = Setting(MYSQL_TMP_TABLE_SIZE, "largest MEMORY table", {})
        settings["performance_schema"] = performance_schema_setting(inputs, model["performance_schema"], budget)
    else:
        if "performance_schema" in model:
            settings["performance_schema"] = performance_schema_setting(inputs, model["performance_schema"], budget)
        formula = "fixed: every connection may hold an in-memory temporary table this large, counted per connection"
        settings["tmp_table_size"] = Setting(model["tmp_table_size"], formula, {})
        settings["max_heap_table_size"] = Setting(model["max_heap_table_size"], formula, {})

    redo = redo_size(flavor, pool)
    redo_formula = f"pool / {REDO_POOL_DIVISOR[flavor]} within {human(REDO_MIN)}..{human(REDO_MAX)}"
    redo_inputs = {"pool": human(pool)}
    if flavor == "mysql" and version >= (8, 0, 30):
        settings["innodb_redo_log_capacity"] = Setting(redo, redo_formula, redo_inputs)
    elif flavor == "mariadb" and version >= (10, 5):
        settings["innodb_log_file_size"] = Setting(redo, redo_formula, redo_inputs)
    else:
        # older servers split the redo over innodb_log_files_in_group files (their default is 2)
        half = redo // 2 // MIB * MIB
        settings["innodb_log_file_size"] = Setting(half, f"({redo_formula}) / 2 files", redo_inputs)
        settings["innodb_log_files_in_group"] = Setting(2, "fixed", {})

    direct_io = inputs.filesystem != "tmpfs"
    fs_inputs = {"filesystem": inputs.filesystem}
    if flavor == "mariadb" and version >= (11, 0):
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
    own_depth = server_default(SERVER_LRU_SCAN_DEPTH, flavor, version)
    settings["innodb_lru_scan_depth"] = Setting(
        clamp(maximum // instances, 128, own_depth),
        "innodb_io_capacity_max / pool instances within 128..the server's default: "
        "no more free-page scanning than the disk can write at its burst",
        {"io_capacity_max": maximum, "instances": instances, "server_default": own_depth},
    )
    cpu_inputs = {"cpus": inputs.cpus, "disk_class": kind}
    settings["innodb_read_io_threads"] = Setting(clamp(inputs.cpus // 2, 4, 64), "CPUs / 2 within 4..64", cpu_inputs)
    settings["innodb_write_io_threads"] = Setting(
        4 if kind == "hdd" else clamp(inputs.cpus // 4, 4, 64),
        "4 on HDD (one head), else CPUs / 4 within 4..64",
        cpu_inputs,
    )
    settings["innodb_purge_threads"] = Setting(clamp(inputs.cpus // 4, 1, 4), "CPUs / 4 within 1..4", cpu_inputs)
    if flavor == "mysql":
        settings["innodb_page_cleaners"] = Setting(instances, "one per buffer pool instance", {"instances": instances})
    if flavor == "mysql" and version >= (8, 0, 22):
        settings["innodb_log_writer_threads"] = Setting(
            "ON" if inputs.cpus >= LOG_WRITER_THREADS_MIN_CPUS else "OFF",
            f"ON from {LOG_WRITER_THREADS_MIN_CPUS} CPUs: on fewer, the connections write the redo log "
            "themselves rather than wake dedicated threads (MySQL's advice for low concurrency)",
            {"cpus": inputs.cpus},
        )

    tables, definitions = model["table_open_cache"], model["table_definition_cache"]
    settings["table_open_cache"] = Setting(tables, "budget in MiB within 400..4000", {"budget": human(budget)})
    settings["table_definition_cache"] = Setting(
        definitions, "400 + table_open_cache / 2, at most 2000 (MySQL's own autosizing)", {"table_open_cache": tables}
    )
    cache_instances = 1
    if flavor == "mariadb":
        cache_instances = mariadb_table_cache_instances(inputs, connections, tables)
        if cache_instances:
            settings["table_open_cache_instances"] = Setting(
                cache_instances,
                "the most instances (at most 8) whose open files fit open_files_limit",
                {"open_files": inputs.open_files, "max_connections": connections, "table_open_cache": tables},
            )
    need = required_open_files(flavor, connections, tables, max(1, cache_instances))
    if inputs.open_files < need:
        raise SizingError(
            f"mysql_limits_nofile={inputs.open_files} is below what the server needs for "
            f"{connections} connections and {tables} open tables: {need}; "
            f"raise mysql_limits_nofile to at least {need} or lower mysql_tune_max_connections"
        )
    settings["open_files_limit"] = Setting(
        inputs.open_files,
        "= LimitNOFILE; at least the files the server asks for",
        {"nofile": inputs.open_files, "needed": need},
    )

    if inputs.tmpdir != "/tmp":
        settings["tmpdir"] = Setting(
            inputs.tmpdir,
            "the first of /tmp, /var/tmp on disk: sort merges and temporary tables that left memory "
            "would otherwise take memory in a tmpfs /tmp",
            {"tmpdir": inputs.tmpdir},
        )

    binlog_settings, binlog = binlog_retention(inputs)
    settings.update(binlog_settings)

    settings["slow_query_log"] = Setting("ON", "always: slow queries are where tuning starts", {})
    settings["long_query_time"] = Setting(inputs.long_query_time, "requested", {})
    rotation = slow_log_rotation(inputs.slow_query_log_file, inputs.log_dir_size)
    settings["slow_query_log_file"] = Setting(
        inputs.slow_query_log_file,
        f"OS layout; rotated by size (mysql_tune's logrotate timer): {rotation['reason']}",
        {"max_size": human(rotation["max_size"]), "keep": rotation["keep"]},
    )
    # what a slow statement did, beside its time (the query report reads it where performance_schema is off)
    if flavor == "mysql" and version >= LOG_SLOW_EXTRA_SINCE:
        settings["log_slow_extra"] = Setting(
            "ON", "each slow statement with its rows examined and sent, temporary tables, sorts and errors", {}
        )
    elif flavor == "mariadb":
        settings["log_slow_verbosity"] = Setting(
            "query_plan", "each slow statement with its plan: full scans and joins, filesort, temporary tables", {}
        )

    variables = {name: setting.value for name, setting in settings.items()}
    peak, global_memory, per_thread = peak_of(variables, flavor, performance_schema_reserve(inputs))
    if peak > PEAK_LIMIT * budget:
        raise AssertionError("sizing invariant broken: peak above the limit")
    return Plan(
        inputs,
        budget,
        peak,
        per_thread,
        global_memory,
        settings,
        {"value": kind, "reported": inputs.disk, "reason": kind_reason},
        binlog,
        rotation,
    )


# Overrides that change the worst-case peak: counted once, or once per connection.
GLOBAL_SIZES = (
    "innodb_buffer_pool_size",
    "innodb_log_buffer_size",
    "key_buffer_size",
    "aria_pagecache_buffer_size",
    "temptable_max_ram",
)
PER_THREAD_SIZES = (
    *PER_THREAD_RENDERED,
    "thread_stack",
    "binlog_cache_size",
    "net_buffer_length",
    "tmp_table_size",
    "max_heap_table_size",
)
# Counts that change the peak: connections, and the table caches' entries.
COUNTS = ("max_connections", "table_open_cache", "table_definition_cache")
SIZE_NOTATION = re.compile(r"^\d+(\.\d+)?[KMGT]$", re.IGNORECASE)


def normalize_override(name: str, value):
    """The server's size notation (512M, 8G) and digit strings become integers, as SHOW GLOBAL
    VARIABLES shows them; other values stay as given."""
    if isinstance(value, str) and SIZE_NOTATION.match(value.strip()):
        return parse_size(value.strip())
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if name in GLOBAL_SIZES + PER_THREAD_SIZES + COUNTS and not isinstance(value, int):
        raise SizingError(
            f"mysql_tune_overrides: {name}={value!r} is not a size (bytes, or a number with K, M, G or T)"
        )
    return value


def peak_of(variables: dict, flavor: str, performance_schema: int) -> tuple[int, int, int]:
    """(worst-case peak, global memory, per-connection memory) of a set of values."""
    per_thread = per_thread_of(variables, flavor)
    global_memory = global_of(variables, flavor, performance_schema)
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
            variables["innodb_page_cleaners"] = instances
        if "innodb_buffer_pool_chunk_size" not in given:
            variables["innodb_buffer_pool_chunk_size"] = chunk
    reserve = performance_schema_reserve(inputs)
    if variables.get("performance_schema") == "ON":
        reserve = PERFORMANCE_SCHEMA_BASE[inputs.flavor]
    peak, global_memory, per_thread = peak_of(variables, inputs.flavor, reserve)
    limit = int(PEAK_LIMIT * result.budget)
    if peak > limit:
        over = peak - limit
        connections = variables["max_connections"]
        # the plan itself fits, so only overrides that count in the peak can break it
        culprits = [name for name in given if name in GLOBAL_SIZES + PER_THREAD_SIZES + COUNTS]
        advice = []
        for name in culprits:
            if name == "innodb_buffer_pool_size":
                largest = human(variables[name] - math.ceil(over / (1 + POOL_OVERHEAD[inputs.flavor])))
            elif name in GLOBAL_SIZES:
                largest = human(variables[name] - over)
            elif name == "max_connections":
                largest = (limit - global_memory) // per_thread
            elif name in COUNTS:
                largest = variables[name] - math.ceil(over / TABLE_OPEN_MEMORY)
            else:
                largest = human(variables[name] - math.ceil(over / connections))
            advice.append(f"{name} at most {largest}")
        raise SizingError(
            f"mysql_tune_overrides {', '.join(f'{n}={overrides[n]}' for n in culprits)} do not fit: "
            f"the worst-case peak would be {human(peak)}, above {PEAK_LIMIT:.0%} of the {human(result.budget)} "
            f"budget; the largest that fits: {'; '.join(advice) or 'none of them'}"
        )
    instances = variables.get("table_open_cache_instances", 1)
    need = required_open_files(inputs.flavor, variables["max_connections"], variables["table_open_cache"], instances)
    if variables["open_files_limit"] < need:
        raise SizingError(
            f"mysql_tune_overrides: max_connections={variables['max_connections']} and "
            f"table_open_cache={variables['table_open_cache']} need {need} open files, above "
            f"open_files_limit={variables['open_files_limit']}: raise mysql_limits_nofile to at least {need}"
        )
    return variables, peak, global_memory, per_thread
