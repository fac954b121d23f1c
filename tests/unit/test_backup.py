"""Backups: target, catalog and retention, room, the schedule against RAID learn windows."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ansible_collections.local.mysql.plugins.filter.sizing import mysql_sizing
from ansible_collections.local.mysql.plugins.module_utils import backup
from hypothesis import given
from hypothesis import strategies as st

MIB = 2**20
START = datetime(2026, 12, 6, 0, 30, tzinfo=UTC)
SERVER = {"flavor": "mysql", "version": "9.7.4"}
# a 4 GiB host's sizing inputs, MySQL 9.7 and MariaDB 11.8
MYSQL_HOST = {"memory": "4G", "cpus": 2, "disk": "ssd", "flavor": "mysql", "version": "9.7.4"}
MARIADB_HOST = {**MYSQL_HOST, "flavor": "mariadb", "version": "11.8.6"}
POSITION = {"binlog_file": "binlog.000003", "binlog_position": 157, "gtid": "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5"}


def script():
    files = Path(__file__).parents[2] / "roles/mysql_backup/files"
    # the rules beside the script, as on a host (files/backup.py is the module_utils file)
    sys.path.insert(0, str(files))
    path = files / "mysql-backup"
    loader = importlib.machinery.SourceFileLoader("mysql_backup_script", str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def good(name: str, size: int = 100 * MIB, seconds: float = 60.0) -> str:
    started = datetime.strptime(name, backup.NAME_FORMAT).replace(tzinfo=UTC)
    content = backup.manifest(name, SERVER, started, started + timedelta(seconds=seconds), ("ab", size, 3), POSITION)
    return json.dumps(content)


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("backups", "an absolute path"),
        ("/", "not the root"),
        ("/var/lib/mysql", "inside the datadir"),
        ("/var/lib/mysql/../mysql/backups", "inside the datadir"),
        ("/var/lib", "holds the datadir"),
    ],
)
def test_a_target_inside_or_around_the_datadir_is_refused_naming_the_variable(target, why):
    problem = backup.target_problem(target, "/var/lib/mysql")
    assert problem.startswith(f"mysql_backup_dir '{target}'") and why in problem


def test_a_target_beside_the_datadir_is_accepted():
    assert backup.target_problem("/var/lib/mysql-backups", "/var/lib/mysql") is None
    assert backup.target_problem("/srv/backup/mysql", "/var/lib/mysql") is None


def test_only_a_directory_with_its_own_whole_manifest_is_a_good_backup():
    found = backup.catalog(
        {
            "20261204T003000Z": good("20261204T003000Z"),
            "20261205T003000Z": None,  # killed halfway: no manifest
            "20261206T003000Z": '{"name": "20261206T0030',  # cut short
            "20261207T003000Z": good("20261204T003000Z"),  # another backup's manifest
            "lost+found": None,  # not the toolkit's
        }
    )
    assert [item["name"] for item in found["good"]] == ["20261204T003000Z"]
    assert found["incomplete"] == ["20261205T003000Z", "20261206T003000Z", "20261207T003000Z"]


@given(st.lists(st.integers(min_value=0, max_value=10**6), unique=True, max_size=20), st.integers(1, 10))
def test_retention_removes_the_oldest_beyond_keep_and_never_a_newer_one(offsets, keep):
    names = sorted(backup.backup_name(START + timedelta(hours=offset)) for offset in offsets)
    found = backup.catalog({name: good(name) for name in names})
    removed = backup.expired(found["good"], keep)
    kept = [name for name in names if name not in removed]
    assert len(kept) == min(keep, len(names))
    assert all(old < new for old in removed for new in kept)


def test_the_room_check_reads_the_last_backup_or_the_datadir_and_gives_the_numbers():
    problem = backup.room_problem("/b", 500 * MIB, [], 450 * MIB)
    assert problem.startswith("mysql_backup_dir '/b': 500 MiB free, the next backup needs 540 MiB"), problem
    assert "450 MiB measured on the datadir (no backup yet)" in problem
    assert backup.room_problem("/b", 540 * MIB, [], 450 * MIB) is None
    last = json.loads(good("20261205T003000Z", size=900 * MIB))
    problem = backup.room_problem("/b", 1000 * MIB, [last], 100 * MIB)
    assert "1080 MiB" in problem and "900 MiB measured on the last backup (20261205T003000Z)" in problem


UTC_OUTPUT = """  Original form: Sun *-*-01..07 03:00:00
Normalized form: Sun *-*-01..07 03:00:00
    Next elapse: Sun 2027-01-03 03:00:00 UTC
       From now: 3 weeks 6 days left
   Iteration #2: Sun 2027-02-07 03:00:00 UTC
       From now: 2 months 1 day left
