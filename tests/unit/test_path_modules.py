"""path_modes and paths_absent: a whole plan in one call, check mode changing nothing."""

from __future__ import annotations

import os
import stat

from module_runner import run_module


def mode_of(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_path_modes_sets_each_mode_and_reports_only_what_changed(tmp_path):
    loose, tight = tmp_path / "loose.cnf", tmp_path / "tight.cnf"
    for path, mode in ((loose, 0o644), (tight, 0o640)):
        path.write_text("[mysqld]\n")
        path.chmod(mode)
    me = {"uid": os.getuid(), "gid": os.getgid()}
    plan = {str(loose): {"mode": "0640", **me}, str(tight): {"mode": "0640", **me}}

    checked = run_module("path_modes", tmp_path, {"paths": plan}, check=True, diff=True)
    assert checked["changed"] and checked["changed_paths"] == [str(loose)]
    assert mode_of(loose) == 0o644, "check mode changed a mode"
    assert checked["diff"][0]["before"]["mode"] == "0644" and checked["diff"][0]["after"]["mode"] == "0640"

    done = run_module("path_modes", tmp_path, {"paths": plan})
    assert done["changed_paths"] == [str(loose)] and mode_of(loose) == 0o640 and mode_of(tight) == 0o640
    assert not run_module("path_modes", tmp_path, {"paths": plan})["changed"]


def test_path_modes_refuses_a_missing_path(tmp_path):
    result = run_module(
        "path_modes", tmp_path, {"paths": {str(tmp_path / "gone.cnf"): {"mode": "0640", "uid": 0, "gid": 0}}}
    )
    assert result.get("failed") and "gone.cnf does not exist" in result["msg"]


def test_paths_absent_removes_what_exists_once(tmp_path):
    unit, script = tmp_path / "mysql-backup.timer", tmp_path / "mysql-backup"
    for path in (unit, script):
        path.write_text("x")
    paths = [str(unit), str(script), str(tmp_path / "never-there.service")]

    checked = run_module("paths_absent", tmp_path, {"paths": paths}, check=True)
    assert checked["changed"] and checked["removed"] == [str(unit), str(script)]
    assert unit.exists() and script.exists(), "check mode removed a file"

    done = run_module("paths_absent", tmp_path, {"paths": paths})
    assert done["removed"] == [str(unit), str(script)] and not unit.exists() and not script.exists()
    assert not run_module("paths_absent", tmp_path, {"paths": paths})["changed"]


def test_paths_absent_refuses_a_directory(tmp_path):
    directory = tmp_path / "backups"
    directory.mkdir()
    result = run_module("paths_absent", tmp_path, {"paths": [str(directory)]})
    assert result.get("failed") and "is a directory" in result["msg"]
    assert directory.is_dir()
