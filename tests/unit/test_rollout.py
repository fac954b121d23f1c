"""The rollout's decisions: batch sizes, the restart play's serial, when to stop, what the report says."""

from __future__ import annotations

import pytest
from ansible_collections.local.mysql.plugins.filter.rollout import restart_plan, rollout_stopped_by
from ansible_collections.local.mysql.plugins.module_utils import inputs, rollout
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize("value", [1, "3", 200, "25%", "100%", "12.5%", " 50% "])
def test_batch_sizes_serial_takes(value):
    assert rollout.batch_words(value) is None


@pytest.mark.parametrize("value", [0, -1, "0", "0%", "101%", "half", "%", "25 percent", True, None, 2.5, [1]])
def test_batch_sizes_refused(value):
    assert "percentage such as '25%'" in rollout.batch_words(value)


@pytest.mark.parametrize(
    ("value", "fleet", "fits"),
    [(1, 1, True), (4, 4, True), (5, 4, False), ("5", 4, False), ("100%", 1, True), ("50%", 8, True)],
)
def test_a_count_larger_than_the_fleet_is_refused(value, fleet, fits):
    words = rollout.fits_fleet(value, fleet)
    assert (words is None) is fits
    if not fits:
        assert words == f"at most {fleet}, the number of hosts in this run"


def test_serial_is_the_canary_then_the_batch():
    assert rollout.serial(1, "25%") == [1, "25%"]
    assert rollout.serial("2", "3") == [2, 3]
    assert rollout.serial(1, 2) == [1, 2]


def test_restart_reasons_name_each_static_value():
    needed = {
        "innodb_log_file_size": [1073741824, "50331648", "read-only: needs a restart"],
        "open_files_limit": [16384, "10000", "read-only: needs a restart"],
    }
    reasons = rollout.restart_reasons(needed)
    assert reasons["innodb_log_file_size"] == "50331648 -> 1073741824 (read-only: needs a restart)"
    assert reasons["open_files_limit"].startswith("10000 -> 16384")
    assert rollout.restart_reasons({}) == {}


def test_only_a_deferred_host_with_a_reason_waits_for_the_rollout():
    needed = {"innodb_buffer_pool_instances": [4, "1", "read-only: needs a restart"]}
    assert restart_plan(needed, True)["restart_pending"] is True
    assert restart_plan(needed, False)["restart_pending"] is False
    assert restart_plan({}, True) == {"restart_for": {}, "restart_pending": False}


def test_a_rolled_back_or_failed_host_stops_the_rollout():
    outcomes = {"a": "restarted", "b": "rolled back", "c": None, "d": "failed", "e": "not reached"}
    assert rollout.stopped_by(outcomes) == ["b", "d"]
    assert rollout.stopped_by({"a": "restarted", "b": None}) == []


def test_the_stop_reads_every_host_of_the_play():
    hostvars = {"a": {"mysql_rollout_outcome": "restarted"}, "b": {"mysql_rollout_outcome": "rolled back"}, "c": {}}
    assert rollout_stopped_by(hostvars, ["a", "b", "c"]) == ["b"]
    assert rollout_stopped_by(hostvars, ["a", "c"]) == []


@pytest.mark.parametrize(
    ("counts", "rollout_outcome", "outcome"),
    [
        ({"unreachable": 1, "failures": 0, "changed": 0}, None, "unreachable"),
        ({"unreachable": 0, "failures": 1, "changed": 3}, "rolled back", "rolled back"),
        ({"unreachable": 0, "failures": 1, "changed": 3}, None, "failed"),
        ({"unreachable": 0, "failures": 0, "changed": 2}, "not reached", "not reached"),
        ({"unreachable": 0, "failures": 0, "changed": 4}, "restarted", "restarted"),
        ({"unreachable": 0, "failures": 0, "changed": 4}, None, "changed"),
        ({"unreachable": 0, "failures": 0, "changed": 0}, None, "unchanged"),
    ],
)
def test_a_host_gets_its_worst_outcome(counts, rollout_outcome, outcome):
    assert rollout.host_outcome(counts, rollout_outcome) == outcome


@given(
    st.fixed_dictionaries(
        {"unreachable": st.integers(0, 2), "failures": st.integers(0, 2), "changed": st.integers(0, 9)}
    ),
    st.sampled_from([None, "restarted", "rolled back", "failed", "not reached"]),
)
def test_an_unreachable_host_is_reported_unreachable_whatever_else_happened(counts, rollout_outcome):
    outcome = rollout.host_outcome(counts, rollout_outcome)
    assert outcome in rollout.OUTCOMES
    assert (outcome == "unreachable") == bool(counts["unreachable"])
    if not counts["unreachable"] and rollout_outcome:
        assert rollout.OUTCOMES.index(outcome) <= rollout.OUTCOMES.index(rollout_outcome)


