"""RAID tools: parsing captured storcli/MegaCli output, the changes to make, and the learn
window as cron fields (the module itself: test_raid_battery_module.py)."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from ansible_collections.local.mysql.plugins.module_utils.cron import NotCron, cron_fields
from ansible_collections.local.mysql.plugins.module_utils.raid import (
    battery_from,
    changes,
    megacli_ok,
    megacli_virtual_drives,
    properties_diff,
    storcli_ok,
    storcli_virtual_drives,
    write_policy,
)

FIXTURES = Path(__file__).parent / "fixtures" / "raid"


def captured(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_storcli_cachevault():
    text = captured("storcli-cv-show-all.txt")
    assert storcli_ok(text)
    battery = battery_from(text, "cachevault")
    assert battery["kind"] == "cachevault" and battery["type"] == "CVPM02"
    assert battery["state"] == "Optimal"
    assert battery["auto_learn"] == "transparent"
    assert battery["learn_delay_hours"] == 0
    assert battery["next_learn"].startswith("2022/05/06")


def test_storcli_no_cachevault_is_a_failure():
    assert not storcli_ok(captured("storcli-cv-absent.txt"))


def test_storcli_learn_in_progress():
    assert battery_from(captured("storcli-bbu-learn-active.txt"), "bbu")["learn_active"] is True


def test_storcli_replies():
    assert storcli_ok(captured("storcli-bbu-start-learn.txt"))
    assert storcli_ok(captured("storcli-set-wrcache-wt.txt"))


def test_storcli_virtual_drives():
    drives = storcli_virtual_drives(captured("storcli-vall-show.txt"))
    assert [(d["group"], d["id"], d["cache"], d["write_policy"]) for d in drives] == [
        (0, 0, "NRWBD", "WB"),
        (0, 1, "NRWBD", "WB"),
    ]


@pytest.mark.parametrize(("cache", "policy"), [("NRWBD", "WB"), ("RWTD", "WT"), ("NRAWBD", "AWB"), ("RFWBD", "AWB")])
def test_write_policy_codes(cache, policy):
    assert write_policy(cache) == policy


def test_megacli_battery_with_auto_learn_enabled():
    text = captured("megacli-adpbbucmd-aall.txt")
    assert megacli_ok(text)
    battery = battery_from(text, "bbu")
    assert (battery["kind"], battery["type"], battery["state"]) == ("bbu", "iBBU08", "Optimal")
    assert battery["auto_learn"] == "enabled" and battery["learn_active"] is False
    assert battery["learn_delay_hours"] == 0


def test_megacli_no_battery():
    assert not megacli_ok(captured("megacli-adpbbucmd-no-battery.txt"))


def test_megacli_virtual_drives():
    drives = megacli_virtual_drives(captured("megacli-ldinfo.txt"))
    assert [(d["id"], d["write_policy"], d["current_write_policy"]) for d in drives] == [
        (0, "WB", "WB"),
        (1, "WB", "WB"),
    ]
    learning = megacli_virtual_drives(captured("megacli-ldinfo-current-wt.txt"))
    assert (learning[0]["write_policy"], learning[0]["current_write_policy"]) == ("WB", "WT")


def test_megacli_set_reply():
    assert megacli_ok(captured("megacli-ldsetprop-nocachedbadbbu.txt"))


BBU_ENABLED = {"kind": "bbu", "auto_learn": "enabled", "learn_active": False}


@pytest.mark.parametrize("family", ["storcli", "megacli"])
def test_changes_switch_auto_learn_off_and_keep_plain_write_back(family):
    drives = [{"id": 0, "write_policy": "AWB"}, {"id": 1, "write_policy": "WB"}, {"id": 2, "write_policy": "WT"}]
    controllers = [{"id": 0, "battery": BBU_ENABLED, "virtual_drives": drives}]
    todo = changes(controllers, family, writeback_during_learn=False, properties_file="/tmp/p")
    args = [" ".join(t["args"]) for t in todo]
    if family == "storcli":
        assert args == ["/c0/bbu set autolearnmode=1", "/c0/v0 set wrcache=WB"]
    else:
        assert args == [
            "-AdpBbuCmd -SetBbuProperties -f /tmp/p -a0 -NoLog",
            "-LDSetProp NoCachedBadBBU -Lall -a0 -NoLog",
        ]


def test_write_back_during_learn_only_when_asked():
    controllers = [{"id": 0, "battery": {**BBU_ENABLED, "auto_learn": "disabled"},
                    "virtual_drives": [{"id": 0, "write_policy": "WB"}]}]  # fmt: skip
    assert changes(controllers, "storcli", False, "/tmp/p") == []
    assert [t["args"] for t in changes(controllers, "storcli", True, "/tmp/p")] == [["/c0/v0", "set", "wrcache=AWB"]]


def test_no_battery_and_cachevault_need_nothing():
    controllers = [
        {"id": 0, "battery": None, "virtual_drives": [{"id": 0, "write_policy": "WB"}]},
        {"id": 1, "battery": {"kind": "cachevault", "auto_learn": "transparent"}, "virtual_drives": []},
    ]
    assert changes(controllers, "storcli", False, "/tmp/p") == []


@pytest.mark.parametrize(
    ("fixture", "state"),
    [("megacli-getbbustatus-non-operational.txt", "Non Operational"),
     ("megacli-adpbbucmd-degraded-charging.txt", "Degraded(Charging)")],
)  # fmt: skip
def test_bad_battery_is_not_healthy(fixture, state):
    battery = battery_from(captured(fixture), "bbu")
    assert battery["state"] == state
    assert battery["healthy"] is False


def test_optimal_batteries_are_healthy():
    assert battery_from(captured("megacli-adpbbucmd-aall.txt"), "bbu")["healthy"] is True
    assert battery_from(captured("storcli-cv-show-all.txt"), "cachevault")["healthy"] is True


@pytest.mark.parametrize("family", ["storcli", "megacli"])
def test_diff_names_each_changed_property_once(family):
    drives = [{"id": 0, "write_policy": "WB"}, {"id": 1, "write_policy": "WB"}, {"id": 2, "write_policy": "WT"}]
    controllers = [
        {"id": 0, "battery": BBU_ENABLED, "virtual_drives": drives},
        {"id": 1, "battery": {**BBU_ENABLED, "auto_learn": "disabled"}, "virtual_drives": []},
    ]
    diff = properties_diff(changes(controllers, family, writeback_during_learn=True, properties_file="/tmp/p"))
    assert diff["before"].splitlines() == [
        "controller 0 battery auto_learn: enabled",
        "controller 0 virtual drive 0 write_policy: WB",
        "controller 0 virtual drive 1 write_policy: WB",
    ]
    assert diff["after"].splitlines() == [
        "controller 0 battery auto_learn: disabled",
        "controller 0 virtual drive 0 write_policy: AWB",
        "controller 0 virtual drive 1 write_policy: AWB",
    ]


def test_nothing_to_change_is_an_empty_diff():
    controllers = [{"id": 0, "battery": {**BBU_ENABLED, "auto_learn": "disabled"}, "virtual_drives": []}]
    assert properties_diff(changes(controllers, "storcli", False, "/tmp/p")) == {"before": "", "after": ""}


FAKE_DATE = """#!/bin/sh
# Stand-in for date: the ISO weekday in $DAY, for the one format the guard may ask for.
[ "$1" = "+%u" ] || exit 9
echo "$DAY"
"""


def guard_days(guard: str, tmp_path: Path) -> list[int]:
    """The ISO weekdays on which the job behind ``guard`` runs, asked of a real shell."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "date").write_text(FAKE_DATE)
    (bin_dir / "date").chmod(0o755)
    path = f"{bin_dir}:/usr/bin:/bin"
    runs = [subprocess.run(["sh", "-c", guard + "true"], env={"PATH": path, "DAY": str(day)}) for day in range(1, 8)]
    return [day for day, done in enumerate(runs, start=1) if done.returncode == 0]


