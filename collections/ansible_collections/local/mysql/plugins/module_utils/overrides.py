"""mysql_tune_overrides: which server settings an override may not touch, and why.

An override goes into the toolkit's drop-in beside the sized values. A setting that moves or
renames what the roles and the server rely on (the datadir every probe and backup reads, the
socket every role connects on, the server's identity in a topology, where its logs go) or that
another role sets from its own variables is refused before any host changes, naming the
variable that owns it. Pure.
"""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils import hardening

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
    "slow_query_log_file": f"{NOT_THROUGH_OVERRIDES}: the slow log the toolkit turns on stays where the package logs",
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
    **hardening.OWNED,
}


def owned(overrides: dict) -> list[str]:
    """'name (owner)' for each override of a setting the toolkit owns, in the order given."""
    return [f"{name} ({OWNERS[name]})" for name in overrides if name in OWNERS]
