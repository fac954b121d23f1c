"""The raid_battery module end to end against the controller simulator (tests/raid-sim/raidsim),
in both tool dialects: what it changes, what check mode leaves alone, what diff mode shows."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from module_runner import ROOT, run_module

SIMULATOR = ROOT / "tests" / "raid-sim" / "raidsim"


@pytest.fixture(params=["storcli64", "MegaCli64"])
def controller(request, tmp_path):
    """A simulated controller answering as the tool named by the parameter, and how to run the module on it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / request.param).symlink_to(SIMULATOR)
    env = {"RAIDSIM_STATE": str(tmp_path / "state.json"), "RAIDSIM_LOG": str(tmp_path / "raidsim.log")}

    def run(check=False, diff=False, **args):
        return run_module(
            "raid_battery", tmp_path, args, check=check, diff=diff, path=f"{bin_dir}:{os.environ['PATH']}", env=env
        )

    run.tool = request.param
    run.tmp_path = tmp_path
    return run


def simulated_state(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "state.json").read_text())["controllers"][0]


def set_calls(tmp_path: Path) -> list[str]:
    """Calls to the tool that change the controller (the simulator logs every call)."""
    log = (tmp_path / "raidsim.log").read_text().splitlines()
    return [line for line in log if " set " in line or "-SetBbuProperties" in line or "-LDSetProp" in line]


def test_takes_learn_cycles_under_control(controller):
    first = controller()
    assert first["changed"] is True, first
    assert first["raid"]["tool"] == controller.tool
    assert first["raid"]["controllers"][0]["battery"]["auto_learn"] == "disabled"
    assert simulated_state(controller.tmp_path)["auto_learn_mode"] == 1
    again = controller()
    assert again["changed"] is False and again["actions"] == []
    assert simulated_state(controller.tmp_path)["learns"] == 0, "configuring must not start a learn"


def test_check_mode_changes_nothing(controller):
    result = controller(check=True, writeback_during_learn=True)
    assert result["changed"] is True and result["actions"]
    assert set_calls(controller.tmp_path) == []
    state = simulated_state(controller.tmp_path)
    assert state["auto_learn_mode"] == 0
    assert not any(drive["cached_bad_bbu"] for drive in state["vds"])


@pytest.mark.parametrize("check", [True, False])
def test_diff_shows_the_properties_before_and_after(controller, check):
    result = controller(check=check, diff=True, writeback_during_learn=True)
    assert result["diff"]["before"].splitlines() == [
        "controller 0 battery auto_learn: enabled",
        "controller 0 virtual drive 0 write_policy: WB",
        "controller 0 virtual drive 1 write_policy: WB",
    ]
    assert result["diff"]["after"].splitlines() == [
        "controller 0 battery auto_learn: disabled",
        "controller 0 virtual drive 0 write_policy: AWB",
        "controller 0 virtual drive 1 write_policy: AWB",
    ]
    state = simulated_state(controller.tmp_path)
    assert state["auto_learn_mode"] == (0 if check else 1)
    assert [drive["cached_bad_bbu"] for drive in state["vds"]] == [not check, not check]


def test_diff_after_a_run_is_empty(controller):
    controller()
    again = controller(diff=True)
    assert again["diff"] == {"before": "", "after": ""}


def test_no_diff_without_diff_mode(controller):
    assert "diff" not in controller(check=True)


def test_learn_window_as_cron_fields(controller):
    result = controller(check=True, learn_schedule="Sat *-*-08..14 02:30:00")
    cron = result["learn_cron"]
    assert (cron["minute"], cron["hour"], cron["day"], cron["month"], cron["weekday"]) == ("30", "2", "8-14", "*", "*")
    assert cron["guard"] and result["learn_cron_error"] == ""


def test_window_cron_cannot_run_is_reported_not_failed(controller):
    # On a systemd host the timer runs it: only the role decides that cron must refuse it.
    result = controller(check=True, learn_schedule="Sun *-*-01..07 03:00:00 Europe/Berlin")
    assert not result.get("failed"), result
    assert result["learn_cron"] is None
    assert "time zone" in result["learn_cron_error"]


def test_without_a_tool_changes_nothing(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = run_module("raid_battery", tmp_path, {"learn_schedule": "weekly"}, diff=True, path=str(empty))
    assert result["changed"] is False and result["raid"]["controllers"] == []
    assert result["learn_cron"]["weekday"] == "1"