ALL_WEEK = [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    ("expression", "fields", "days"),
    [
        ("Sun *-*-01..07 03:00:00", ("0", "3", "1-7", "*", "*"), [7]),
        ("Sat *-*-08..14 02:30:00", ("30", "2", "8-14", "*", "*"), [6]),
        ("Mon,Wed..Fri *-*-15 03:00", ("0", "3", "15", "*", "*"), [1, 3, 4, 5]),
        ("sun,Wednesday 1..5:00", ("0", "1-5", "*", "*", "0,3"), ALL_WEEK),
        ("Mon-Fri 8..16/4:00", ("0", "8-16/4", "*", "*", "1,2,3,4,5"), ALL_WEEK),
        ("Mon..Sun 03:00", ("0", "3", "*", "*", "*"), ALL_WEEK),
        ("*:0/15", ("0-59/15", "*", "*", "*", "*"), ALL_WEEK),
        ("12-25", ("0", "0", "25", "12", "*"), ALL_WEEK),
        ("quarterly", ("0", "0", "1", "1,4,7,10", "*"), ALL_WEEK),
        ("weekly", ("0", "0", "*", "*", "1"), ALL_WEEK),
        ("*-*-* 04:05:00.000", ("5", "4", "*", "*", "*"), ALL_WEEK),
    ],
)
def test_calendar_as_cron_fields(expression, fields, days, tmp_path):
    cron = cron_fields(expression)
    assert tuple(cron[name] for name in ("minute", "hour", "day", "month", "weekday")) == fields
    assert guard_days(cron["guard"], tmp_path) == days


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("03:00 UTC", "time zone"),
        ("*-*-* 03:00:30", "whole minutes"),
        ("*:*:*", "whole minutes"),
        ("2027-*-* 03:00", "every year"),
        ("*-02~03 03:00", "end of the month"),
        ("Sat..Mon 03:00", "backwards"),
        ("Funday 03:00", "not a weekday"),
        ("*-*-32 03:00", "day of the month must be a number in 1..31"),
        ("24:00", "hour must be a number in 0..23"),
        ("1/30:00", "hour repetition"),
        ("*/2:00", "hour must be a number"),
        ("", "no weekday, date or time"),
    ],
)
def test_calendar_cron_cannot_run(expression, why):
    with pytest.raises(NotCron, match=why):
        cron_fields(expression)


