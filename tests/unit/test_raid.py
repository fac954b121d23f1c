"""RAID tools: parsing captured storcli/MegaCli output, the changes to make, and the module
driving the simulator (tests/raid-sim/raidsim) end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ansible_collections.local.mysql.plugins.module_utils.raid import (
    battery_from,
    changes,
    megacli_ok,
    megacli_virtual_drives,
    storcli_ok,
    storcli_virtual_drives,
    write_policy,
)

ROOT = Path(__file__).parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "raid"
MODULE = ROOT / "collections/ansible_collections/local/mysql/plugins/modules/raid_battery.py"
SIMULATOR = ROOT / "tests" / "raid-sim" / "raidsim"


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


@pytest.fixture(params=["storcli64", "MegaCli64"])
def simulated(request, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / request.param).symlink_to(SIMULATOR)
    return request.param, bin_dir, tmp_path


def run_module(bin_dir: Path, tmp_path: Path, **params) -> dict:
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": params}))
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT / "collections"),
        "RAIDSIM_STATE": str(tmp_path / "state.json"),
        "RAIDSIM_LOG": str(tmp_path / "raidsim.log"),
    }
    done = subprocess.run([sys.executable, str(MODULE), str(args)], capture_output=True, text=True, env=env)
    return json.loads(done.stdout)


def test_module_takes_learn_cycles_under_control(simulated):
    tool, bin_dir, tmp_path = simulated
    first = run_module(bin_dir, tmp_path)
    assert first["changed"] is True, first
    assert first["raid"]["tool"] == tool
    battery = first["raid"]["controllers"][0]["battery"]
    assert battery["auto_learn"] == "disabled"
    log = (tmp_path / "raidsim.log").read_text()
    assert "autolearnmode=1" in log or "-SetBbuProperties" in log
    again = run_module(bin_dir, tmp_path)
    assert again["changed"] is False and again["actions"] == []
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["controllers"][0]["learns"] == 0, "configuring must not start a learn"


def test_module_check_mode_changes_nothing(simulated):
    _tool, bin_dir, tmp_path = simulated
    result = run_module(bin_dir, tmp_path, _ansible_check_mode=True)
    assert result["changed"] is True and result["actions"]
    assert "set" not in (tmp_path / "raidsim.log").read_text().lower().replace("setbbu", "")


def test_module_without_a_tool_changes_nothing(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {}}))
    env = {"PATH": str(empty), "PYTHONPATH": str(ROOT / "collections")}
    done = subprocess.run([sys.executable, str(MODULE), str(args)], capture_output=True, text=True, env=env)
    result = json.loads(done.stdout)
    assert result["changed"] is False and result["raid"]["controllers"] == []


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
