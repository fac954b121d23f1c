"""The modules that read the host and keep the fact file, run as Ansible runs them.

Stand-ins on PATH play systemctl, apt-cache and the server binary; /proc is this machine's own.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from module_runner import run_module
from pymysql_stand_in import server, writes

SYSTEMCTL = """#!/bin/sh
# Stand-in for systemctl show: MainPID is $MAIN_PID, everything else empty.
echo "$@" >> "$LOG"
case "$*" in *MainPID*) echo "${MAIN_PID:-0}" ;; *) echo "" ;; esac
"""


def stand_in(tmp_path: Path, name: str, text: str) -> str:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    tool = bin_dir / name
    tool.write_text(text)
    tool.chmod(0o755)
    return f"{bin_dir}:/usr/bin:/bin"


# ---------------------------------------------------------------------------------------- tuning_fact


def test_a_section_is_written_once_and_the_others_kept(tmp_path):
    path = tmp_path / "mysql_tuning.fact"
    path.write_text(json.dumps({"io": {"iops": 900}}))
    args = {"section": "host", "data": {"cpus": {"value": 2}}, "path": str(path)}
    first = run_module("tuning_fact", tmp_path, args)
    assert first["changed"] is True
    assert json.loads(path.read_text()) == {"io": {"iops": 900}, "host": {"cpus": {"value": 2}}}
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    again = run_module("tuning_fact", tmp_path, args)
    assert again["changed"] is False


def test_check_mode_shows_the_section_it_would_write_and_writes_nothing(tmp_path):
    path = tmp_path / "mysql_tuning.fact"
    args = {"section": "io", "data": {"iops": 1200}, "path": str(path)}
    result = run_module("tuning_fact", tmp_path, args, check=True, diff=True)
    assert result["changed"] is True
    assert result["diff"]["before"] == "" and json.loads(result["diff"]["after"]) == {"iops": 1200}
    assert not path.exists()


def corrupt_fact_file(tmp_path: Path) -> Path:
    path = tmp_path / "mysql_tuning.fact"
    path.write_text('{"host": {"memory": ')
    return path


def test_a_corrupt_fact_file_gives_the_same_message_to_provision_and_to_drift(tmp_path):
    path = corrupt_fact_file(tmp_path)
    written = run_module("tuning_fact", tmp_path, {"section": "host", "data": {}, "path": str(path)})
    fio_args = {"datadir": str(tmp_path), "device": "0:1", "filesystem": "ext4", "fact_path": str(path)}
    measured = run_module("fio_measure", tmp_path, fio_args)
    path_env = stand_in(tmp_path, "systemctl", SYSTEMCTL)
    drift = run_module("drift_probe", tmp_path, {"fact_path": str(path)}, path=path_env, env={"LOG": "/dev/null"})
    messages = {written["msg"], measured["msg"], drift["msg"]}
    assert written["failed"] and measured["failed"] and drift["failed"]
    assert len(messages) == 1, messages
    assert str(path) in written["msg"] and "not valid JSON" in written["msg"]
    assert path.read_text() == '{"host": {"memory": ', "the corrupt file must be left as it was"


def test_drift_on_a_host_never_provisioned_says_so(tmp_path):
    path_env = stand_in(tmp_path, "systemctl", SYSTEMCTL)
    result = run_module("drift_probe", tmp_path, {"fact_path": str(tmp_path / "none.fact")}, path=path_env)
    assert result["failed"] and "never provisioned" in result["msg"]


# --------------------------------------------------------------------------------------- limits_probe


def pid1_hard() -> int:
    line = next(line for line in Path("/proc/1/limits").read_text().splitlines() if line.startswith("Max open"))
    return int(line.split()[4])


def test_a_limit_above_what_pid1_can_grant_is_refused(tmp_path):
    path_env = stand_in(tmp_path, "systemctl", SYSTEMCTL)
    above = pid1_hard() + 1
    result = run_module("limits_probe", tmp_path, {"nofile": above}, path=path_env, env={"LOG": "/dev/null"})
    assert result["failed"]
    assert result["msg"].startswith(f"mysql_limits_nofile={above}: must be at most {pid1_hard()}")


def test_limits_probe_changes_nothing_in_check_mode(tmp_path):
    path_env = stand_in(tmp_path, "systemctl", SYSTEMCTL)
    args = {"nofile": 1024}
    result = run_module("limits_probe", tmp_path, args, check=True, path=path_env, env={"LOG": "/dev/null"})
    assert result["changed"] is False and "running" not in result["observed"]
    kernel = result["observed"]["kernel"]
    assert set(kernel) == {"fs.nr_open", "fs.file-max"}
    no_kernel = run_module("limits_probe", tmp_path, {**args, "kernel": False}, path=path_env, env={"LOG": "/dev/null"})
    assert no_kernel["observed"]["kernel"] == {} and no_kernel["plan"]["kernel"] == {}


# ----------------------------------------------------------------------------------------- host_probe


def test_host_probe_reads_this_machine_and_records_overrides(tmp_path):
    datadir = tmp_path / "not-yet" / "mysql"
    detected = run_module("host_probe", tmp_path, {"datadir": str(datadir)}, check=True)
    assert detected["changed"] is False
    host = detected["host"]
    assert host["cpus"]["value"] == min(len(os.sched_getaffinity(0)), host["cpus"]["value"]) >= 1
    assert host["datadir"]["inputs"]["probed_path"] == str(tmp_path), "a missing datadir is probed through its parent"
    assert "server" not in host and "raid" not in host
    assert detected["datadir_free"] > 0
    overridden = run_module("host_probe", tmp_path, {"datadir": str(datadir), "memory": "2G", "cpus": 3, "disk": "hdd"})
    assert overridden["host"]["memory"] == {
        "value": 2 * 1024**3,
        "inputs": {"detected": host["memory"]["value"]},
        "source": "override",
    }
    assert overridden["host"]["cpus"]["value"] == 3 and overridden["host"]["disk"]["source"] == "override"


# --------------------------------------------------------------------------------------- server_probe

APT_CACHE = """#!/bin/sh
for package in "$@"; do
  case $package in
    mariadb-server) printf 'mariadb-server:\\n  Installed: (none)\\n  Candidate: 1:11.8.6-0+deb13u1\\n' ;;
    mariadb-client) printf 'mariadb-client:\\n  Installed: 1:11.8.6-0+deb13u1\\n  Candidate: 1:11.8.6-0+deb13u1\\n' ;;
    python3-pymysql) printf 'python3-pymysql:\\n  Installed: (none)\\n  Candidate: 1.1.1-1\\n' ;;
  esac