def test_the_fleet_record_of_a_sized_host():
    sizing = {
        "memory_budget": 4 * 1024**3,
        "variables": {
            "innodb_buffer_pool_size": 2576980378 // 2**27 * 2**27,
            "max_connections": 385,
            "innodb_io_capacity": 4000,
        },
    }
    record = rollout.fleet_record({"flavor": "mysql", "version": "9.7.4"}, sizing)
    assert record["memory_budget"] == 4 * 1024**3 and record["max_connections"] == 385
    assert record["summary"] == "mysql 9.7.4, budget 4 GiB, pool 2.4 GiB, max_connections 385, io_capacity 4000"
    assert rollout.fleet_record({"flavor": "mariadb", "version": "10.11.14"}, None)["summary"] == "mariadb 10.11.14"


def test_the_fleet_record_names_each_members_place_and_a_replicas_lag():
    server = {"flavor": "mysql", "version": "9.7.4"}
    primary = rollout.fleet_record(server, None, {"role": "primary", "source": "", "replicas": ["db2", "db3"]})
    assert primary["summary"] == "mysql 9.7.4, primary of db2, db3" and primary["replication"]["role"] == "primary"
    place = {"role": "replica", "source": "db1", "replicas": []}
    running = {"io_running": "Yes", "sql_running": "Yes", "seconds_behind": 3}
    replica = rollout.fleet_record(server, None, place, running)
    assert replica["summary"] == "mysql 9.7.4, replica of db1, 3 s behind"
    assert replica["replication"]["seconds_behind"] == 3 and replica["replication"]["running"] is True
    stopped = rollout.fleet_record(server, None, place, {**running, "sql_running": "No", "seconds_behind": None})
    assert stopped["summary"].endswith("replica of db1, not replicating (IO Yes, SQL No)")
    assert "replication" not in rollout.fleet_record(server, None, {"role": "none"})


def test_the_drift_record_counts_differences_by_area():
    rows = [{"area": "variables", "item": "a"}, {"area": "limits", "item": "b"}, {"area": "variables", "item": "c"}]
    record = rollout.drift_record(rows)
    assert record == {
        "differences": 3,
        "areas": ["limits", "variables"],
        "summary": "3 differences (limits, variables)",
    }
    assert rollout.drift_record([])["summary"] == "0 differences"


def test_report_lines_are_aligned_and_carry_the_error():
    hosts = {
        "fleet-10": {"summary": "mysql 9.7.4", "outcome": "rolled back", "error": "server did not start"},
        "fleet-2": {"outcome": "unreachable", "error": "ssh: connection closed"},
        "fleet-1": {"summary": "mariadb 10.11.14", "outcome": "unchanged", "error": None},
    }
    lines = rollout.report_lines(hosts)
    assert [line.split()[0] for line in lines] == ["fleet-1", "fleet-10", "fleet-2"]
    assert lines[0] == "fleet-1   mariadb 10.11.14  unchanged"
    assert lines[1] == "fleet-10  mysql 9.7.4       rolled back: server did not start"
    assert lines[2] == "fleet-2   -                 unreachable: ssh: connection closed"


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"mysql_rollout_canary": 0, inputs.FLEET: 4}, "mysql_rollout_canary"),
        ({"mysql_rollout_canary": 5, inputs.FLEET: 4}, "mysql_rollout_canary"),
        ({"mysql_rollout_batch": "0%", inputs.FLEET: 4}, "mysql_rollout_batch"),
        ({"mysql_rollout_batch": "half", inputs.FLEET: 4}, "mysql_rollout_batch"),
        ({"mysql_rollout_batch": "9", inputs.FLEET: 8}, "mysql_rollout_batch"),
    ],
)
def test_rollout_inputs_are_refused_by_name(values, variable):
    problems = inputs.errors(values)
    assert len(problems) == 1 and problems[0].startswith(variable + "=")


def test_rollout_inputs_that_fit_the_fleet():
    assert inputs.errors({"mysql_rollout_canary": 1, "mysql_rollout_batch": "25%", inputs.FLEET: 1}) == []
    assert inputs.errors({"mysql_rollout_canary": 4, "mysql_rollout_batch": "4", inputs.FLEET: 4}) == []
