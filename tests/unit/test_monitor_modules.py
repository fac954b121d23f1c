"""exporter_credentials and toolkit_metrics run as Ansible runs them: files, modes, check mode, no secret shown."""

from __future__ import annotations

import json
import os
import pwd

from module_runner import run_module

ME = pwd.getpwuid(os.getuid()).pw_name


def credentials(tmp_path, **more):
    args = {
        "path": str(tmp_path / "exporter.cnf"),
        "user": "mysqld_exporter",
        "socket": "/run/mysqld/mysqld.sock",
        "owner": ME,
    }
    return run_module("exporter_credentials", tmp_path, {**args, **more.pop("args", {})}, **more)


def test_a_password_is_made_once_kept_and_never_shown(tmp_path):
    first = credentials(tmp_path)
    path = tmp_path / "exporter.cnf"
    assert first["changed"] is True
    password = first["password"]
    assert len(password) >= 24 and f"password={password}" in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600
    again = credentials(tmp_path)
    assert again["changed"] is False and again["password"] == password


def test_a_loosened_mode_is_put_back_with_the_same_password(tmp_path):
    password = credentials(tmp_path)["password"]
    os.chmod(tmp_path / "exporter.cnf", 0o644)
    fixed = credentials(tmp_path)
    assert fixed["changed"] is True and fixed["password"] == password
    assert (tmp_path / "exporter.cnf").stat().st_mode & 0o777 == 0o600


def test_check_mode_writes_nothing(tmp_path):
    result = credentials(tmp_path, check=True)
    assert result["changed"] is True and not (tmp_path / "exporter.cnf").exists()


def test_an_unknown_owner_is_refused_except_in_check_mode_before_the_package(tmp_path):
    result = credentials(tmp_path, args={"owner": "no-such-user-here"})
    assert result["failed"] is True and "no-such-user-here" in result["msg"]
    checked = credentials(tmp_path, args={"owner": "no-such-user-here"}, check=True)
    assert checked["changed"] is True and not (tmp_path / "exporter.cnf").exists()


FACTS = {
    "sizing": {
        "variables": {"max_connections": 151, "innodb_buffer_pool_size": 134217728},
        "explain": {},
        "inputs": {"cpus": 2},
        "memory_budget": 4294967296,
        "peak_memory": 3000000000,
        "server": {"flavor": "mysql", "version": "9.7.4"},
    },
    "io": {"iops": 24364, "measured_at": "2026-12-01T03:00:00+00:00"},
}


def metrics(tmp_path, **more):
    (tmp_path / "facts.json").write_text(json.dumps(FACTS))
    args = {"path": str(tmp_path / "textfile/mysql_toolkit.prom"), "fact_path": str(tmp_path / "facts.json")}
    return run_module("toolkit_metrics", tmp_path, {**args, **more.pop("args", {})}, **more)


def test_metrics_are_written_once_and_then_left_alone(tmp_path):
    first = metrics(tmp_path, args={"drift": []})
    text = (tmp_path / "textfile/mysql_toolkit.prom").read_text()
    assert first["changed"] is True and "mysql_toolkit_memory_budget_bytes 4294967296" in text
    assert 'mysql_toolkit_drift_differences{area="live"} 0' in text
    assert metrics(tmp_path, args={"drift": []})["changed"] is False
    drifted = metrics(tmp_path, args={"drift": [{"area": "live", "item": "max_connections"}]}, diff=True)
    assert drifted["changed"] is True and 'area="live"} 1' in drifted["diff"]["after"]


def test_metrics_check_mode_writes_nothing(tmp_path):
    result = metrics(tmp_path, check=True)
    assert result["changed"] is True and not (tmp_path / "textfile").exists()
