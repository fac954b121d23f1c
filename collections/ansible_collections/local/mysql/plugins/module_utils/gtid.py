"""GTID sets and positions: whether a replica has executed everything its source has.

Pure. MySQL's sets are ``uuid[:tag]:1-5:7,uuid2:1-3`` (``gtid_executed``); MariaDB's positions
are ``domain-server-sequence`` per domain (``gtid_binlog_pos``, ``gtid_slave_pos``). ``missing``
counts the transactions a replica lacks, which is what a switchover waits for and what a
candidate that is behind is refused with.
"""

from __future__ import annotations

import re

Intervals = list[tuple[int, int]]


def mysql_set(text: str) -> dict[str, Intervals]:
    """'uuid:1-5:7,uuid2:tag:1-3' -> {'uuid': [(1, 5), (7, 7)], 'uuid2:tag': [(1, 3)]}, merged."""
    found: dict[str, Intervals] = {}
    for member in re.sub(r"\s+", "", text or "").split(","):
        if not member:
            continue
        parts = member.split(":")
        source, current = parts[0].lower(), ""
        for part in parts[1:]:
            if re.fullmatch(r"\d+(-\d+)?", part):
                low, _, high = part.partition("-")
                found.setdefault(f"{source}{current}", []).append((int(low), int(high or low)))
            else:
                current = f":{part}"
    return {key: merge(intervals) for key, intervals in found.items()}


def merge(intervals: Intervals) -> Intervals:
    merged: Intervals = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def size(intervals: Intervals) -> int:
    return sum(high - low + 1 for low, high in intervals)


def subtract(have: Intervals, gone: Intervals) -> Intervals:
    """The transactions of ``have`` that are not in ``gone``."""
    left = []
    for low, high in have:
        start = low
        for cut_low, cut_high in gone:
            if cut_high < start or cut_low > high:
                continue
            if cut_low > start:
                left.append((start, cut_low - 1))
            start = max(start, cut_high + 1)
        if start <= high:
            left.append((start, high))
    return left


def mysql_missing(source: str, replica: str) -> int:
    """Transactions of the source's set the replica has not executed."""
    theirs, mine = mysql_set(source), mysql_set(replica)
    return sum(size(subtract(intervals, mine.get(key, []))) for key, intervals in theirs.items())


def mariadb_position(text: str) -> dict[int, int]:
    """'0-1-100,1-2-50' -> {0: 100, 1: 50}: the last sequence number of each domain."""
    found = {}
    for member in re.sub(r"\s+", "", text or "").split(","):
        match = re.fullmatch(r"(\d+)-(\d+)-(\d+)", member)
        if match:
            found[int(match.group(1))] = int(match.group(3))
    return found


def mariadb_missing(source: str, replica: str) -> int:
    """Transactions the replica lacks, per domain: the source's sequence minus the replica's."""
    theirs, mine = mariadb_position(source), mariadb_position(replica)
    return sum(max(0, sequence - mine.get(domain, 0)) for domain, sequence in theirs.items())


def missing(flavor: str, source: str, replica: str) -> int:
    return (mysql_missing if flavor == "mysql" else mariadb_missing)(source, replica)


# the largest transaction number a MySQL GTID can carry: the end of an open-ended exclusion
MAX_GNO = 2**63 - 2
MYSQL_GTID = re.compile(r"([0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}(?::[A-Za-z_][A-Za-z0-9_]*)?):(\d+)")
MARIADB_GTID = re.compile(r"(\d+)-(\d+)-(\d+)")


def replay_stop(flavor: str, until: str, contained: str) -> tuple[list[str], str]:
    """(the binary-log reader's arguments that stop a replay before the transaction ``until``
    names, why it cannot) for one GTID: MySQL ``uuid[:tag]:N`` (that source's transactions from N
    on are left out), MariaDB ``domain-server-N`` (the domain stops after N-1). ``contained`` is
    the backup's own GTID set or position: a backup that holds the transaction already is refused."""
    if flavor == "mysql":
        match = MYSQL_GTID.fullmatch(until)
        if not match:
            return [], f"mysql_restore_until '{until}': on MySQL a GTID is source_uuid[:tag]:N"
        source, number = match.group(1).lower(), int(match.group(2))
        if any(low <= number <= high for low, high in mysql_set(contained).get(source, [])):
            return [], held_already(until, contained)
        return [f"--exclude-gtids={source}:{number}-{MAX_GNO}"], ""
    match = MARIADB_GTID.fullmatch(until)
    if not match:
        return [], f"mysql_restore_until '{until}': on MariaDB a GTID is domain-server-sequence"
    domain, server, sequence = (int(part) for part in match.groups())
    if mariadb_position(contained).get(domain, 0) >= sequence:
        return [], held_already(until, contained)
    return [f"--stop-position={domain}-{server}-{sequence - 1}"], ""


def held_already(until: str, contained: str) -> str:
    return (
        f"mysql_restore_until '{until}': the backup holds that transaction already ({contained}); "
        "choose an older backup with mysql_restore_backup"
    )
