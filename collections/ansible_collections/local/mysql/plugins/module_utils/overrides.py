"""mysql_tune_overrides: which server settings an override may not touch, and why.

An override goes into the toolkit's drop-in beside the sized values. A setting that moves or
renames what the roles and the server rely on (the datadir every probe and backup reads, the
socket every role connects on, the server's identity in a topology, where its logs go) or that
another role sets from its own variables is refused before any host changes, naming the
variable that owns it. Pure.
"""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils import hardening
from ansible_collections.local.mysql.plugins.module_utils.refusal import must_be
from ansible_collections.local.mysql.plugins.module_utils.sizes import SizingError, parse_size

NOT_THROUGH_OVERRIDES = "not through overrides"
# the packaged server's own locations: probes, backups, restores and systemd read them there
PACKAGED_PLACE = (
    f"{NOT_THROUGH_OVERRIDES}: the toolkit, its backups and the server's unit find it where the package puts it"
)

OWNERS: dict[str, str] = {
    "datadir": PACKAGED_PLACE,
    "socket": f"{NOT_THROUGH_OVERRIDES}: every role, the exporter and the backups connect on the packaged socket",
    "port": f"{NOT_THROUGH_OVERRIDES}: the roles, the exporter and the replicas (mysql_replication_port) use it",
    "basedir": PACKAGED_PLACE,
    "plugin_dir": PACKAGED_PLACE,
    "lc_messages_dir": PACKAGED_PLACE,
    "character_sets_dir": PACKAGED_PLACE,
    "pid_file": PACKAGED_PLACE,
    "log_error": f"{NOT_THROUGH_OVERRIDES}: a failed start is reported from the packaged error log",
    "user": f"{NOT_THROUGH_OVERRIDES}: the packaged unit and the datadir's owner are the package's user",
    "innodb_data_home_dir": PACKAGED_PLACE,
    "innodb_log_group_home_dir": PACKAGED_PLACE,
    "innodb_undo_directory": PACKAGED_PLACE,
    "slow_query_log_file": f"{NOT_THROUGH_OVERRIDES}: the slow log the toolkit turns on is the one it rotates by size",
    "general_log_file": PACKAGED_PLACE,
    "bind_address": "mysql_server_bind_address",
    "skip_networking": "mysql_server_bind_address",
    "mysqlx": "mysql_server_mysqlx",
    "mysqlx_bind_address": "mysql_server_mysqlx",
    "mysqlx_port": "mysql_server_mysqlx",
    "ssl_cert": "mysql_server_tls_cert",
    "ssl_key": "mysql_server_tls_key",
    "ssl_ca": "mysql_server_tls_ca",
    "tls_version": "mysql_server_tls_min_version",
    "require_secure_transport": "mysql_server_require_secure_transport",
    "server_id": "mysql_replication_server_id",
    "gtid_domain_id": "mysql_replication_domain_id",
    "gtid_mode": "mysql_replication_role",
    "enforce_gtid_consistency": "mysql_replication_role",
    "read_only": "mysql_replication_role",
    "super_read_only": "mysql_replication_role",
    "log_bin": "mysql_replication_role and mysql_backup_enabled",
    "log_bin_basename": "mysql_replication_role and mysql_backup_enabled",
    "log_bin_index": "mysql_replication_role and mysql_backup_enabled",
    "relay_log": "mysql_replication_role",
    "relay_log_index": "mysql_replication_role",
    "plugin_load": "the roles that load plugins (mysql_backup: the clone plugin)",
    "plugin_load_add": "the roles that load plugins (mysql_backup: the clone plugin)",
    # its memory is counted in the sizing's peak and decides the query report's source
    "performance_schema": "mysql_tune_performance_schema",
    **hardening.OWNED,
}


def owned(overrides: dict) -> list[str]:
    """'name (owner)' for each override of a setting the toolkit owns, in the order given."""
    return [f"{name} ({OWNERS[name]})" for name in overrides if name in OWNERS]


# ---- values: each override against the server's own limits ---------------------------------------

# MariaDB's information_schema.SYSTEM_VARIABLES types.
_WHOLE_TYPES = {"INT", "INT UNSIGNED", "BIGINT", "BIGINT UNSIGNED"}
_BOOLEAN_WORDS = {"ON", "OFF", "1", "0", "TRUE", "FALSE"}
# A range reaching this far is a size's: the message says the suffixes are accepted.
SIZES_FROM = 1 << 20


