"""What a replica needs next: nothing, a start, a new source, a seed, or a DBA.

Pure: the ``replica_probe`` module reads the server's replica status (MySQL's SHOW REPLICA
STATUS, MariaDB's SHOW SLAVE STATUS) and hands the row here; ``status`` names its columns the
same for both flavors and ``decide`` says what the toolkit does. A replica that replicates from
the source the inventory names is left alone; one that stopped on an error is reported with the
server's words and never seeded again unless asked (mysql_replication_reseed): seeding replaces
its data. A replica that was never configured is seeded from its source, never pointed at the
source's binary logs alone: data written before GTIDs were on is in no GTID set.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.local.mysql.plugins.module_utils import gtid

# Each flavor's column for each field of the status (MySQL's SHOW REPLICA STATUS since 8.0.22,
# MariaDB's SHOW SLAVE STATUS).
COLUMNS = {
    "mysql": {
        "source_host": "Source_Host",
        "source_port": "Source_Port",
        "source_user": "Source_User",
        "io_running": "Replica_IO_Running",
        "sql_running": "Replica_SQL_Running",
        "io_error": "Last_IO_Error",
        "sql_error": "Last_SQL_Error",
        "auto_position": "Auto_Position",
        "seconds_behind": "Seconds_Behind_Source",
    },
    "mariadb": {
        "source_host": "Master_Host",
        "source_port": "Master_Port",
        "source_user": "Master_User",
        "io_running": "Slave_IO_Running",
        "sql_running": "Slave_SQL_Running",
        "io_error": "Last_IO_Error",
        "sql_error": "Last_SQL_Error",
        "auto_position": "Using_Gtid",
        "seconds_behind": "Seconds_Behind_Master",
    },
}
STATUS_STATEMENT = {"mysql": "SHOW REPLICA STATUS", "mariadb": "SHOW SLAVE STATUS"}


@dataclass(frozen=True)
class Status:
    configured: bool
    source_host: str = ""
    source_port: int = 0
    source_user: str = ""
    io_running: str = "No"
    sql_running: str = "No"
    io_error: str = ""
    sql_error: str = ""
    auto_position: bool = False
    seconds_behind: int | None = None


@dataclass(frozen=True)
class Source:
    """Where the inventory says the replica reads from."""

    host: str
    port: int
    user: str


@dataclass(frozen=True)
class Decision:
    action: str
    reason: str


ACTIONS = ("none", "start", "repoint", "seed", "report")


def status(row: dict | None, flavor: str) -> Status:
    """The status row (column name -> value) as a Status; no row is a replica never configured."""
    if not row:
        return Status(configured=False)
    column = COLUMNS[flavor]
    get = {field: row.get(name) for field, name in column.items()}
    behind = get["seconds_behind"]
    position = str(get["auto_position"] or "").strip()
    return Status(
        configured=bool(get["source_host"]),
        source_host=str(get["source_host"] or ""),
        source_port=int(get["source_port"] or 0),
        source_user=str(get["source_user"] or ""),
        io_running=str(get["io_running"] or "No"),
        sql_running=str(get["sql_running"] or "No"),
        io_error=str(get["io_error"] or ""),
        sql_error=str(get["sql_error"] or ""),
        # MySQL: 1 or 0; MariaDB: Slave_Pos, Current_Pos or No
        auto_position=position not in ("", "0", "No"),
        seconds_behind=None if behind in (None, "") else int(behind),
    )


def decide(current: Status, wanted: Source, reseed: bool = False) -> Decision:
    """The one thing to do for this replica, and why, in words for the play's output."""
    if reseed:
        return Decision("seed", "mysql_replication_reseed asks for it: the replica's data is replaced by its source's")
    if not current.configured:
        return Decision("seed", f"not replicating yet: seeded from {wanted.host} first, then started with GTID")
    where = (current.source_host, current.source_port, current.source_user)
    if where != (wanted.host, wanted.port, wanted.user) or not current.auto_position:
        had = f"{current.source_user}@{current.source_host}:{current.source_port}"
        why = "" if current.auto_position else ", without GTID auto-positioning"
        return Decision("repoint", f"replicates from {had}{why}: pointed at {wanted.user}@{wanted.host}:{wanted.port}")
    errors = "; ".join(error for error in (current.io_error, current.sql_error) if error)
    if errors and (current.io_running != "Yes" or current.sql_running != "Yes"):
        return Decision(
            "report",
            f"stopped on an error: {errors} (not seeded again by itself: mysql_replication_reseed=true replaces "
            "its data with its source's)",
        )
    if current.sql_running != "Yes" or current.io_running == "No":
        return Decision("start", "configured and stopped without an error: started")
    if current.io_running != "Yes":
        return Decision("none", f"connecting to {wanted.host}: left to retry ({current.io_error or 'no error yet'})")
    return Decision("none", f"replicating from {wanted.host}, {current.seconds_behind} s behind")


