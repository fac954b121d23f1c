"""What each role input accepts beyond its type, written once.

Types and choices are in each role's ``meta/argument_specs.yml`` (ansible-core checks them). What a
type cannot say lives here: ranges, sizes, absolute paths, names, and the rules between two inputs.
A rule returns the words for what is accepted when the value is outside it, so that every message
names one variable, its value and the accepted range, in that order.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable, Optional

from ansible_collections.local.mysql.plugins.module_utils import hardening, overrides
from ansible_collections.local.mysql.plugins.module_utils.access import bind_address_words, pools_words, users_words
from ansible_collections.local.mysql.plugins.module_utils.databases import (
    ALLOW_DROP,
    SYSTEM_SCHEMAS,
    databases_words,
    drop_words,
)
from ansible_collections.local.mysql.plugins.module_utils.refusal import must_be
from ansible_collections.local.mysql.plugins.module_utils.rollout import batch_words, fits_fleet
from ansible_collections.local.mysql.plugins.module_utils.sizes import GIB, MIB, SizingError, parse_size

Rule = Callable[[Any], Optional[str]]

# The bench's configurations and workloads are choices in its argument spec; these are not.
MIN_BENCH_TABLE_SIZE = 1000
# Not an input: the number of hosts in the run, for the rules that count hosts.
FLEET = "hosts in the run"
# Inputs whose value holds secrets: their messages never print the value.
SECRET = ("mysql_server_users", "mysql_replication_password")


def is_whole(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isdigit()


def whole(low: int, high: int, also: tuple = ()) -> Rule:
    def rule(value):
        if value in also and not isinstance(value, bool):
            return None
        if not is_whole(value) or not low <= int(value) <= high:
            return " or ".join([*map(str, also), f"a whole number in {low}..{high}"])
        return None

    return rule


def fraction(high: float) -> Rule:
    def rule(value):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= high:
            return f"empty (computed) or a number > 0 and <= {high}"
        return None

    return rule


def number(low: float, high: float) -> Rule:
    def rule(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            return f"a number in {low}..{high}"
        return None

    return rule


def size(low: int, high: int | None, empty: str) -> Rule:
    """A size (bytes, or a number with K/M/G/T); ``empty`` is the word that means "decide for me"."""
    words = f"{empty!r} or a size of at least {low // MIB}M" + (f" and at most {high // GIB}G" if high else "")

    def rule(value):
        if value == empty:
            return None
        try:
            given = parse_size(value)
        except SizingError:
            return words + " such as 4G"
        if given < low or (high and given > high):
            return words
        return None

    return rule


def absolute_path(also: str = "") -> Rule:
    def rule(value):
        if value == also and also:
            return None
        if not isinstance(value, str) or not value.startswith("/"):
            return (f"{also!r} or " if also else "") + "an absolute path"
        return None

    return rule


def matching(pattern: str, words: str) -> Rule:
    def rule(value):
        return None if isinstance(value, str) and re.fullmatch(pattern, value) else words

    return rule


def not_empty(words: str) -> Rule:
    def rule(value):
        return None if value and str(value).strip() else words

    return rule


def every_key(pattern: str, words: str) -> Rule:
    def rule(value):
        return None if all(re.fullmatch(pattern, str(key)) for key in value) else words

    return rule


def overrides_words(value):
    """Server variable names, none of them a setting the toolkit owns (module_utils/overrides.py)."""
    if not all(re.fullmatch(r"[a-z0-9_]+", str(key)) for key in value):
        return "a mapping whose keys are server variable names"
    refused = overrides.owned(value)
    if refused:
        return "a mapping without the settings the toolkit owns; set them with: " + "; ".join(refused)
    return None


def bench_name(value):
    if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", value):
        return "a lower-case name of letters, digits and _ (1..32)"
    if value in SYSTEM_SCHEMAS:
        return f"a name other than the system schemas ({', '.join(SYSTEM_SCHEMAS)})"
    return None


def listen_address(value):
    """host:port, the form exporters take (a host name, an IPv4 address or [IPv6])."""
    words = "host:port with a port in 1..65535, such as 127.0.0.1:9104 or [::1]:9104"
    if not isinstance(value, str):
        return words
    host, colon, port = value.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        return words
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", host):
            return words
    return None


def listen_addresses(value):
    """A list of host:port (empty for none)."""
    if any(listen_address(item) for item in value):
        return "a list of host:port with ports in 1..65535, such as [198.18.0.40:9093]"
    return None


def duration(value):
    """A positive Prometheus duration such as 30s, 1m or 1h30m."""
    text = str(value)
    if not re.fullmatch(r"(\d+(ms|s|m|h|d|w|y))+", text) or not any(ch in "123456789" for ch in text):
        return "a positive duration such as 15s, 30s or 1m"
    return None


RULES: dict[str, Rule] = {
    "mysql_server_users": users_words,
    "mysql_server_databases": databases_words,
    "mysql_server_bind_address": bind_address_words,
    "mysql_host_memory": size(256 * MIB, None, ""),
    "mysql_host_cpus": whole(0, 4096),
    "mysql_limits_nofile": whole(1024, 1048576),
    "mysql_limits_domains": not_empty("at least one limits.conf domain"),
    "mysql_io_max_age_days": whole(1, 3650),
    "mysql_io_runtime": whole(5, 600),
    "mysql_io_size": size(16 * MIB, 64 * GIB, "auto"),
    "mysql_io_iodepth": whole(1, 256),
    "mysql_io_numjobs": whole(1, 16),
    "mysql_tune_buffer_pool_ratio": fraction(0.9),
    "mysql_tune_max_connections": lambda value: None if value is None else whole(1, 100000)(value),
    "mysql_tune_long_query_time": number(0, 3600),
    "mysql_tune_dropin_name": matching(r"[A-Za-z0-9_.-]+\.cnf", "a file name ending in .cnf"),
    "mysql_tune_overrides": overrides_words,
    "mysql_monitor_long_transaction_s": whole(10, 86400),
    "mysql_query_report_dir": absolute_path(),
    "mysql_query_report_top": whole(1, 100),
    "mysql_query_report_n_plus_one_calls": whole(1, 1000000000),
    "mysql_query_report_plan_ratio": number(1, 1000000000),
    **hardening.RULES,
    "mysql_raid_tool": absolute_path(also="auto"),
    "mysql_raid_learn_schedule": not_empty("a systemd calendar expression such as 'Sun *-*-01..07 03:00:00'"),
    "mysql_raid_learn_hours": number(0, 72),
    "mysql_backup_dir": absolute_path(),
    "mysql_backup_keep": whole(1, 100),
    "mysql_backup_schedule": not_empty("a systemd calendar expression such as '*-*-* 00:30:00'"),
    "mysql_backup_window_hours": number(0.1, 72),
    "mysql_restore_backup": matching(r"(\d{8}T\d{6}Z)?", "a backup's name such as 20261206T003000Z, or empty"),
    "mysql_restore_from": matching(r"[A-Za-z0-9_.:-]*", "an inventory host's name, or empty for this host"),
    "mysql_restore_until": matching(
        r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}|none|[0-9a-fA-F-]{36}(:[A-Za-z_][A-Za-z0-9_]*)?:\d+|\d+-\d+-\d+)?",
        "a UTC time such as '2026-12-06 10:41:00', a GTID (MySQL source_uuid:N, MariaDB 0-1-42), empty or none",
    ),
    "mysql_backup_check_schedule": not_empty("a systemd calendar expression such as 'Sat *-*-* 04:00:00'"),
    "mysql_backup_archive_schedule": not_empty("a systemd calendar expression such as '*:0/5'"),
    "mysql_backup_user": matching(r"[A-Za-z0-9_]{1,32}", "a name of letters, digits and _ (1..32)"),
    "mysql_bench_tables": whole(1, 1024),
    "mysql_bench_table_size": whole(MIN_BENCH_TABLE_SIZE, 10**10, also=(0,)),
    "mysql_bench_threads": whole(1, 4096, also=(0,)),
    "mysql_bench_max_threads": whole(1, 4096),
    "mysql_bench_candidates": whole(1, 12),
    "mysql_bench_p95_bound_ms": number(0.1, 60000),
    "mysql_bench_time": whole(1, 3600),
    "mysql_bench_warmup": whole(0, 3600),
    "mysql_bench_rounds": whole(1, 100),
    "mysql_bench_compare": lambda value: None if len(set(value)) == len(value) else "each configuration at most once",
    "mysql_bench_schema": bench_name,
    "mysql_bench_user": bench_name,
    "mysql_bench_report_interval": whole(1, 60),
    "mysql_rollout_canary": whole(1, 100000),
    "mysql_replication_server_id": whole(0, 2**32 - 1),
    "mysql_replication_domain_id": whole(0, 2**32 - 1),
    "mysql_replication_port": whole(1, 65535),
    "mysql_replication_seed_port": whole(1024, 65535),
    "mysql_replication_seed_timeout": whole(60, 86400),
    "mysql_replication_switchover_timeout": whole(1, 3600),
    "mysql_replication_user": matching(r"[A-Za-z0-9_]{1,32}", "a name of letters, digits and _ (1..32)"),
    "mysql_replication_address": matching(r"[A-Za-z0-9_.:-]{0,253}", "an IP address or a host name, or empty"),
    "mysql_monitor_mysqld_exporter_listen": listen_address,
    "mysql_monitor_node_exporter_listen": listen_address,
    "mysql_monitor_exporter_user": matching(r"[A-Za-z0-9_]{1,32}", "a name of letters, digits and _ (1..32)"),
    "mysql_monitor_exporter_connections": whole(1, 100),
    "mysql_monitor_scrape_interval": duration,
    "mysql_monitor_prometheus_listen": listen_address,
    "mysql_monitor_prometheus_retention": duration,
    "mysql_monitor_alertmanagers": listen_addresses,
    "mysql_rollout_batch": batch_words,
    "mysql_bench_workdir": absolute_path(),
    "mysql_bench_results_dir": absolute_path(),
}


def own_configurations(values):
    if values["mysql_bench_compare"] and values["mysql_bench_mode"] == "storm":
        return "empty with mysql_bench_mode=storm (the storm checks the tuned server's memory, it compares nothing)"
    if values["mysql_bench_compare"] and values["mysql_bench_mode"] == "search":
        return "empty with mysql_bench_mode=search (the search compares tuned with its own candidates)"
    return None


def storm_has_its_own_scenario(values):
    if values["mysql_bench_mode"] == "storm" and values["mysql_bench_scenario"] != "in-memory":
        return "in-memory (the default) with mysql_bench_mode=storm (the storm brings its own data and load)"
    return None


def comparison_rounds(values):
    rounds = values["mysql_bench_rounds"]
    # the capacity search runs each configuration's ladder once
    if values["mysql_bench_mode"] == "capacity":
        return None
    compares = len(values["mysql_bench_compare"]) > 1 or values["mysql_bench_mode"] == "search"
    if compares and is_whole(rounds) and int(rounds) < 3:
        return "at least 3 when comparing configurations (run-to-run spread is about 10 %)"
    return None


def pools_fit(values):
    monitor = values.get("mysql_monitor_exporter_connections", 0) if values.get("mysql_monitor_enabled") else 0
    return pools_words(values["mysql_server_users"], values["mysql_tune_max_connections"], int(monitor))


def drop_allowed(values):
    return drop_words(values["mysql_server_databases"], values[ALLOW_DROP])


def replication_password(values):
    if values["mysql_replication_role"] != "none" and not str(values["mysql_replication_password"] or "").strip():
        return "set on a replicating host (the replicas log in to their source with it)"
    return None


def key_with_certificate(values):
    if bool(values["mysql_server_tls_cert"]) != bool(values["mysql_server_tls_key"]):
        return "given together with the certificate file (a certificate and its key, or neither)"
    return None


def ca_with_certificate(values):
    if values["mysql_server_tls_ca"] and not values["mysql_server_tls_cert"]:
        return "empty unless a certificate file is given (the server's own certificate brings its own CA)"
    return None


def canary_fits(values):
    return fits_fleet(values["mysql_rollout_canary"], values[FLEET])


def batch_fits(values):
    return fits_fleet(values["mysql_rollout_batch"], values[FLEET])


# Rules between inputs: the variable a message names, the inputs the rule reads, the rule.
JOINT: tuple[tuple[str, tuple[str, ...], Callable[[dict], str | None]], ...] = (
    ("mysql_server_users", ("mysql_server_users", "mysql_tune_max_connections"), pools_fit),
    ("mysql_server_databases", ("mysql_server_databases", ALLOW_DROP), drop_allowed),
    ("mysql_replication_password", ("mysql_replication_role", "mysql_replication_password"), replication_password),
    ("mysql_server_tls_key", ("mysql_server_tls_cert", "mysql_server_tls_key"), key_with_certificate),
    ("mysql_server_tls_ca", ("mysql_server_tls_cert", "mysql_server_tls_ca"), ca_with_certificate),
    *hardening.JOINT,
    ("mysql_rollout_canary", ("mysql_rollout_canary", FLEET), canary_fits),
    ("mysql_rollout_batch", ("mysql_rollout_batch", FLEET), batch_fits),
    ("mysql_bench_compare", ("mysql_bench_mode", "mysql_bench_compare"), own_configurations),
    ("mysql_bench_scenario", ("mysql_bench_mode", "mysql_bench_scenario"), storm_has_its_own_scenario),
    ("mysql_bench_rounds", ("mysql_bench_mode", "mysql_bench_compare", "mysql_bench_rounds"), comparison_rounds),
)


TYPE_WORDS = {
    "str": "a string",
    "path": "a path",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "dict": "a mapping",
}


def spec_words(option: dict) -> str:
    """What an argument spec option accepts, in words: its type, elements and choices."""
    kind = option.get("type", "str")
    choices = ", ".join(map(str, option.get("choices") or ()))
    if kind == "list":
        elements = TYPE_WORDS.get(option.get("elements", ""), "")
        return f"a list, each one of {choices}" if choices else f"a list, each {elements or 'a value'}"
    return f"one of {choices}" if choices else TYPE_WORDS.get(kind, kind)


def message(name: str, value, accepted: str) -> str:
    return must_be(name, value, accepted, secret=name in SECRET)


def error(name: str, value) -> str | None:
    """The message for one input, or None when it is accepted (or has no rule beyond its type)."""
    rule = RULES.get(name)
    accepted = rule(value) if rule else None
    return message(name, value, accepted) if accepted else None


def errors(values: dict) -> list[str]:
    """Every input's message in order, then the rules between inputs whose values are all given."""
    found = [text for text in (error(name, value) for name, value in values.items()) if text]
    for name, reads, rule in JOINT:
        if name in values and all(read in values for read in reads) and not error(name, values[name]):
            accepted = rule(values)
            if accepted:
                found.append(message(name, values[name], accepted))
    return found
