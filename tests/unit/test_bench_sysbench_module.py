"""The bench_sysbench module with a stand-in sysbench that replays output captured in the lab,
a stand-in systemctl for the server's main process and a stand-in PyMySQL for the sampler."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from module_runner import run_module
from pymysql_stand_in import connects, log, server, statements, writes

FIXTURES = Path(__file__).parent / "fixtures" / "bench"
READ_WRITE = FIXTURES / "sysbench-1.0.20-bookworm-mariadb-10.11-oltp_read_write.txt"
DENIED = FIXTURES / "sysbench-1.0.20-sid-mysql-9.7-access-denied.txt"
SOCKET = "/run/mysqld/mysqld.sock"

SYSBENCH = f"""#!{sys.executable}
# Stand-in for sysbench: prints captured output up to "Threads started!", runs for a while, prints the rest.
import json, os, sys, time
def log(**entry):
    with open(os.environ["SYSBENCH_LOG"], "a") as handle:
        handle.write(json.dumps(dict(entry, time=time.time())) + "\\n")
log(args=sys.argv[1:], cwd=os.getcwd(), pid=os.getpid(),
    env={{name: os.environ.get(name) for name in ("LD_LIBRARY_PATH", "LUA_PATH")}})
head, started, tail = open(os.environ["SYSBENCH_OUTPUT"]).read().partition("Threads started!\\n")
time.sleep(float(os.environ.get("SYSBENCH_CONNECTING", "0")))
print(head + started, end="", flush=True)
log(threads_started=bool(started))
time.sleep(float(os.environ.get("SYSBENCH_SECONDS", "0")))
print(tail, end="")
sys.exit(int(os.environ.get("SYSBENCH_EXIT", "0")))
"""
SYSTEMCTL = """#!/bin/sh
# Stand-in for systemctl show: a new main PID on each call (the second call sees a restarted server).
count=$(( $(/bin/cat "$PID_COUNTER" 2>/dev/null || echo 0) + 1 ))
echo "$count" > "$PID_COUNTER"
echo "$@" >> "$SYSTEMCTL_LOG"
echo "$(( 4241 + count ))"
"""
STATUS = [["Threads_running", "3"], ["Innodb_redo_log_current_lsn", "5000"], ["Innodb_redo_log_checkpoint_lsn", "1000"]]
VARIABLES = [["innodb_buffer_pool_size", "134217728"], ["max_connections", "151"]]


def lab(tmp_path: Path, output: Path = READ_WRITE, seconds: float = 0, status=STATUS, **env) -> dict:
    """The module's arguments and run_module's PATH and environment for one sysbench command."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in (("sysbench", SYSBENCH), ("systemctl", SYSTEMCTL)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    config = tmp_path / "connection.cfg"
    config.write_text(f"mysql-socket={SOCKET}\nmysql-user=mysql_bench\nmysql-password=s3cret\nmysql-db=mysql_bench\n")
    answers = [
        {"match": "^SHOW GLOBAL VARIABLES$", "rows": VARIABLES},
        {"match": "^SHOW GLOBAL STATUS", "rows": status},
        {
            "match": "^SHOW ENGINE INNODB STATUS$",
            "rows": [["InnoDB", "", "Log sequence number 900\nLast checkpoint at 100\n"]],
        },
    ]
    args = {
        "binary": str(bin_dir / "sysbench"),
        "config_file": str(config),
        "script": "oltp_read_write",
        "options": {"threads": 2, "time": 3, "report-interval": 1, "histogram": "on"},
        "timeout": 60,
    }
    environment = {
        **server(tmp_path, answers),
        "SYSBENCH_LOG": str(tmp_path / "sysbench.log"),
        "SYSBENCH_OUTPUT": str(output),
        "SYSBENCH_SECONDS": str(seconds),
        "PID_COUNTER": str(tmp_path / "pid-counter"),
        "SYSTEMCTL_LOG": str(tmp_path / "systemctl.log"),
        **env,
    }
    return {"args": args, "path": f"{bin_dir}:/nonexistent", "env": environment}


def sysbench(tmp_path, setup, check=False, **args) -> dict:
    return run_module(
        "bench_sysbench", tmp_path, {**setup["args"], **args}, check=check, path=setup["path"], env=setup["env"]
    )


def sysbench_log(tmp_path) -> list[dict]:
    path = tmp_path / "sysbench.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_runs_the_command_with_the_option_file_and_returns_what_it_printed(tmp_path):
    setup = lab(tmp_path)
    result = sysbench(tmp_path, setup)
    assert result["changed"] is True and result["rc"] == 0
    assert result["output"] == READ_WRITE.read_text()
    expected = [
        f"--config-file={tmp_path}/connection.cfg",
        "oltp_read_write",
        "--histogram=on",
        "--report-interval=1",
        "--threads=2",
        "--time=3",
        "run",
    ]
    assert result["command"] == [setup["args"]["binary"], *expected]
    call = sysbench_log(tmp_path)[0]
    assert call["args"] == expected and call["cwd"] == "/"
    assert not any("s3cret" in arg for arg in call["args"]), "the password stays in the option file"
    assert abs(result["started"] - call["time"]) < 5
    assert result["samples"] == [] and result["variables"] == {}
    assert connects(tmp_path) == [], "without sampling the server is not asked anything"
    assert result["server_pid"] == {"before": None, "after": None}