"""
ZONED_OUTPUT = """Normalized form: *-*-* 00:30:00
    Next elapse: Mon 2026-12-07 00:30:00 CET
       (in UTC): Sun 2026-12-06 23:30:00 UTC
       From now: 11h left
   Iteration #2: Tue 2026-12-08 00:30:00 CET
       (in UTC): Mon 2026-12-07 23:30:00 UTC
"""


def test_the_calendar_elapses_are_read_in_utc_whatever_the_hosts_zone():
    assert backup.elapses(UTC_OUTPUT) == [
        datetime(2027, 1, 3, 3, 0, tzinfo=UTC),
        datetime(2027, 2, 7, 3, 0, tzinfo=UTC),
    ]
    assert backup.elapses(ZONED_OUTPUT) == [
        datetime(2026, 12, 6, 23, 30, tzinfo=UTC),
        datetime(2026, 12, 7, 23, 30, tzinfo=UTC),
    ]


def test_the_default_schedules_do_not_overlap_and_a_backup_inside_a_learn_window_does():
    learn = datetime(2027, 1, 3, 3, 0, tzinfo=UTC)
    nightly = [datetime(2027, 1, day, 0, 30, tzinfo=UTC) for day in range(1, 8)]
    assert backup.overlaps(nightly, 2 * backup.HOUR, [learn], 12 * backup.HOUR) == []
    late = [moment + timedelta(hours=3) for moment in nightly]
    clashes = backup.overlaps(late, 2 * backup.HOUR, [learn], 12 * backup.HOUR)
    assert clashes == [(datetime(2027, 1, 3, 3, 30, tzinfo=UTC), learn)]
    message = backup.schedule_problem("*-*-* 03:30:00", "Sun *-*-01..07 03:00:00", clashes, 7200, 12)
    assert message.startswith("mysql_backup_schedule '*-*-* 03:30:00': the run at 2027-01-03 03:30 UTC")


@given(
    st.integers(0, 10**6),
    st.integers(1, 10**5),
    st.integers(0, 10**6),
    st.integers(1, 10**5),
)
def test_two_windows_overlap_exactly_when_they_share_a_moment(backup_at, backup_len, learn_at, learn_len):
    start, learn = START + timedelta(seconds=backup_at), START + timedelta(seconds=learn_at)
    shared = max(backup_at, learn_at) < min(backup_at + backup_len, learn_at + learn_len)
    assert bool(backup.overlaps([start], backup_len, [learn], learn_len)) == shared


def test_a_backup_is_given_twice_its_last_time_when_that_exceeds_the_window():
    assert backup.window_seconds([], 2) == 7200
    assert backup.window_seconds([json.loads(good("20261205T003000Z", seconds=5400))], 2) == 10800


def test_mysql_with_backups_loads_the_clone_plugin_once_with_both_reasons():
    inputs = MYSQL_HOST
    alone = mysql_sizing(inputs, backup=True)
    assert alone["options"]["plugin_load_add"] == "mysql_clone.so"
    both = mysql_sizing(inputs, replication={"role": "primary", "server_id": 1}, backup=True)
    assert both["options"]["plugin_load_add"] == "mysql_clone.so"
    assert "seeded" in both["explain"]["plugin_load_add"]["formula"]
    assert "backups" in both["explain"]["plugin_load_add"]["formula"]
    assert "plugin_load_add" not in mysql_sizing(inputs)["options"]
    assert "plugin_load_add" not in mysql_sizing(MARIADB_HOST, backup=True)["options"]


def test_mariadb_with_backups_writes_a_binary_log_under_the_name_it_has():
    inputs = MARIADB_HOST
    assert mysql_sizing(inputs, backup=True)["options"]["log_bin"] == "/var/lib/mysql/mysql-bin"
    kept = mysql_sizing(inputs, replication={"binlog_basename": "/srv/binlog/db1-bin"}, backup=True)
    assert kept["options"]["log_bin"] == "/srv/binlog/db1-bin"
    both = mysql_sizing(inputs, replication={"role": "primary", "server_id": 1}, backup=True)
    assert both["options"]["log_bin"] == "/var/lib/mysql/mysql-bin"
    assert "replicas read it" in both["explain"]["log_bin"]["formula"]
    assert "a restore replays it" in both["explain"]["log_bin"]["formula"]
    assert "log_bin" not in mysql_sizing(inputs)["options"]
    off = {**inputs, "binlog": False}
    assert mysql_sizing(off, backup=True)["variables"].keys() - mysql_sizing(off)["variables"].keys(), (
        "the binary log's retention is sized from the first run on, not after the restart that turns it on"
    )


def test_the_script_writes_the_manifest_last_and_only_then_the_backup_counts(tmp_path):
    tool = script()
    name = "20261206T003000Z"
    data = tmp_path / name / backup.DATA
    data.mkdir(parents=True)
    (data / "ibdata1").write_bytes(b"x" * 1000)
    assert backup.read_catalog(str(tmp_path))["incomplete"] == [name], "files without a manifest"
    digest = backup.tree_digest(str(data))
    assert digest[1:] == (1000, 1)
    tool.write_manifest(str(tmp_path / name), backup.manifest(name, SERVER, START, START, digest, POSITION))
    found = backup.read_catalog(str(tmp_path))
    assert [item["name"] for item in found["good"]] == [name] and found["incomplete"] == []
    assert sorted(os.listdir(tmp_path / name)) == [backup.DATA, backup.MANIFEST]


def test_the_checksum_changes_with_a_files_content_or_name(tmp_path):
    (tmp_path / "a").write_bytes(b"one")
    first = backup.tree_digest(str(tmp_path))
    (tmp_path / "a").write_bytes(b"two")
    second = backup.tree_digest(str(tmp_path))
    (tmp_path / "a").rename(tmp_path / "b")
    assert len({first[0], second[0], backup.tree_digest(str(tmp_path))[0]}) == 3


def starting_at(name: str, binlog_file: str) -> dict:
    item = json.loads(good(name))
    return {**item, "position": {**item["position"], "binlog_file": binlog_file}}


def test_the_archive_copies_closed_logs_not_whole_yet_and_never_the_one_being_written():
    logs = [("binlog.000007", 500), ("binlog.000008", 900), ("binlog.000009", 120)]
    plan = backup.archive_plan(logs, {"binlog.000007": 500, "binlog.000008": 400}, [])
    assert plan == {"copy": ["binlog.000008"], "remove": []}, "without a backup nothing is removed"


@given(st.lists(st.integers(1, 60), min_size=1, max_size=6), st.integers(1, 80))
def test_the_archive_keeps_every_log_a_kept_backup_replays_from(starts, archived_count):
    good = [starting_at(backup.backup_name(START + timedelta(days=day)), f"binlog.{n:06d}") for day, n in
            enumerate(starts)]  # fmt: skip
    archived = {f"binlog.{n:06d}": 1 for n in range(1, archived_count + 1)}
    removed = backup.archive_plan([("binlog.000999", 1)], archived, good)["remove"]
    assert all(backup.log_number(name) < min(starts) for name in removed)
    assert len(removed) == len([n for n in range(1, archived_count + 1) if n < min(starts)])


def test_a_replay_reads_from_the_backups_log_on_and_refuses_a_gap():
    archived = ["mysql-bin.000003", "mysql-bin.000001", "mysql-bin.000002", "mysql-bin.000004"]
    assert backup.replay_files(archived, "mysql-bin.000002") == [
        "mysql-bin.000002",
        "mysql-bin.000003",
        "mysql-bin.000004",
    ]
    with pytest.raises(ValueError, match=re.escape("lacks the logs between mysql-bin.000002 and mysql-bin.000004")):
        backup.replay_files(["mysql-bin.000002", "mysql-bin.000004"], "mysql-bin.000002")
    with pytest.raises(ValueError, match=re.escape("lacks mysql-bin.000001")):
        backup.replay_files(["mysql-bin.000002"], "mysql-bin.000001")


def test_the_restore_takes_the_newest_good_backup_and_refuses_a_point_before_it_ended():
    first, second = starting_at("20261204T003000Z", "binlog.000002"), starting_at("20261205T003000Z", "binlog.000004")
    archived = ["binlog.000002", "binlog.000003", "binlog.000004", "binlog.000005"]
    plan = backup.restore_plan([first, second], archived, "", "2026-12-05 10:00:00")
    assert plan["backup"]["name"] == "20261205T003000Z" and plan["problem"] == ""
    assert plan["replay"] == ["binlog.000004", "binlog.000005"]
    assert plan["reader"] == ["--start-position=157", "--stop-datetime=2026-12-05 10:00:00"]
    whole = backup.restore_plan([first, second], archived, "", "")
    assert whole["reader"] == ["--start-position=157"], "the whole archive: no end"
    by_gtid = backup.restore_plan([first, second], archived, "", f"{POSITION['gtid'].split(':')[0]}:9")
    assert by_gtid["problem"] == "" and by_gtid["reader"] == ["--start-position=157"], "gtid.replay_stop adds the end"
    early = backup.restore_plan([first, second], archived, "", "2026-12-05 00:30:30")
    assert early["problem"].startswith("mysql_restore_until '2026-12-05 00:30:30': before backup 20261205T003000Z")
    older = backup.restore_plan([first, second], archived, "20261204T003000Z", "2026-12-05 00:30:30")
    assert older["problem"] == "" and older["replay"][0] == "binlog.000002"
    assert backup.restore_plan([first], archived, "", "none")["replay"] == []
    assert backup.restore_plan([first], archived, "20261201T003000Z", "")["problem"].startswith(
        "mysql_restore_backup '20261201T003000Z': no good backup of that name (good ones: 20261204T003000Z)"
    )
    assert backup.restore_plan([first], archived, "", "yesterday")["problem"].startswith(
        "mysql_restore_until 'yesterday'"
    )
    assert backup.restore_plan([], archived, "", "")["problem"].startswith("mysql_restore_backup ''")


def test_a_mysql_backup_without_gtids_restores_but_is_not_replayed():
    taken = starting_at("20261204T003000Z", "binlog.000002")
    taken["position"]["gtid"] = ""
    plan = backup.restore_plan([taken], ["binlog.000002"], "", "")
    assert "without GTIDs" in plan["problem"] and plan["replay"] == []
    assert backup.restore_plan([taken], ["binlog.000002"], "", "none")["problem"] == ""
    mariadb = {**taken, "flavor": "mariadb"}
    assert backup.restore_plan([mariadb], ["binlog.000002"], "", "")["problem"] == "", "its position is exact"


def test_another_hosts_backup_goes_onto_the_same_series_at_its_version_or_later():
    taken = {**starting_at("20261204T003000Z", "binlog.000002"), "version": "9.7.4"}
    assert backup.onto_problem(taken, "db1", SERVER, "scratch1") == ""
    assert backup.onto_problem(taken, "db1", {**SERVER, "version": "9.7.10"}, "scratch1") == "", "a later patch"
    older = backup.onto_problem(taken, "db1", {**SERVER, "version": "9.7.3"}, "scratch1")
    assert older.startswith("backup 20261204T003000Z of db1 was taken on mysql 9.7.4; scratch1 runs mysql 9.7.3")
    assert "9.7 at 9.7.4 or later" in older
    assert "runs mysql 8.4.6" in backup.onto_problem(taken, "db1", {**SERVER, "version": "8.4.6"}, "scratch1")
    assert "runs mysql 9.8.0" in backup.onto_problem(taken, "db1", {**SERVER, "version": "9.8.0"}, "scratch1")
    other = backup.onto_problem(taken, "db1", {"flavor": "mariadb", "version": "11.8.6"}, "scratch1")
    assert "scratch1 runs mariadb 11.8.6: restore it onto mysql" in other


@given(
    st.tuples(st.integers(5, 12), st.integers(0, 9), st.integers(0, 40)),
    st.tuples(st.integers(5, 12), st.integers(0, 9), st.integers(0, 40)),
)
def test_a_backup_is_refused_exactly_on_another_series_or_an_older_server(made, runs):
    taken = {**starting_at("20261204T003000Z", "binlog.000002"), "version": ".".join(map(str, made))}
    server = {"flavor": "mysql", "version": ".".join(map(str, runs)) + "-1.debian"}
    refused = bool(backup.onto_problem(taken, "db1", server, "scratch1"))
    assert refused == (made[:2] != runs[:2] or runs < made)


def test_the_archive_rotates_only_a_log_with_new_events():
    assert backup.rotate_needed(("binlog.000004", 200), None)
    assert not backup.rotate_needed(("binlog.000004", 200), ("binlog.000004", 200))
    assert backup.rotate_needed(("binlog.000004", 350), ("binlog.000004", 200))


def test_the_metrics_carry_the_newest_good_backup_and_the_runs_outcome():
    newest = json.loads(good("20261205T003000Z", size=900 * MIB, seconds=42.5))
    text = backup.metrics_text([json.loads(good("20261204T003000Z")), newest], {"archive_last_success": 1.5e9})
    values = dict(line.split(" ") for line in text.splitlines() if not line.startswith("#"))
    assert values == {
        # 2026-12-05 00:30:42.5 UTC, when the newest one finished
        "mysql_toolkit_backup_last_good_timestamp_seconds": "1796430642.5",
        "mysql_toolkit_backup_last_good_bytes": str(900 * MIB),
        "mysql_toolkit_backup_last_good_duration_seconds": "42.5",
        "mysql_toolkit_backup_good": "2",
        "mysql_toolkit_backup_last_run_success": "1",
        "mysql_toolkit_backup_archive_last_success_timestamp_seconds": "1500000000",
        # never checked yet: nothing to alert on
        "mysql_toolkit_backup_check_success": "1",
        "mysql_toolkit_backup_check_timestamp_seconds": "0",
    }
    failed = backup.metrics_text([], {"last_run_success": 0})
    assert "mysql_toolkit_backup_last_good_timestamp_seconds 0\n" in failed
    assert "mysql_toolkit_backup_last_run_success 0\n" in failed


def test_a_restore_check_records_the_first_checksums_and_holds_later_ones_to_them():
    first = {"appdb.orders": 123, "appdb.bulk": 456}
    assert backup.check_verdict(first, None) == []
    assert backup.check_verdict(first, dict(first)) == []
    assert backup.check_verdict({"appdb.orders": 124, "appdb.bulk": 456}, first) == [
        "appdb.orders: checksum 124 where the first check read 123"
    ]
    assert backup.check_verdict({"appdb.orders": 123}, first) == [
        "appdb.bulk: checksum None where the first check read 456"
    ]
    assert backup.check_verdict({"appdb.orders": None}, None) == ["appdb.orders: CHECKSUM TABLE read nothing"]


LOGS = [("binlog.000003", 500, 1000.0), ("binlog.000004", 600, 2000.0), ("binlog.000005", 700, 3000.0)]


def test_the_archive_purges_only_closed_logs_it_holds_that_are_older_than_the_retention():
    archived = {"binlog.000003": 500, "binlog.000004": 600}
    assert backup.purge_to(LOGS, archived, 1000, 4000.0, 0, 0) == (
        "binlog.000005",
        "purged the logs before binlog.000005: older than 1000 s, archived or older than every kept backup",
    )
    assert backup.purge_to(LOGS, {"binlog.000003": 500}, 1000, 4000.0, 0, 0)[0] == "binlog.000004"
    assert backup.purge_to(LOGS, {"binlog.000003": 400, "binlog.000004": 600}, 1000, 4000.0, 0, 0)[0] is None, (
        "a log the archive holds only in part stays, and so does every later one"
    )
    assert backup.purge_to(LOGS, archived, 2500, 4000.0, 0, 0)[0] == "binlog.000004", "000004 is too young"
    assert backup.purge_to(LOGS, archived, 0, 4000.0, 0, 0)[0] is None
    # the archive dropped 000003 (older than every kept backup, which start at 000004): it may go
    assert backup.purge_to(LOGS, {"binlog.000004": 600}, 1000, 4000.0, 0, 0, needed_from=4)[0] == "binlog.000005"
    assert backup.purge_to(LOGS, {"binlog.000004": 600}, 1000, 4000.0, 0, 0)[0] is None
    assert backup.purge_to(LOGS, archived, 1000, 4000.0, 2, 1) == (
        None,
        "1 of 2 replicas connected: nothing purged until they all are",
    )


@given(
    st.lists(st.tuples(st.integers(1, 10**6), st.floats(0, 10**6)), min_size=1, max_size=8),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.integers(0, 10**6),
    st.one_of(st.none(), st.integers(1, 9)),
)
def test_no_purge_ever_removes_a_log_a_restore_needs_that_the_archive_lacks(logs, held, retention, needed_from):
    named = [(f"binlog.{index:06d}", size, mtime) for index, (size, mtime) in enumerate(logs, start=1)]
    archived = {name: size for (name, size, _mtime), kept in zip(named, held[: len(named)], strict=True) if kept}
    target, _why = backup.purge_to(named, archived, retention, 10**6 + 1.0, 0, 0, needed_from)
    if target is not None:
        gone = [log for log in named if backup.log_number(log[0]) < backup.log_number(target)]
        assert gone and named[-1] not in gone
        for name, size, mtime in gone:
            assert 10**6 + 1.0 - mtime >= retention
            assert archived.get(name) == size or (needed_from is not None and backup.log_number(name) < needed_from)


def test_a_backup_host_leaves_purging_to_its_archive_on_mysql_from_8_0_29():
    inputs = MYSQL_HOST
    assert mysql_sizing(inputs, backup=True)["variables"]["binlog_expire_logs_auto_purge"] == "OFF"
    assert (
        "binlog_expire_logs_auto_purge" not in mysql_sizing({**inputs, "version": "8.0.28"}, backup=True)["variables"]
    )
    primary = mysql_sizing(inputs, replication={"role": "primary", "server_id": 1}, backup=True)
    assert primary["variables"]["binlog_expire_logs_auto_purge"] == "OFF"
    assert (
        mysql_sizing(inputs, replication={"role": "primary", "server_id": 1})["variables"][
            "binlog_expire_logs_auto_purge"
        ]
        == "ON"
    ), "without backups or replicas the server purges"
