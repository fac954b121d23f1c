"""Physical backups: where they may go, which ones are good, whether the next one fits, when it runs.

Pure and standard-library only: the ``mysql_backup`` role installs this file on the host beside
its ``mysql-backup`` script, which reads and writes manifests with it, and the role's probe reads
the same manifests with it. A backup is a directory under the target named by its start time
(UTC); it is good only once its ``manifest.json`` exists, which is written last: a backup killed
halfway has none, is never counted or restored, and the next run removes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime, timedelta, timezone

MANIFEST = "manifest.json"
# the server's files inside a backup directory (the clone's or mariadb-backup's target)
DATA = "data"
NAME = re.compile(r"\d{8}T\d{6}Z")
NAME_FORMAT = "%Y%m%dT%H%M%SZ"
# room the target keeps beyond the next backup's expected size (the data grows between backups)
ROOM_MARGIN = 1.2
# MySQL's clone plugin (CLONE LOCAL DATA DIRECTORY), loaded at start like the other options
CLONE_PLUGIN = "mysql_clone.so"
# MySQL purges by age alone; from 8.0.29 that purge can be switched off (and the archive purges)
AUTO_PURGE_SWITCH_SINCE = (8, 0, 29)
ARCHIVE_PURGES = "the backups' archive purges by age only the logs it holds, while every replica is connected"
# MariaDB writes no binary log unless log_bin names its files: the toolkit's name, in the datadir
MARIADB_BINLOG = "mysql-bin"
# mysql_restore_until as a GTID (MySQL source_uuid[:tag]:N, MariaDB domain-server-sequence)
GTID_UNTIL = re.compile(r"[0-9a-fA-F-]{36}(:[A-Za-z_][A-Za-z0-9_]*)?:\d+|\d+-\d+-\d+")
MANIFEST_KEYS = ("name", "flavor", "version", "started", "finished", "seconds", "bytes", "files", "sha256", "position")
HOUR = 3600


def backup_name(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(NAME_FORMAT)


def target_problem(target: str, datadir: str) -> str | None:
    """Why backups cannot go to ``target`` (mysql_backup_dir), or None."""
    if not target.startswith("/"):
        return f"mysql_backup_dir '{target}': an absolute path is needed"
    path, data = os.path.normpath(target), os.path.normpath(datadir)
    if path == "/":
        return "mysql_backup_dir '/': a directory of its own is needed, not the root"
    if path == data or path.startswith(data + "/"):
        return f"mysql_backup_dir '{target}': inside the datadir {datadir} (lost with it, and read by the server)"
    if data.startswith(path + "/"):
        return f"mysql_backup_dir '{target}': holds the datadir {datadir} (old backups would be removed beside it)"
    return None


def tree_bytes(root: str) -> int:
    """Bytes of the files under ``root`` (a file the server removes meanwhile is not counted)."""
    total = 0
    for folder, _folders, names in os.walk(root):
        for name in names:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def tree_digest(root: str) -> tuple[str, int, int]:
    """(sha256, bytes, files) of every file under ``root``: names and contents, in name order."""
    digest, total, count = hashlib.sha256(), 0, 0
    for folder, folders, names in os.walk(root):
        folders.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, root).encode() + b"\0")
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
                    total += len(block)
            count += 1
    return digest.hexdigest(), total, count


def manifest(name: str, server: dict, started: datetime, finished: datetime, digest: tuple, position: dict) -> dict:
    """What a good backup records: the server, its end position and its files' checksum."""
    sha256, total, count = digest
    return {
        "name": name,
        "flavor": server["flavor"],
        "version": server["version"],
        "started": started.astimezone(timezone.utc).isoformat(),
        "finished": finished.astimezone(timezone.utc).isoformat(),
        "seconds": round((finished - started).total_seconds(), 1),
        "bytes": total,
        "files": count,
        "sha256": sha256,
        # GTID set and binary-log file and position the backup's data ends at
        "position": position,
    }


