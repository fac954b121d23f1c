"""Server settings for a host's place in the replication topology.

Pure: the ``mysql_replication`` role passes the host's place (module_utils/topology.py), its
server and its resources, and gets the settings the tuning drop-in carries beside the sized
values, each with the reason a DBA reads in the drop-in: ``variables`` the server shows,
``options`` it reads at start only. A host outside replication (role none) gets nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.local.mysql.plugins.module_utils.backup import (
    ARCHIVE_PURGES,
    AUTO_PURGE_SWITCH_SINCE,
    CLONE_PLUGIN,
    mariadb_log_bin,
)
from ansible_collections.local.mysql.plugins.module_utils.sizes import GIB, MIB, human

# Each parallel applier worker of MySQL may queue up to replica_pending_jobs_size_max (128 MiB):
# one worker per this much of the memory budget, two per CPU (appliers wait on IO and locks more
# than they compute), at most WORKERS_MAX.
MEMORY_PER_WORKER = 512 * MIB
WORKERS_PER_CPU = 2
WORKERS_MAX = 16
# Relay logs may take this share of the datadir's filesystem (the applier's backlog when it falls
# behind); the receiver waits at the limit instead of filling the disk. Of its size, not its free
# space: the size stays put between runs, so the setting does too.
RELAY_SPACE_SHARE = 0.1
RELAY_SPACE_MIN = GIB
# MariaDB from 11.4 purges binary logs only while this many replicas are connected.
PURGE_CONNECTIONS_SINCE = (11, 4)


@dataclass(frozen=True)
class Replication:
    flavor: str
    version: tuple
    role: str
    server_id: int
    # MariaDB's gtid_domain_id: one domain for every host that takes writes in turn
    domain_id: int = 0
    # the hosts that replicate from this one
    replicas: tuple[str, ...] = ()
    cpus: int = 1
    budget: int = 0
    datadir: str = "/var/lib/mysql"
    # bytes of the datadir's filesystem, None when unknown
    datadir_size: int | None = None
    # the live server's binary log files (log_bin_basename), "" when it writes none
    binlog_basename: str = ""
    # mysql_backup archives the binary logs here (its archive purges them then)
    archived: bool = False


def setting(value, formula: str) -> dict:
    return {"value": value, "formula": formula}


def workers(replication: Replication) -> tuple[int, str]:
    by_memory = max(1, replication.budget // MEMORY_PER_WORKER)
    count = max(1, min(WORKERS_MAX, WORKERS_PER_CPU * replication.cpus, by_memory))
    why = (
        f"{WORKERS_PER_CPU} per CPU ({replication.cpus}), at most {WORKERS_MAX} and one per "
        f"{human(MEMORY_PER_WORKER)} of the {human(replication.budget)} budget (a worker queues up to 128 MiB)"
    )
    return count, why


def relay_space(replication: Replication) -> tuple[int, str] | None:
    if not replication.datadir_size:
        return None
    room = max(RELAY_SPACE_MIN, int(RELAY_SPACE_SHARE * replication.datadir_size))
    room = 1 << (room.bit_length() - 1)
    why = (
        f"{RELAY_SPACE_SHARE} x the datadir's {human(replication.datadir_size)} filesystem, at least "
        f"{human(RELAY_SPACE_MIN)}, down to a power of two: the receiver waits at the limit instead of filling the disk"
    )
    return room, why


def toolkit_purges(flavor: str, version: tuple, replicas: int, archived: bool = False) -> bool:
    """Whether this role's timer purges the host's binary logs instead of the server: a MySQL
    source of replicas that can switch its own purge off, and whose logs no backup archive holds
    (mysql_backup's archive purges those, only what it holds and also only while the replicas
    are connected)."""
    return flavor == "mysql" and version >= AUTO_PURGE_SWITCH_SINCE and replicas > 0 and not archived


def server_settings(replication: Replication) -> dict:
    """{variables: {name: {value, formula}}, options: {name: {value, formula}}} for the drop-in."""
    if replication.role == "none":
        return {"variables": {}, "options": {}}
    mysql = replication.flavor == "mysql"
    replica = replication.role == "replica"
    variables = {"server_id": setting(replication.server_id, "unique in the topology, stable for this host")}
    options = {}
    if mysql:
        variables["gtid_mode"] = setting("ON", "each transaction carries its GTID: replicas find their place by it")
        variables["enforce_gtid_consistency"] = setting("ON", "only statements GTIDs can log (gtid_mode=ON needs it)")
        variables["log_replica_updates"] = setting(
            "ON", "every host keeps a full binary log: any one can become the source"
        )
        if replication.version >= AUTO_PURGE_SWITCH_SINCE:
            if replication.archived:
                why = ARCHIVE_PURGES
            elif replication.replicas:
                why = (
                    f"the replicas that read from this host ({', '.join(replication.replicas)}): the toolkit's "
                    "hourly timer purges by age only while they are all connected"
                )
            else:
                why = "no replica reads from this host: the server purges by age"
            variables["binlog_expire_logs_auto_purge"] = setting(
                "OFF" if replication.archived or replication.replicas else "ON", why
            )
        # a new replica is seeded by CLONE INSTANCE FROM its source: both ends load the plugin
        options["plugin_load_add"] = setting(CLONE_PLUGIN, "the clone plugin: a new replica is seeded from its source")
    else:
        variables["gtid_domain_id"] = setting(replication.domain_id, "one domain: the hosts take writes one at a time")
        variables["gtid_strict_mode"] = setting("ON", "a replica stops on a GTID out of order instead of diverging")
        variables["log_slave_updates"] = setting(
            "ON", "every host keeps a full binary log: any one can become the source"
        )
        # a name the server already writes under is kept: a new one would orphan the logs present
        options["log_bin"] = setting(
            mariadb_log_bin(replication.binlog_basename, replication.datadir),
            "binary log on: replicas read it",
        )
        if replication.version >= PURGE_CONNECTIONS_SINCE:
            variables["slave_connections_needed_for_purge"] = setting(
                len(replication.replicas),
                "the replicas that read from this host"
                + (f" ({', '.join(replication.replicas)})" if replication.replicas else "")
                + ": logs are purged only while they are all connected",
            )
    read_only = "ON" if replica else "OFF"
    variables["read_only"] = setting(
        read_only, "a replica takes writes from its source only" if replica else "takes writes"
    )
    if mysql:
        variables["super_read_only"] = setting(
            read_only, "not even an administrator writes on a replica" if replica else "takes writes"
        )
    if replica:
        count, why = workers(replication)
        if mysql:
            variables["replica_parallel_workers"] = setting(count, why)
            variables["replica_preserve_commit_order"] = setting("ON", "commits in the source's order")
        else:
            variables["slave_parallel_threads"] = setting(count, why)
            variables["slave_parallel_mode"] = setting("optimistic", "in parallel, committed in the source's order")
        variables["relay_log_recovery"] = setting("ON", "after a crash the relay log is fetched again, not trusted")
        space = relay_space(replication)
        if space:
            variables["relay_log_space_limit"] = setting(*space)
    return {"variables": variables, "options": options}
