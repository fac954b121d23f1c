"""The binary logs a load test wrote: the decision (binlog.bench_purge) and the bench_binlogs
module against a stand-in PyMySQL."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.binlog import bench_purge
from hypothesis import given
from hypothesis import strategies as st
from module_runner import run_module
from pymysql_stand_in import server, writes

ARGS = {"socket": "/run/mysqld/mysqld.sock"}


def names(first: int, last: int) -> list[str]:
    return [f"binlog.{number:06d}" for number in range(first, last + 1)]


def test_an_unused_host_loses_the_runs_logs_and_the_older_ones():
    decision = bench_purge(names(1, 2), names(1, 9), replicas=0, busy_host=False)
    assert decision["purge_to"] == "binlog.000009"
    assert decision["note"] == (
        "purged the 7 binary logs the run wrote and the 1 older ones (the run found the host unused): "
        "no replica connected"
    )


def test_a_connected_replica_keeps_every_log():
    decision = bench_purge(names(1, 2), names(1, 9), replicas=1, busy_host=False)
    assert decision["purge_to"] is None
    assert "1 replica(s) connected" in decision["note"] and "7 binary logs" in decision["note"]


def test_a_host_in_use_keeps_its_earlier_logs_and_so_the_runs():
    decision = bench_purge(names(3, 5), names(3, 12), replicas=0, busy_host=True)
    assert decision["purge_to"] is None
    assert "the 2 from before it" in decision["note"] and "mysql_bench_allow_busy_host" in decision["note"]


def test_a_host_in_use_whose_run_began_in_a_fresh_log_loses_only_the_runs():
    decision = bench_purge(names(5, 5), names(5, 8), replicas=0, busy_host=True)
    assert decision["purge_to"] == "binlog.000008"
    assert decision["note"] == "purged the 3 binary logs the run wrote: no replica connected"


def test_binary_logging_off_at_either_end_purges_nothing():
    assert bench_purge(names(1, 3), None, 0, False)["purge_to"] is None
    off_before = bench_purge(None, names(1, 3), 0, False)
    assert off_before["purge_to"] is None and "off when the run began" in off_before["note"]


@given(
    st.integers(1, 50),
    st.integers(0, 20),
    st.integers(0, 30),
    st.integers(0, 3),
    st.booleans(),
)
def test_only_logs_older_than_the_one_written_go_and_only_when_nothing_may_need_them(
    first, kept_before, written, replicas, busy
):
    before = names(first, first + kept_before)
    after = names(first, first + kept_before + written)
    decision = bench_purge(before, after, replicas, busy)
    if decision["purge_to"] is not None:
        assert decision["purge_to"] == after[-1], "never the log being written or one of the others"
        assert replicas == 0
        assert not (busy and kept_before), "a host in use keeps the logs from before the run"
    else:
        assert replicas or (busy and kept_before) or written == 0


def listing(before_purge: list[str], after_purge: list[str], replicas: int = 0, log_bin: int = 1) -> list[dict]:
    return [
        {"match": "@@GLOBAL.log_bin", "rows": [[log_bin]]},
        {
            "match": "SHOW BINARY LOGS",
            "sequence": [[[name, 100] for name in before_purge], [[n, 100] for n in after_purge]],
        },
        {"match": "Binlog Dump", "rows": [[replicas]]},
    ]


def test_the_module_purges_to_the_log_written_and_reports_what_the_server_removed(tmp_path):
    env = server(tmp_path, listing(names(1, 6), names(6, 6)))
    result = run_module("bench_binlogs", tmp_path, {**ARGS, "before": names(1, 2)}, env=env)
    assert result["changed"] is True and result["purged"] == names(1, 5)
    assert writes(tmp_path) == ["PURGE BINARY LOGS TO %s"]


def test_the_module_in_check_mode_and_with_a_replica_writes_nothing(tmp_path):
    checked = run_module(
        "bench_binlogs",
        tmp_path,
        {**ARGS, "before": names(1, 2)},
        check=True,
        env=server(tmp_path, listing(names(1, 6), [])),
    )
    assert checked["purged"] == names(1, 5) and writes(tmp_path) == []
    replicated = tmp_path / "replicated"
    replicated.mkdir()
    kept = run_module(
        "bench_binlogs",
        replicated,
        {**ARGS, "before": names(1, 2)},
        env=server(replicated, listing(names(1, 6), [], replicas=2)),
    )
    assert kept["changed"] is False and kept["purged"] == [] and "2 replica(s)" in kept["note"]
    assert writes(replicated) == []


def test_the_module_takes_null_for_binary_logging_off_when_the_run_began(tmp_path):
    result = run_module(
        "bench_binlogs", tmp_path, {**ARGS, "before": None}, env=server(tmp_path, listing(names(1, 3), []))
    )
    assert result["changed"] is False and "off when the run began" in result["note"]
    assert writes(tmp_path) == []