def test_the_environment_reaches_the_binary(tmp_path):
    setup = lab(tmp_path)
    environment = {"LD_LIBRARY_PATH": "/var/tmp/client/root/usr/lib", "LUA_PATH": "/var/tmp/x/?.lua;;"}
    sysbench(tmp_path, setup, environment=environment, command="prepare")
    call = sysbench_log(tmp_path)[0]
    assert call["env"] == environment and call["args"][-1] == "prepare"


def test_check_mode_runs_nothing_and_says_it_would(tmp_path):
    setup = lab(tmp_path)
    result = sysbench(tmp_path, setup, check=True, sample=True, service="mysql")
    assert result["changed"] is True and result["output"] == "" and result["command"][-1] == "run"
    assert sysbench_log(tmp_path) == [] and connects(tmp_path) == []
    assert not (tmp_path / "systemctl.log").exists()


def test_a_failed_command_fails_with_its_output_and_exit_code(tmp_path):
    setup = lab(tmp_path, output=DENIED, SYSBENCH_EXIT="1")
    result = sysbench(tmp_path, setup)
    assert result["failed"] is True and result["msg"] == "sysbench run failed (exit 1)" and result["rc"] == 1
    assert "Access denied for user" in result["output"]


def test_a_command_past_its_timeout_is_killed(tmp_path):
    setup = lab(tmp_path, seconds=60)
    started = time.monotonic()
    result = sysbench(tmp_path, setup, timeout=1)
    assert time.monotonic() - started < 30
    assert result["failed"] is True and result["msg"] == "sysbench ran past 1 s and was stopped"
    assert "Threads started!" in result["output"]
    with pytest.raises(ProcessLookupError):
        os.kill(sysbench_log(tmp_path)[0]["pid"], 0)


def test_sampling_reads_the_server_as_the_benchmark_account_once_a_second(tmp_path):
    setup = lab(tmp_path, seconds=2.5)
    result = sysbench(tmp_path, setup, sample=True, service="mysql")
    assert result["changed"] is True
    assert connects(tmp_path)[0]["user"] == "mysql_bench" and connects(tmp_path)[0]["password"] == "s3cret"
    assert connects(tmp_path)[0]["unix_socket"] == SOCKET and len(connects(tmp_path)) == 1
    assert result["variables"] == dict(VARIABLES)
    assert 1 <= len(result["samples"]) <= 4
    assert all(sample["threads_running"] == 3 and sample["checkpoint_age"] == 4000 for sample in result["samples"])
    assert [sample["t"] for sample in result["samples"]] == sorted(sample["t"] for sample in result["samples"])
    assert writes(tmp_path) == []
    assert "ENGINE INNODB STATUS" not in " ".join(statements(tmp_path)), "the LSNs are in the status already"
    assert result["server_pid"] == {"before": "4242", "after": "4243"}, "a restart during the run shows"
    assert (tmp_path / "systemctl.log").read_text().splitlines()[0] == "show --property MainPID --value mysql"


def test_without_the_redo_lsns_the_checkpoint_age_comes_from_the_engine_status(tmp_path):
    setup = lab(tmp_path, seconds=1.5, status=[["Threads_running", "2"]])
    result = sysbench(tmp_path, setup, sample=True)
    assert result["samples"] and all(sample["checkpoint_age"] == 800 for sample in result["samples"])
    assert "SHOW ENGINE INNODB STATUS" in statements(tmp_path)


def test_the_root_sampler_connects_only_once_every_thread_has_started(tmp_path):
    setup = lab(tmp_path, seconds=2.5, SYSBENCH_CONNECTING="1.5")
    result = sysbench(tmp_path, setup, sample=True, sample_account="root")
    assert connects(tmp_path) == [
        {
            "unix_socket": SOCKET,
            "autocommit": True,
            "connect_timeout": 5,
            "read_timeout": 5,
            "write_timeout": 5,
            "user": "root",
        }
    ]
    started = next(entry["time"] for entry in sysbench_log(tmp_path) if entry.get("threads_started"))
    first_query = min(entry["time"] for entry in log(tmp_path) if "query" in entry)
    assert first_query >= started, "the administrator's connection is taken after the load holds the others"
    assert result["variables"] == dict(VARIABLES) and result["samples"]


def test_an_unknown_command_is_refused_before_running(tmp_path):
    setup = lab(tmp_path)
    result = sysbench(tmp_path, setup, command="drop")
    assert result["failed"] is True and "prepare, prewarm, run, cleanup" in result["msg"]
    assert sysbench_log(tmp_path) == []