def read_manifest(text: str | None, name: str) -> dict | None:
    """A directory's manifest if it makes the backup good (complete and its own), else None."""
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or any(key not in data for key in MANIFEST_KEYS) or data["name"] != name:
        return None
    return data


def catalog(entries: dict[str, str | None]) -> dict:
    """{good: [manifest, oldest first], incomplete: [name]} from {directory name: manifest text or
    None}; other names in the target are not the toolkit's and are left alone."""
    good, incomplete = [], []
    for name in sorted(entries):
        if not NAME.fullmatch(name):
            continue
        found = read_manifest(entries[name], name)
        if found:
            good.append(found)
        else:
            incomplete.append(name)
    return {"good": good, "incomplete": incomplete}


def read_catalog(target: str) -> dict:
    """The catalog of a target directory on this host (empty when it does not exist)."""
    entries = {}
    if os.path.isdir(target):
        for name in os.listdir(target):
            if not os.path.isdir(os.path.join(target, name)):
                continue
            try:
                with open(os.path.join(target, name, MANIFEST), encoding="utf-8") as handle:
                    entries[name] = handle.read()
            except OSError:
                entries[name] = None
    return catalog(entries)


def expired(good: list[dict], keep: int) -> list[str]:
    """The good backups beyond the newest ``keep`` (removed only after a new one is good)."""
    return [item["name"] for item in good[: max(0, len(good) - keep)]]


def next_size(good: list[dict], datadir_bytes: int) -> tuple[int, str]:
    """The size the next backup is expected to take, and what it is read from."""
    if good:
        return int(good[-1]["bytes"]), f"the last backup ({good[-1]['name']})"
    return int(datadir_bytes), "the datadir (no backup yet)"


def room_problem(target: str, free: int, good: list[dict], datadir_bytes: int) -> str | None:
    """Why the target cannot hold the next backup, with the numbers, or None."""
    size, basis = next_size(good, datadir_bytes)
    need = int(size * ROOM_MARGIN)
    if free >= need:
        return None
    return (
        f"mysql_backup_dir '{target}': {free // 2**20} MiB free, the next backup needs {need // 2**20} MiB "
        f"({size // 2**20} MiB measured on {basis}, plus {round((ROOM_MARGIN - 1) * 100)} % for growth)"
    )


def elapses(text: str) -> list[datetime]:
    """The times ``systemd-analyze calendar --iterations=N`` prints, in UTC: each elapse's line
    when the host runs on UTC, else the ``(in UTC)`` line that follows it."""
    times: list[datetime | None] = []
    moment = re.compile(r"\w+ (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (\S+)$")
    for line in text.splitlines():
        label, _, value = line.strip().partition(": ")
        found = moment.match(value)
        if not found:
            continue
        when = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        utc = when if found.group(2) == "UTC" else None
        if label == "Next elapse" or label.startswith("Iteration #"):
            times.append(utc)
        elif label == "(in UTC)" and times:
            times[-1] = utc
    return [when for when in times if when is not None]


def window_seconds(good: list[dict], planned_hours: float) -> float:
    """How long a backup is taken to last: the planned window, or longer when the last backup took
    more than half of it (the data grows)."""
    measured = 2 * float(good[-1]["seconds"]) if good else 0.0
    return max(planned_hours * HOUR, measured)


def overlaps(backups: list[datetime], backup_seconds: float, learns: list[datetime], learn_seconds: float) -> list:
    """Pairs (backup start, learn start) whose windows share a moment."""
    found = []
    for learn in learns:
        learn_end = learn + timedelta(seconds=learn_seconds)
        for start in backups:
            if start < learn_end and learn < start + timedelta(seconds=backup_seconds):
                found.append((start, learn))
    return found