def mariadb_limits(rows: list[tuple]) -> dict[str, dict]:
    """name -> {kind, whole, low, high, choices} from MariaDB's SYSTEM_VARIABLES rows
    (VARIABLE_NAME, VARIABLE_TYPE, NUMERIC_MIN_VALUE, NUMERIC_MAX_VALUE, ENUM_VALUE_LIST)."""
    limits = {}
    for name, kind, low, high, choices in rows:
        kind = str(kind or "").upper()
        if kind in _WHOLE_TYPES or kind == "DOUBLE":
            limit = {"kind": "number", "whole": kind != "DOUBLE", "low": float(low), "high": float(high)}
        elif kind == "BOOLEAN":
            limit = {"kind": "boolean"}
        elif kind in ("ENUM", "SET"):
            limit = {"kind": kind.lower(), "choices": [choice.upper() for choice in str(choices or "").split(",")]}
        else:
            limit = {"kind": "text"}
        limits[str(name).lower()] = limit
    return limits


def mysql_limits(rows: list[tuple], values: dict[str, str]) -> dict[str, dict]:
    """name -> limit from MySQL's performance_schema.variables_info rows (VARIABLE_NAME, MIN_VALUE,
    MAX_VALUE) and the live values: MySQL shows a range for numbers only (0 to 0 otherwise) and no
    type, so a variable that reads ON or OFF is a boolean and any other is left to the server's checker."""
    limits = {}
    for name, low, high in rows:
        name = str(name).lower()
        try:
            low, high = float(low), float(high)
        except (TypeError, ValueError):
            low = high = 0.0
        if (low, high) != (0.0, 0.0):
            limits[name] = {"kind": "number", "whole": False, "low": low, "high": high}
        elif str(values.get(name, "")).upper() in ("ON", "OFF"):
            limits[name] = {"kind": "boolean"}
        else:
            limits[name] = {"kind": "text"}
    return limits


def _number(value) -> float | None:
    """An override's number: 100, 0.5, '2G' (the server's own size suffixes); None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(parse_size(text)) if text[-1:].upper() in "KMGT" and text[:-1].isdigit() else float(text)
    except (SizingError, ValueError):
        return None


def _shown(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def limit_words(value, limit: dict) -> str | None:
    """What the server accepts for a variable when ``value`` is outside it, else None."""
    kind = limit["kind"]
    if kind == "number":
        number = _number(value)
        sizes = " (a size may take K, M, G or T)" if limit["high"] >= SIZES_FROM else ""
        words = (
            f"{'a whole number' if limit['whole'] else 'a number'} from {_shown(limit['low'])} to "
            f"{_shown(limit['high'])}{sizes}"
        )
        if number is None or (limit["whole"] and number != int(number)):
            return words
        return None if limit["low"] <= number <= limit["high"] else words
    if kind == "boolean":
        if isinstance(value, bool) or str(value).upper() in _BOOLEAN_WORDS:
            return None
        return "ON or OFF"
    if kind in ("enum", "set"):
        given = [part.strip().upper() for part in str(value).split(",")] if kind == "set" else [str(value).upper()]
        if all(part in limit["choices"] or part.isdigit() for part in given if part):
            return None
        return f"{'one' if kind == 'enum' else 'a comma-separated list'} of {', '.join(limit['choices'])}"
    return None


def limit_problems(overrides: dict, limits: dict[str, dict], server: str) -> list[str]:
    """One message per override whose value the server (``server``: 'MySQL 9.7.4') would refuse or
    adjust, naming mysql_tune_overrides, the variable, its value and what the server accepts.
    A name the server does not show is left to its checker (a start-up option has no variable), and
    one the toolkit owns to the refusal that names its owner."""
    problems = []
    for name, value in overrides.items():
        if name in OWNERS:
            continue  # refused whatever its value, naming the variable that owns it (owned)
        limit = limits.get(str(name).lower())
        words = limit_words(value, limit) if limit else None
        if words:
            problems.append(must_be(f"mysql_tune_overrides.{name}", value, f"{words} on {server}"))
    return problems