# MySQL renamed the statements in 8.0.22 (START/STOP REPLICA) and 8.0.23 (CHANGE REPLICATION
# SOURCE TO); MariaDB keeps CHANGE MASTER and has START/STOP REPLICA as aliases since 10.5.1.
REPLICA_WORDS_SINCE = {"mysql": (8, 0, 22), "mariadb": (10, 5, 1)}
SOURCE_WORDS_SINCE = (8, 0, 23)


def control(flavor: str, version: tuple, verb: str) -> str:
    """START or STOP in the words the server takes."""
    return f"{verb} REPLICA" if version >= REPLICA_WORDS_SINCE[flavor] else f"{verb} SLAVE"


def source_statements(flavor: str, version: tuple, source: Source, password: str, tls: bool) -> list[tuple[str, list]]:
    """Point the replica at its source with GTID auto-positioning, then start it.

    The values go as parameters (the password never into the statement's text); TLS is required
    where the source presents it. On MySQL the replica fetches the source's RSA key for
    caching_sha2_password when TLS is off.
    """
    if flavor == "mysql":
        words = "SOURCE" if version >= SOURCE_WORDS_SINCE else "MASTER"
        change = "CHANGE REPLICATION SOURCE TO" if words == "SOURCE" else "CHANGE MASTER TO"
        security = f"{words}_SSL=1" if tls else f"{words}_SSL=0, GET_{words}_PUBLIC_KEY=1"
        text = (
            f"{change} {words}_HOST=%s, {words}_PORT=%s, {words}_USER=%s, {words}_PASSWORD=%s, "
            f"{words}_AUTO_POSITION=1, {security}"
        )
    else:
        text = (
            "CHANGE MASTER TO MASTER_HOST=%s, MASTER_PORT=%s, MASTER_USER=%s, MASTER_PASSWORD=%s, "
            f"MASTER_USE_GTID=slave_pos, MASTER_SSL={1 if tls else 0}"
        )
    return [
        (control(flavor, version, "STOP"), []),
        (text, [source.host, source.port, source.user, password]),
        (control(flavor, version, "START"), []),
    ]


def clone_statements(source: Source, password: str, tls: bool) -> list[tuple[str, list]]:
    """MySQL's clone of the source into this server (its data is replaced; the server restarts)."""
    return [
        ("SET GLOBAL clone_valid_donor_list = %s", [f"{source.host}:{source.port}"]),
        (
            "CLONE INSTANCE FROM %s@%s:%s IDENTIFIED BY %s" + (" REQUIRE SSL" if tls else " REQUIRE NO SSL"),
            [source.user, source.host, source.port, password],
        ),
    ]


def clone_failure(recorded: tuple | None, source_before: str, replica_after: str) -> str:
    """Why a clone did not seed the replica ("" when it did). The recipient's clone_status is
    read when the server still has it; after the restart it can be empty, and then the replica
    must hold every transaction the source had executed before the clone began."""
    if recorded is not None:
        state, number, message = recorded
        return "" if state == "Completed" else f"ended {state}: {number} {message}"
    lacking = gtid.mysql_missing(source_before, replica_after)
    return f"left the replica without {lacking} of the source's transactions" if lacking else ""


def backup_gtid(text: str) -> str:
    """The GTID position in mariadb-backup's binlog_info file: 'mysql-bin.000003<TAB>385<TAB>0-1-42'."""
    fields = text.strip().split("\t") if text.strip() else []
    return fields[2].strip() if len(fields) >= 3 else ""


def position_statements(gtid: str) -> list[tuple[str, list]]:
    """MariaDB: where a replica starts with MASTER_USE_GTID=slave_pos. Seeded from a backup: the
    backup's GTID position. Otherwise what the server has itself executed, as a replica or as a
    primary (a former primary's own writes are in its binary log, not in gtid_slave_pos: from an
    empty position it would ask its new source for every transaction again)."""
    if gtid:
        return [("SET GLOBAL gtid_slave_pos = %s", [gtid])]
    return [("SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_current_pos", [])]


def switch_statements(flavor: str, step: str) -> list[tuple[str, list]]:
    """Freeze a primary (no write after it, not even an administrator's on MySQL) or thaw it."""
    if step == "freeze":
        names = ("read_only", "super_read_only") if flavor == "mysql" else ("read_only",)
        return [(f"SET GLOBAL {name} = ON", []) for name in names]
    if step == "thaw":
        # super_read_only first: read_only cannot go OFF under it
        names = ("super_read_only", "read_only") if flavor == "mysql" else ("read_only",)
        return [(f"SET GLOBAL {name} = OFF", []) for name in names]
    return []
