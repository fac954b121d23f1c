"""RAID battery learn cycles are under control (issue 6).

On hosts without a controller nothing is installed; on hosts with one, the fact file, the
controller and the timer agree. Where the lab's simulator stands in for the controller, its
call log shows what the roles asked of it.
"""

from __future__ import annotations

import json

import pytest

SIM_LOG = "/var/log/raidsim.log"
SIM_STATE = "/var/lib/raidsim/state.json"


def simulated(host) -> bool:
    return host.file(SIM_LOG).exists


def test_no_controller_means_nothing_installed(host, facts):
    if "raid" in facts:
        pytest.skip("this host has a controller")
    assert not host.file("/etc/systemd/system/mysql-raid-learn.timer").exists
    assert not host.file("/usr/local/sbin/mysql-raid-learn").exists


def test_fact_file_shows_the_controller(facts):
    if "raid" not in facts:
        pytest.skip("no controller here")
    raid = facts["raid"]
    assert raid["tool"] and raid["controllers"]
    for controller in raid["controllers"]:
        battery = controller["battery"]
        if battery and battery["kind"] == "bbu":
            assert battery["auto_learn"] == "disabled", "the controller still starts learns on its own"
        for drive in controller["virtual_drives"]:
            if drive["write_policy"] in ("WB", "AWB"):
                assert (drive["write_policy"] == "AWB") == raid["writeback_during_learn"]


def test_timer_is_enabled_with_the_configured_window(host, facts):
    if "raid" not in facts:
        pytest.skip("no controller here")
    timer = host.service("mysql-raid-learn.timer")
    assert timer.is_enabled and timer.is_running
    calendar = host.check_output("systemctl show --property TimersCalendar --value mysql-raid-learn.timer")
    normalized = host.check_output("systemd-analyze calendar %s | sed -n 's/^ *Normalized form: //p'",
                                   facts["raid"]["learn_schedule"])  # fmt: skip
    assert f"OnCalendar={normalized}" in calendar


def test_simulator_log_shows_auto_learn_switched_off(host, facts):
    if "raid" not in facts or not simulated(host):
        pytest.skip("no simulated controller here")
    log = host.file(SIM_LOG).content_string
    assert "autolearnmode=1" in log or "-SetBbuProperties" in log
    assert "rc=0 /c0/bbu set autolearnmode=1" in log or "-AdpBbuCmd -SetBbuProperties" in log


def test_timer_service_runs_exactly_one_learn(host, facts):
    if "raid" not in facts or not simulated(host):
        pytest.skip("no simulated controller here")
    before = json.loads(host.file(SIM_STATE).content_string)["controllers"][0]["learns"]
    log_before = host.file(SIM_LOG).content_string.count("\n")
    host.check_output("systemctl start mysql-raid-learn.service")
    after = json.loads(host.file(SIM_STATE).content_string)["controllers"][0]["learns"]
    new_calls = host.file(SIM_LOG).content_string.splitlines()[log_before:]
    assert after == before + 1
    starts = [line for line in new_calls if "start learn" in line or "-BbuLearn" in line]
    assert len(starts) == 1, new_calls
    journal = host.check_output("journalctl --unit mysql-raid-learn.service --no-pager --output cat")
    assert "learn cycle started" in journal