def cron_values(field: str, low: int, high: int) -> set[int]:
    """The numbers a crontab field stands for (``*``, ``a``, ``a-b``, ``a-b/s``, ``*/s``, lists)."""
    values = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        first, _, last = span.partition("-")
        start, end = (low, high) if span == "*" else (int(first), int(last or first))
        values.update(range(start, end + 1, int(step or 1)))
    return values


def cron_runs(cron: dict, after: datetime.datetime, count: int, tmp_path: Path) -> list[datetime.datetime]:
    """The next ``count`` times cron starts the job (days and weekdays OR-ed, as cron does), guard included."""
    minutes, hours = cron_values(cron["minute"], 0, 59), cron_values(cron["hour"], 0, 23)
    days, months = cron_values(cron["day"], 1, 31), cron_values(cron["month"], 1, 12)
    weekdays = {day % 7 for day in cron_values(cron["weekday"], 0, 7)}
    allowed = set(guard_days(cron["guard"], tmp_path))
    runs, day = [], after.date()
    while len(runs) < count and day < after.date() + datetime.timedelta(days=15 * 366):
        by_day, by_weekday = day.day in days, day.isoweekday() % 7 in weekdays
        either = "*" not in (cron["day"], cron["weekday"])
        matches = (by_day or by_weekday) if either else (by_day and by_weekday)
        if matches and day.month in months and day.isoweekday() in allowed:
            times = (
                datetime.datetime.combine(day, datetime.time(h, m)) for h in sorted(hours) for m in sorted(minutes)
            )
            runs.extend(t for t in times if t > after)
        day += datetime.timedelta(days=1)
    return runs[:count]


def systemd_runs(expression: str, after: datetime.datetime, count: int) -> list[datetime.datetime]:
    done = subprocess.run(
        ["systemd-analyze", "calendar", f"--iterations={count}", f"--base-time={after:%Y-%m-%d %H:%M:%S}", expression],
        capture_output=True,
        text=True,
        check=True,
        env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
    )
    stamps = [
        line.split(": ", 1)[1] for line in done.stdout.splitlines() if "Next elapse:" in line or "Iter. #" in line
    ]
    return [datetime.datetime.strptime(" ".join(stamp.split()[1:3]), "%Y-%m-%d %H:%M:%S") for stamp in stamps]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize(
    "expression",
    [
        "Sun *-*-01..07 03:00:00",
        "Sat *-*-08..14 02:30:00",
        "Mon,Wed..Fri *-01,07-01..07,15 04:15",
        "Fri,Mon..Tue 23:59",
        "*-*-01..07/2 03:00",
        "Mon..Fri 8..16/4:00,30",
        "*:0/15",
        "12-25",
        "monthly",
        "weekly",
        "semiannually",
    ],
)
def test_cron_runs_when_systemd_would(expression, tmp_path):
    after = datetime.datetime(2026, 1, 1, 0, 0, 30)
    assert cron_runs(cron_fields(expression), after, 12, tmp_path) == systemd_runs(expression, after, 12)