def schedule_problem(
    schedule: str,
    learn_schedule: str,
    clashes: list,
    backup_seconds: float,
    learn_hours: float,
    variable: str = "mysql_backup_schedule",
):
    """Why a backup (or restore check) schedule cannot stay, naming the first clash, or None."""
    if not clashes:
        return None
    start, learn = clashes[0]
    return (
        f"{variable} '{schedule}': the run at {start:%Y-%m-%d %H:%M} UTC (given "
        f"{round(backup_seconds / HOUR, 1)} h) overlaps the RAID learn cycle at {learn:%Y-%m-%d %H:%M} UTC "
        f"(mysql_raid_learn_schedule '{learn_schedule}', {learn_hours} h): a learn leaves the controller "
        f"write-through, and the backup's reads and writes would stall the server twice; {len(clashes)} such "
        "clashes in the next year"
    )


def mariadb_log_bin(basename: str, datadir: str) -> str:
    """MariaDB's log_bin: a name the server already writes under is kept (a new one would orphan
    the logs present), else the toolkit's in the datadir."""
    return basename or f"{datadir}/{MARIADB_BINLOG}"


def log_number(name: str) -> int:
    """The sequence number of a binary log file ('binlog.000012' -> 12)."""
    return int(name.rsplit(".", 1)[-1])


def oldest_start(good: list[dict]) -> int | None:
    """The number of the oldest log a kept backup's replay starts from; None when there is no
    good backup or one has no position (then every log may be needed)."""
    starts = [item["position"].get("binlog_file") for item in good]
    if not starts or not all(starts):
        return None
    return min(log_number(name) for name in starts)


def archive_plan(server_logs: list[tuple[str, int]], archived: dict[str, int], good: list[dict]) -> dict:
    """What the archive does with the server's binary logs, oldest first, the last being written:
    {copy: the closed logs not archived whole yet, remove: archived logs older than any kept
    backup's replay needs}. Without a good backup nothing is removed."""
    closed = server_logs[:-1]
    copy = [name for name, size in closed if archived.get(name) != size]
    oldest = oldest_start(good)
    remove = [] if oldest is None else sorted((name for name in archived if log_number(name) < oldest), key=log_number)
    return {"copy": copy, "remove": remove}


def purge_to(
    logs: list[tuple[str, int, float]],
    archived: dict[str, int],
    retention: int,
    now: float,
    replicas: int,
    connected: int,
    needed_from: int | None = None,
) -> tuple[str | None, str]:
    """The log to purge the server's binary logs to (every older one goes) and why; None purges
    nothing. ``logs`` are (name, size, mtime), oldest first, the last being written. A log goes
    only when closed, older than the retention and archived whole, or older than every kept
    backup's replay (``needed_from``, oldest_start: no restore reads it, and the archive drops
    it too), and only while every replica that reads from the host is connected."""
    if retention <= 0:
        return None, "binlog_expire_logs_seconds is 0: the logs are kept"
    if connected < replicas:
        return None, f"{connected} of {replicas} replicas connected: nothing purged until they all are"
    keep = logs[-1][0]
    for name, size, mtime in logs[:-1]:
        unneeded = needed_from is not None and log_number(name) < needed_from
        if (archived.get(name) != size and not unneeded) or now - mtime < retention:
            keep = name
            break
    if keep == logs[0][0]:
        return None, f"no log is both archived and older than {retention} s"
    return keep, f"purged the logs before {keep}: older than {retention} s, archived or older than every kept backup"


def replay_files(archived: list[str], start: str) -> list[str]:
    """The archived logs a replay from ``start`` reads, in order; a gap in their numbers is an error
    (a replay across it would skip transactions)."""
    chosen = sorted((name for name in archived if log_number(name) >= log_number(start)), key=log_number)
    if not chosen or chosen[0] != start:
        raise ValueError(f"the archive lacks {start}, where the backup's replay starts")
    for before, after in zip(chosen, chosen[1:]):
        if log_number(after) != log_number(before) + 1:
            raise ValueError(f"the archive lacks the logs between {before} and {after}")
    return chosen


