"""The slow query log's size-bounded rotation (mysql_tune): the rotation holds the recorded bound
for the log the server writes, nothing else rotates that log, its timer runs, and a rotation
leaves the server writing a fresh file without a restart."""

from __future__ import annotations

import uuid

import pytest

ROTATION = "/etc/logrotate.d/mysql-toolkit-slow-log"
TIMER = "mysql-toolkit-slow-log.timer"


@pytest.fixture
def rotation(facts):
    return facts["sizing"]["slow_log"]


def directives(text: str, log_file: str) -> dict[str, str]:
    """The directives of the block that names ``log_file``."""
    block = text.split(f"{log_file} {{", 1)[1].split("}", 1)[0]
    words = [line.strip().split(None, 1) for line in block.splitlines() if line.strip()]
    return {word[0]: word[1] if len(word) > 1 else "" for word in words}


def test_the_rotation_holds_the_recorded_bound_for_the_live_slow_log(host, server, rotation):
    live_file = server.scalar("SELECT @@slow_query_log_file")
    assert live_file == rotation["file"]
    text = host.file(ROTATION).content_string
    assert text.count(f"{live_file} {{") == 1, text
    rules = directives(text, live_file)
    assert int(rules["size"]) == rotation["max_size"]
    assert int(rules["rotate"]) == rotation["keep"]
    assert rotation["max_size"] * (rotation["keep"] + 1) == rotation["bound"]
    assert "FLUSH SLOW LOGS" in text


def test_only_the_toolkit_rotates_the_slow_log(host, rotation):
    # the system's daily run reads every logrotate file: the slow log must be in one of them only
    result = host.run("logrotate --debug --state /dev/null /etc/logrotate.conf")
    assert result.rc == 0, result.stderr
    considered = (result.stdout + result.stderr).count(f"considering log {rotation['file']}\n")
    assert considered == 1, result.stderr


def test_the_timer_checks_the_size_as_recorded(host, rotation):
    timer = host.service(TIMER)
    assert timer.is_enabled and timer.is_running
    assert f"OnCalendar=*:0/{rotation['check_minutes']}" in host.file(f"/etc/systemd/system/{TIMER}").content_string
    run = host.run("systemctl start mysql-toolkit-slow-log.service")
    assert run.rc == 0, run.stderr
    result = host.check_output("systemctl show --property Result --value mysql-toolkit-slow-log.service")
    assert result == "success"


def test_a_rotation_leaves_the_server_writing_a_fresh_file(host, server, facts, rotation):
    live_file = rotation["file"]
    pid = server.main_pid()
    before, after = (f"toolkit_rotation_{moment}_{uuid.uuid4().hex[:8]}" for moment in ("before", "after"))
    # long_query_time 0 for this session only: the marker statements are logged at once
    server.query(f"SET SESSION long_query_time = 0; SELECT '{before}'")
    forced = host.run(f"logrotate --force --state /tmp/toolkit-slow-log-probe.status {ROTATION}")
    assert forced.rc == 0, forced.stderr
    server.query(f"SET SESSION long_query_time = 0; SELECT '{after}'")
    assert before in host.file(f"{live_file}.1").content_string
    fresh = host.file(live_file)
    assert after in fresh.content_string and before not in fresh.content_string
    assert fresh.user == facts["sizing"]["server"]["user"] and fresh.mode == 0o640
    assert server.main_pid() == pid
    host.run("rm -f /tmp/toolkit-slow-log-probe.status")


def test_the_reports_slow_log_reader_is_there_where_performance_schema_is_off(host, server, rotation):
    # unpacked privately (no package installed: MySQL's server would be removed for its drivers)
    off = server.scalar("SELECT @@performance_schema") == "0"
    reader = rotation["reader"]
    assert reader["state"] == ("present" if off else "absent")
    assert host.file(reader["dir"]).exists == off
    assert not host.package("percona-toolkit").is_installed
    if off:
        assert host.run(f"perl {reader['tool']} --version").rc == 0
