"""Who replicates from whom: the topology the inventory describes, checked before any host changes.

Pure: the pre-flight passes every host's mysql_replication_* inputs (and its flavor when the
inventory fixes one) and gets the first problem, naming the host and the variable; the
``mysql_replication`` role asks each host's place in it (its server id, its source, the replicas
that read from it). Nothing here talks to a server.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace

from ansible_collections.local.mysql.plugins.module_utils.refusal import must_be

ROLES = ("none", "primary", "replica")
# Each host's inputs the topology reads (with mysql_server_flavor)
INPUT_NAMES = (
    "mysql_replication_role",
    "mysql_replication_source",
    "mysql_replication_server_id",
    "mysql_replication_address",
    "mysql_server_bind_address",
)
LOOPBACK = ("127.0.0.1", "::1", "localhost")
# server_id is a 32-bit unsigned number and 0 refuses replication
SERVER_ID_RANGE = (1, 2**32 - 1)


@dataclass(frozen=True)
class Member:
    host: str
    role: str = "none"
    source: str = ""
    server_id: int = 0
    # "auto" until the host's server is known
    flavor: str = "auto"
    # where the other members reach its server ("" when it listens on loopback only)
    address: str = ""


@dataclass(frozen=True)
class Place:
    """One host's place in the topology: the replicas are the hosts that read from it, the
    members every replicating host (each one's address), the root the primary at the top."""

    role: str
    server_id: int
    source: str
    address: str = ""
    source_address: str = ""
    root: str = ""
    replicas: tuple[str, ...] = field(default_factory=tuple)
    members: dict = field(default_factory=dict)


def reachable_address(values: dict) -> str:
    """mysql_replication_address, else the first address of mysql_server_bind_address that is not loopback."""
    given = str(values.get("mysql_replication_address") or "")
    if given:
        return given
    listening = values.get("mysql_server_bind_address") or []
    return next((str(address) for address in listening if str(address) not in LOOPBACK), "")


def members(inputs: dict[str, dict]) -> list[Member]:
    """Each host's Member from its mysql_replication_* inputs (and mysql_server_flavor), in host order."""
    return [
        Member(
            host=host,
            role=str(values.get("mysql_replication_role") or "none"),
            source=str(values.get("mysql_replication_source") or ""),
            server_id=int(values.get("mysql_replication_server_id") or 0),
            flavor=str(values.get("mysql_server_flavor") or "auto"),
            address=reachable_address(values),
        )
        for host, values in inputs.items()
    ]


def derived_server_id(host: str) -> int:
    """A server id that stays the same for a host name across runs and controllers (CRC-32, never 0)."""
    return zlib.crc32(host.encode()) % SERVER_ID_RANGE[1] + 1


def server_id(member: Member) -> int:
    return member.server_id or derived_server_id(member.host)


def message(host: str, name: str, value, accepted: str) -> str:
    return must_be(name, value, accepted, where=host)


def problems(members: list[Member], allow_chains: bool = False) -> list[str]:
    """Every problem of the topology, each naming one host and one variable; [] when it is served."""
    found = []
    by_host = {member.host: member for member in members}
    for member in members:
        if member.role != "none" and not member.address:
            accepted = "an address the other members reach (the server listens on loopback only)"
            found.append(message(member.host, "mysql_replication_address", "", accepted))
        if member.role == "replica":
            if not member.source:
                found.append(
                    message(member.host, "mysql_replication_source", "", "the inventory host it replicates from")
                )
            elif member.source == member.host:
                found.append(
                    message(member.host, "mysql_replication_source", member.source, "another host: not itself")
                )
            elif member.source not in by_host:
                found.append(
                    message(member.host, "mysql_replication_source", member.source, "a host in this run (it is not)")
                )
            else:
                source = by_host[member.source]
                chained = allow_chains and source.role == "replica"
                if source.role != "primary" and not chained:
                    accepted = f"a host whose mysql_replication_role is primary ({member.source} is {source.role}"
                    accepted += (
                        ")" if source.role == "none" else "; mysql_replication_allow_chains lets replicas chain)"
                    )
                    found.append(message(member.host, "mysql_replication_source", member.source, accepted))
        elif member.source:
            found.append(
                message(member.host, "mysql_replication_source", member.source, f"empty on a {member.role} host")
            )
    found.extend(cycles(members))
    found.extend(shared_ids(members))
    found.extend(mixed_flavors(members))
    return found


def cycles(members: list[Member]) -> list[str]:
    """A replica whose chain of sources comes back to itself: no host in it would take writes."""
    sources = {member.host: member.source for member in members if member.role == "replica" and member.source}
    found, reported = [], set()
    for start in sorted(sources):
        seen, host = [], start
        while host in sources and host not in seen:
            seen.append(host)
            host = sources[host]
        if host == start and start not in reported:
            reported.update(seen)
            loop = " -> ".join([*seen, start])
            found.append(message(start, "mysql_replication_source", sources[start], f"outside a cycle ({loop})"))
    return found


def shared_ids(members: list[Member]) -> list[str]:
    """Two replicating hosts with one server id: the source would take them for one replica."""
    owners: dict[int, str] = {}
    found = []
    for member in members:
        if member.role == "none":
            continue
        number = server_id(member)
        if number in owners:
            found.append(
                message(
                    member.host,
                    "mysql_replication_server_id",
                    member.server_id,
                    f"unique ({owners[number]} has {number})",
                )
            )
        else:
            owners[number] = member.host
    return found


def mixed_flavors(members: list[Member]) -> list[str]:
    """A replica whose source runs the other flavor: GTIDs of MySQL and MariaDB do not mix."""
    by_host = {member.host: member for member in members}
    found = []
    for member in members:
        source = by_host.get(member.source) if member.role == "replica" else None
        if source and "auto" not in (member.flavor, source.flavor) and member.flavor != source.flavor:
            found.append(
                message(
                    member.host, "mysql_server_flavor", member.flavor, f"{source.flavor}, as its source {source.host}"
                )
            )
    return found


def place(members: list[Member], host: str) -> Place:
    """The host's role, server id, source (and its address), the primary at the top of its chain,
    the replicas that read from it and every replicating member's address."""
    by_host = {member.host: member for member in members}
    member = by_host[host]
    replicas = tuple(sorted(other.host for other in members if other.role == "replica" and other.source == host))
    root = host
    while by_host[root].role == "replica" and by_host[root].source in by_host and by_host[root].source != host:
        root = by_host[root].source
    source = member.source if member.role == "replica" else ""
    return Place(
        role=member.role,
        server_id=server_id(member),
        source=source,
        address=member.address,
        source_address=by_host[source].address if source in by_host else "",
        root=root if member.role != "none" else "",
        replicas=replicas,
        members={other.host: other.address for other in members if other.role != "none"},
    )


def live_members(members: list[Member], sources: dict[str, str]) -> list[Member]:
    """The topology the servers run: ``sources`` maps each host whose server was read to the
    address it replicates from ("" when it replicates from none). A host that replicates from a
    member is that member's replica; one that replicates from none while members read from it is
    a primary; any other host keeps the inventory's place (a new replica, a primary alone)."""
    by_address = {member.address: member.host for member in members if member.address}
    live_source = {host: by_address.get(address, "") for host, address in sources.items() if address}
    readers = {source for source in live_source.values() if source}
    placed = []
    for member in members:
        if live_source.get(member.host):
            placed.append(replace(member, role="replica", source=live_source[member.host]))
        elif member.host in sources and member.host in readers:
            placed.append(replace(member, role="primary", source=""))
        else:
            placed.append(member)
    return placed


def live_problems(members: list[Member], sources: dict[str, str]) -> list[str]:
    """Where the servers run another topology than the inventory's (after a switchover, until the
    inventory follows): provisioning then would point a primary at its own replica."""
    live = {member.host: member for member in live_members(members, sources)}
    found = []
    for member in members:
        now = live[member.host]
        if member.role == "primary" and now.role == "replica":
            accepted = f"replica with mysql_replication_source={now.source}, as its server replicates from {now.source}"
            found.append(message(member.host, "mysql_replication_role", member.role, accepted))
        elif member.role == "replica" and now.role == "primary":
            readers = ", ".join(sorted(other.host for other in live.values() if other.source == member.host))
            accepted = f"primary, as its server is the source of {readers}"
            found.append(message(member.host, "mysql_replication_role", member.role, accepted))
    return found


def switchover(members: list[Member], new: str) -> dict:
    """The hosts of a planned switchover to ``new``: the old primary, the new one, and the other
    replicas of the old one. Raises ValueError naming mysql_new_primary when ``new`` cannot be
    promoted (not in the run, not a replica of a primary)."""
    by_host = {member.host: member for member in members}
    words = None
    if new not in by_host:
        words = "a host in this run"
    elif by_host[new].role != "replica":
        words = f"a replica ({new} is {by_host[new].role})"
    elif by_host.get(by_host[new].source, Member("")).role != "primary":
        words = f"a replica of the primary ({new} replicates from {by_host[new].source}, a replica)"
    if words:
        raise ValueError(must_be("mysql_new_primary", new, words))
    old = by_host[new].source
    others = sorted(m.host for m in members if m.role == "replica" and m.source == old and m.host != new)
    return {"old": old, "new": new, "others": others}