def restore_plan(good: list[dict], archived: list[str], name: str, until: str) -> dict:
    """The backup a restore starts from and the archived logs it replays: {backup, replay, problem}.

    ``name`` empty takes the newest good backup; ``until`` ('YYYY-MM-DD HH:MM:SS', UTC) bounds the
    replay, "" replays the whole archive, "none" replays nothing; a GTID is left to the caller
    (``gtid.replay_stop``), which adds its bound to ``reader``, the binary-log reader's arguments."""
    chosen = [item for item in good if item["name"] == name] if name else good[-1:]
    if not chosen:
        wanted = f"mysql_restore_backup '{name}'" if name else "mysql_restore_backup ''"
        known = ", ".join(item["name"] for item in good) or "none"
        return {"backup": None, "replay": [], "problem": f"{wanted}: no good backup of that name (good ones: {known})"}
    taken = chosen[0]
    plan = {"backup": taken, "replay": [], "reader": [], "problem": ""}
    if until == "none":
        return plan
    if until and not GTID_UNTIL.fullmatch(until):
        try:
            moment = datetime.strptime(until, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        except ValueError:
            return {**plan, "problem": f"mysql_restore_until '{until}': a UTC time as YYYY-MM-DD HH:MM:SS, '' or none"}
        if moment < datetime.fromisoformat(taken["finished"]):
            return {
                **plan,
                "problem": f"mysql_restore_until '{until}': before backup {taken['name']} ended ({taken['finished']}); "
                "choose an older backup with mysql_restore_backup",
            }
    start = taken["position"].get("binlog_file")
    if not start:
        return {**plan, "problem": f"backup {taken['name']} has no binary-log position: it restores, it cannot replay"}
    if taken["flavor"] == "mysql" and not taken["position"].get("gtid"):
        # the clone's position is read before it starts: only GTIDs skip what it holds already
        return {
            **plan,
            "problem": f"backup {taken['name']} is of a MySQL server without GTIDs (gtid_mode OFF): a replay from "
            "the position read before its clone could apply transactions twice; restore it with "
            "mysql_restore_until=none",
        }
    plan["reader"] = [f"--start-position={taken['position']['binlog_position']}"]
    if until and not GTID_UNTIL.fullmatch(until):
        plan["reader"].append(f"--stop-datetime={until}")
    try:
        plan["replay"] = replay_files(archived, start)
    except ValueError as error:
        plan["problem"] = f"backup {taken['name']}: {error}"
    return plan


def version_numbers(text: str) -> tuple[int, ...]:
    """'9.7.0' or '11.8.3-MariaDB' -> (9, 7, 0)."""
    return tuple(int(part) for part in re.findall(r"\d+", text.split("-")[0])[:3])


def onto_problem(taken: dict, source: str, server: dict, host: str) -> str:
    """Why a backup of ``source`` cannot be restored onto ``host``'s server ("" when it can).

    A physical backup holds one server's own files: it starts on the same flavor and release
    series, at its version or a later one (the server upgrades the files it finds), never an
    older one."""
    theirs = f"{taken['flavor']} {taken['version']}"
    ours = f"{server['flavor']} {server['version']}"
    if taken["flavor"] != server["flavor"]:
        return (
            f"backup {taken['name']} of {source} is a {theirs} server's; {host} runs {ours}: "
            f"restore it onto {taken['flavor']}"
        )
    made, runs = version_numbers(taken["version"]), version_numbers(server["version"])
    if made[:2] != runs[:2] or runs < made:
        return (
            f"backup {taken['name']} of {source} was taken on {theirs}; {host} runs {ours}: "
            f"restore it onto {taken['flavor']} {'.'.join(map(str, made[:2]))} at {taken['version']} or later"
        )
    return ""


def rotate_needed(current: tuple[str, int], after_last_rotation: tuple[str, int] | None) -> bool:
    """Whether the log being written holds events since the archive last rotated it: closing it
    lets the archive copy them (a log is copied once closed)."""
    return after_last_rotation is None or tuple(after_last_rotation) != tuple(current)


# a restore check's record in the backup's directory: the tables' checksums its first check read
CHECK = "check.json"
# the schemas of the server itself, not checksummed
SYSTEM_SCHEMAS = ("mysql", "sys", "performance_schema", "information_schema")


def check_verdict(tables: dict[str, int | None], recorded: dict[str, int | None] | None) -> list[str]:
    """What is wrong with a restored copy's tables ({schema.table: CHECKSUM TABLE}), against what
    an earlier check of the same backup read (None: the first check records them)."""
    problems = [f"{name}: CHECKSUM TABLE read nothing" for name, value in sorted(tables.items()) if value is None]
    if recorded is not None:
        for name in sorted(set(recorded) | set(tables)):
            if recorded.get(name) != tables.get(name):
                problems.append(f"{name}: checksum {tables.get(name)} where the first check read {recorded.get(name)}")
    return problems


# node_exporter's textfile collector reads this file beside the toolkit's own metrics
METRICS_FILE = "mysql_backup.prom"
METRICS = (
    ("last_good_timestamp_seconds", "When the newest good backup finished (0: none yet)."),
    ("last_good_bytes", "Size of the newest good backup."),
    ("last_good_duration_seconds", "How long the newest good backup took."),
    ("good", "Good backups kept."),
    ("last_run_success", "Whether the last backup run ended with a good backup (1) or failed (0)."),
    ("archive_last_success_timestamp_seconds", "When the binary-log archive last ran through (0: never)."),
    ("check_success", "Whether the last restore check started a server on the newest backup and read every table."),
    ("check_timestamp_seconds", "When the last restore check ran (0: never)."),
)


def metrics_text(good: list[dict], state: dict) -> str:
    """The backups as Prometheus gauges, from the good backups and the runs' recorded outcome
    (``state``: last_run_success, archive_last_success)."""
    newest = good[-1] if good else None
    values = {
        "last_good_timestamp_seconds": datetime.fromisoformat(newest["finished"]).timestamp() if newest else 0,
        "last_good_bytes": newest["bytes"] if newest else 0,
        "last_good_duration_seconds": newest["seconds"] if newest else 0,
        "good": len(good),
        "last_run_success": state.get("last_run_success", 1 if newest else 0),
        "archive_last_success_timestamp_seconds": state.get("archive_last_success", 0),
        "check_success": state.get("check_success", 1),
        "check_timestamp_seconds": state.get("check_time", 0),
    }
    lines = []
    for name, help_text in METRICS:
        full = f"mysql_toolkit_backup_{name}"
        value = float(values[name])
        shown = str(int(value)) if value.is_integer() else repr(value)
        lines += [f"# HELP {full} {help_text}", f"# TYPE {full} gauge", f"{full} {shown}"]
    return "\n".join(lines) + "\n"


def server_settings(
    flavor: str, enabled: bool, datadir: str = "/var/lib/mysql", basename: str = "", version: tuple = (0,)
) -> dict:
    """What the server needs to be backed up, for the tuning drop-in: MySQL loads its clone plugin
    and, from 8.0.29, leaves purging its binary logs to the archive (which purges only what it
    holds); MariaDB writes a binary log (a restore replays it; MySQL writes one by default)."""
    if not enabled:
        return {"variables": {}, "options": {}}
    if flavor == "mysql":
        plugin = {"value": CLONE_PLUGIN, "formula": "the clone plugin: backups clone the data"}
        variables = {}
        if version >= AUTO_PURGE_SWITCH_SINCE:
            variables["binlog_expire_logs_auto_purge"] = {"value": "OFF", "formula": ARCHIVE_PURGES}
        return {"variables": variables, "options": {"plugin_load_add": plugin}}
    log_bin = {"value": mariadb_log_bin(basename, datadir), "formula": "binary log on: a restore replays it to a point"}
    return {"variables": {}, "options": {"log_bin": log_bin}}
