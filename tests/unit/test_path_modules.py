"""path_modes, paths_absent and files_present: a whole plan in one call, check mode changing nothing."""

from __future__ import annotations

import grp
import os
import pwd
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


def test_files_present_writes_what_differs_and_reports_it(tmp_path):
    me = {"owner": pwd.getpwuid(os.getuid()).pw_name, "group": grp.getgrgid(os.getgid()).gr_name}
    same, stale, new = tmp_path / "same.timer", tmp_path / "stale.service", tmp_path / "sbin" / "new-script"
    same.write_text("[Timer]\n")
    same.chmod(0o644)
    stale.write_text("[Service]\nExecStart=/bin/old\n")
    stale.chmod(0o644)
    files = [
        {"path": str(same), "content": "[Timer]\n", **me},
        {"path": str(stale), "content": "[Service]\nExecStart=/bin/new\n", **me},
        {"path": str(new), "content": "#!/bin/sh\n", "mode": "0755", **me},
    ]

    checked = run_module("files_present", tmp_path, {"files": files}, check=True, diff=True)
    assert checked["changed_paths"] == [str(stale), str(new)]
    assert "old" in stale.read_text() and not new.parent.exists(), "check mode wrote"
    assert "ExecStart=/bin/old" in checked["diff"][0]["before"] and "ExecStart=/bin/new" in checked["diff"][0]["after"]

    done = run_module("files_present", tmp_path, {"files": files})
    assert done["changed_paths"] == [str(stale), str(new)]
    assert stale.read_text().endswith("/bin/new\n") and new.read_text() == "#!/bin/sh\n" and mode_of(new) == 0o755
    assert not run_module("files_present", tmp_path, {"files": files})["changed"]

    new.chmod(0o777)
    assert run_module("files_present", tmp_path, {"files": files})["changed_paths"] == [str(new)]
    assert mode_of(new) == 0o755


def test_files_present_keeps_the_old_file_when_the_new_content_fails_validation(tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    rules = etc / "rules"
    rules.write_text("good\n")
    me = {"owner": pwd.getpwuid(os.getuid()).pw_name, "group": grp.getgrgid(os.getgid()).gr_name}
    bad = [{"path": str(rules), "content": "bad\n", "validate": "grep -q good %s", **me}]
    result = run_module("files_present", tmp_path, {"files": bad})
    assert result.get("failed") and "fails" in result["msg"], result
    assert rules.read_text() == "good\n" and sorted(p.name for p in etc.iterdir()) == ["rules"]
    good = [{**bad[0], "content": "good, still\n"}]
    assert run_module("files_present", tmp_path, {"files": good})["changed_paths"] == [str(rules)]


def test_files_present_refuses_a_directory_in_place_of_a_file(tmp_path):
    (tmp_path / "units").mkdir()
    result = run_module("files_present", tmp_path, {"files": [{"path": str(tmp_path / "units"), "content": "x"}]})
    assert result.get("failed") and "not a regular file" in result["msg"]
