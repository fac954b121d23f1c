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