done
"""
UNIT = """#!/bin/sh
# Stand-in for systemctl show: the unit is $ACTIVE and $ENABLED.
case "$*" in *ActiveState*) echo "$ACTIVE" ;; *UnitFileState*) echo "$ENABLED" ;; esac
"""
COMPANIONS = {"mariadb": ["mariadb-client", "python3-pymysql"], "mysql": ["mysql-client", "python3-pymysql"]}
SERVICES = {"mariadb": "mariadb", "mysql": "mysql"}


def test_server_probe_lists_the_packages_to_install_and_whether_the_unit_runs(tmp_path):
    path_env = stand_in(tmp_path, "apt-cache", APT_CACHE)
    stand_in(tmp_path, "systemctl", UNIT)
    args = {"packages": PACKAGES, "companions": COMPANIONS, "services": SERVICES}
    stopped = run_module(
        "server_probe", tmp_path, args, path=path_env, env={"ACTIVE": "inactive", "ENABLED": "enabled"}
    )
    assert stopped["missing"] == ["mariadb-server", "python3-pymysql"]
    assert stopped["running"] is False
    running = run_module("server_probe", tmp_path, args, path=path_env, env={"ACTIVE": "active", "ENABLED": "enabled"})
    assert running["running"] is True
    disabled = run_module(
        "server_probe", tmp_path, args, path=path_env, env={"ACTIVE": "active", "ENABLED": "disabled"}
    )
    assert disabled["running"] is False


MARIADBD = """#!/bin/sh
echo "/usr/sbin/mariadbd  Ver 10.11.18-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)"
"""
PACKAGES = {"mysql": "mysql-server", "mariadb": "mariadb-server"}


def test_server_probe_chooses_the_packaged_flavor(tmp_path):
    path_env = stand_in(tmp_path, "apt-cache", APT_CACHE)
    result = run_module("server_probe", tmp_path, {"packages": PACKAGES}, check=True, path=path_env)
    assert result["changed"] is False and result["installed"] is False
    assert result["flavor"] == "mariadb" and result["version"] == "11.8.6"


def test_server_probe_keeps_the_installed_server_and_refuses_a_switch(tmp_path):
    path_env = stand_in(tmp_path, "apt-cache", APT_CACHE)
    stand_in(tmp_path, "mariadbd", MARIADBD)
    installed = run_module("server_probe", tmp_path, {"packages": PACKAGES}, path=path_env)
    assert installed["installed"] is True and installed["version"] == "10.11.18"
    switch = run_module("server_probe", tmp_path, {"packages": PACKAGES, "requested": "mysql"}, path=path_env)
    assert switch["failed"] and "mariadb" in switch["msg"]


def test_limits_probe_plans_to_write_only_the_files_that_differ(tmp_path):
    path_env = stand_in(tmp_path, "systemctl", SYSTEMCTL)
    unit = tmp_path / "mariadb.service.d" / "90-limits.conf"
    pam = tmp_path / "90-mysql.conf"
    args = {"nofile": 1024, "unit_dropin": str(unit), "pam_file": str(pam), "domains": ["*"]}
    first = run_module("limits_probe", tmp_path, args, check=True, path=path_env, env={"LOG": "/dev/null"})
    assert set(first["plan"]["write"]) == {str(unit), str(pam)}
    assert "LimitNOFILE=1024" in first["plan"]["write"][str(unit)]
    unit.parent.mkdir()
    for path in (unit, pam):
        path.write_text(first["plan"]["write"][str(path)])
        path.chmod(0o644)
    os.chown(pam, os.getuid(), os.getgid())
    again = run_module("limits_probe", tmp_path, args, path=path_env, env={"LOG": "/dev/null"})
    expected = {} if os.getuid() == 0 else {str(unit), str(pam)}  # the files must be root's
    assert set(again["plan"]["write"]) == set(expected)
    pam.chmod(0o666)
    assert (
        str(pam) in run_module("limits_probe", tmp_path, args, path=path_env, env={"LOG": "/dev/null"})["plan"]["write"]
    )


def test_drift_reports_in_check_mode_what_differs_and_changes_nothing(tmp_path):
    dropin = tmp_path / "zz-mysql-tuning.cnf"
    dropin.write_text("[mysqld]\nmax_connections = 151\nlong_query_time = 7\n")
    unit = tmp_path / "90-limits.conf"
    unit.write_text("[Service]\nLimitNOFILE=16384\n")
    facts = tmp_path / "mysql_tuning.fact"
    facts.write_text(
        json.dumps(
            {
                "sizing": {
                    "variables": {"max_connections": 151, "long_query_time": 1.0},
                    "dropin": str(dropin),
                    "server": {"service": "mariadb", "socket": "/run/mysqld/mysqld.sock"},
                    "limits": {"nofile": 16384, "unit_dropin": str(unit), "domains": [], "pam_file": "/none"},
                }
            }
        )
    )
    before = {path: path.read_text() for path in (dropin, unit, facts)}
    answers = [{"match": "SHOW GLOBAL VARIABLES", "rows": [["max_connections", "151"], ["long_query_time", "1.0"]]}]
    path_env = stand_in(tmp_path, "systemctl", SYSTEMCTL)
    env = {**server(tmp_path, answers), "LOG": str(tmp_path / "systemctl.log"), "MAIN_PID": str(os.getpid())}
    result = run_module("drift_probe", tmp_path, {"fact_path": str(facts)}, check=True, path=path_env, env=env)
    assert result["changed"] is False
    rows = {(row["area"], row["item"]): row for row in result["differences"]}
    assert rows[("drop-in", "long_query_time")]["actual"] == "7"
    assert ("live", "long_query_time") not in rows and ("drop-in", "max_connections") not in rows
    assert ("systemd", f"LimitNOFILE in {unit}") not in rows
    assert {path: path.read_text() for path in before} == before
    assert writes(tmp_path) == []
