"""The capacity search (local.mysql.capacity), the scenarios, the fair rivals and failed runs."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from ansible_collections.local.mysql.plugins.module_utils import (
    bench,
    bench_page,
    bench_readings,
    capacity,
    rivals,
    scenarios,
)
from ansible_collections.local.mysql.plugins.module_utils.sizing import GIB, MIB
from hypothesis import given
from hypothesis import strategies as st
from test_bench import GOOD, IDLE_PROBE, SIZING

FIXTURES = Path(__file__).parent / "fixtures" / "bench"
READ_WRITE = (FIXTURES / "sysbench-1.0.20-bookworm-mariadb-10.11-oltp_read_write.txt").read_text()
DENIED = (FIXTURES / "sysbench-1.0.20-sid-mysql-9.7-access-denied.txt").read_text()
CAPACITY = {**GOOD, "mode": "capacity", "compare": ["stock", "tuned"], "rounds": 1, "max_threads": 64}
BUDGET_SIZING = {**SIZING, "memory_budget": 4 * GIB}


def step_run(threads, qps, p95, errors=0, configuration="tuned", workload="oltp_read_write", **summary):
    """A capacity step as run_record keeps it, with the figures that matter here."""
    return {
        "configuration": configuration,
        "workload": workload,
        "ladder": capacity.ladder_name(configuration, workload),
        "threads": threads,
        "failed": False,
        "failure": None,
        "qps": {"total": float(qps)},
        "tps": qps / 20,
        "transactions": 10000,
        "errors": errors,
        "latency_ms": {"p95": p95},
        "refused_connections": 0,
        "sample_summary": {name: {"median": value} for name, value in summary.items()},
    }


# ------------------------------------------------------------------------------ the ladder


@given(st.integers(1, 4096))
def test_the_ladder_doubles_from_one_and_ends_at_the_cap(cap):
    rungs = capacity.ladder(cap)
    assert rungs[0] == 1 and rungs[-1] == cap
    assert all(b == 2 * a for a, b in itertools.pairwise(rungs[:-1]))
    assert rungs == sorted(set(rungs))


@given(st.integers(1, 4096), st.integers(3, 100000))
def test_the_cap_stays_below_max_connections(max_threads, max_connections):
    cap = capacity.thread_cap(max_threads, max_connections)
    assert 1 <= cap <= max_threads
    assert cap < max_connections


def test_growth_under_five_percent_over_two_steps_stops_the_ladder():
    steps = [step_run(1, 1000, 5), step_run(2, 1030, 6), step_run(4, 1045, 8)]
    reason = capacity.stop_reason(steps, 50, 64)
    assert reason and "from 1 to 4 threads" in reason
    assert capacity.stop_reason(steps[:2], 50, 64) is None


def test_p95_over_the_bound_errors_a_failure_and_the_cap_each_stop_it():
    assert "over the 50 ms bound" in capacity.stop_reason([step_run(1, 100, 51)], 50, 64)
    assert "errors" in capacity.stop_reason([step_run(1, 100, 5, errors=500)], 50, 64)
    failed = {**step_run(1, 100, 5), "failed": True, "failure": "sysbench run failed (exit 1)"}
    assert "failed" in capacity.stop_reason([failed], 50, 64)
    assert "cap of 2" in capacity.stop_reason([step_run(1, 100, 5), step_run(2, 300, 6)], 50, 2)


def test_a_few_retried_deadlocks_are_not_errors():
    assert capacity.stop_reason([step_run(1, 100, 5, errors=20)], 50, 64) is None


def test_the_capacity_is_the_highest_qps_within_the_bound_and_names_what_saturated():
    steps = [
        step_run(1, 1000, 4, cpu_busy_pct=40),
        step_run(2, 1900, 6, cpu_busy_pct=70),
        step_run(4, 2600, 20, cpu_busy_pct=85),
        step_run(8, 2900, 60, cpu_busy_pct=97),
    ]
    judged = capacity.verdict(steps, 50, {"server_cpus": 1, "disk_iops": 3000})
    assert (judged["capacity_qps"], judged["threads"]) == (2600, 4)
    assert judged["saturated"] == "CPU" and judged["saturated_at_threads"] == 8


@pytest.mark.parametrize(
    ("summary", "resources", "saturated"),
    [
        ({"disk_read_iops": 2500, "disk_write_iops": 300, "cpu_busy_pct": 30}, {"disk_iops": 3000}, "disk"),
        ({"cpu_iowait_pct": 45, "cpu_busy_pct": 30}, {"disk_iops": None}, "disk"),
        ({"server_cpu_pct": 95, "cpu_busy_pct": 60}, {"server_cpus": 1}, "CPU"),
        ({"threads_running": 30, "cpu_busy_pct": 30}, {"server_cpus": 1}, "locks"),
        ({"threads_running": 1, "cpu_busy_pct": 30}, {"server_cpus": 1}, "nothing"),
    ],
)
def test_what_saturated_is_read_from_the_samples(summary, resources, saturated):
    assert capacity.saturated(step_run(32, 1000, 5, **summary), resources).startswith(saturated)


def test_refused_connections_are_a_connection_limit():
    run = {**step_run(200, 0, None), "failed": True, "failure": "FATAL: error 1040: Too many connections"}
    assert capacity.saturated(run, {}) == "connections"


def test_stops_and_ratios_cover_each_configuration():
    runs = [
        step_run(1, 500, 4, configuration="stock"),
        step_run(2, 510, 5, configuration="stock"),
        step_run(4, 515, 70, configuration="stock"),
        step_run(1, 800, 3),
        step_run(2, 1500, 4),
    ]
    stopped = capacity.stops(runs, 50, 64)
    assert set(stopped) == {"stock/oltp_read_write"}
    found = capacity.report(runs, 50, 64, {})
    assert capacity.ratios(found) == {"oltp_read_write": {"tuned/stock": round(1500 / 510, 3)}}
    assert "tuned/oltp_read_write: carries 1500 QPS at 2 threads" in capacity.verdict_line(found)


def test_a_configuration_that_carries_nothing_within_the_bound_has_no_finite_ratio():
    runs = [step_run(1, 1430, 50.1, configuration="stock"), step_run(1, 2443, 15.8), step_run(2, 2852, 47.5)]
    found = capacity.report(runs, 50, 64, {})
    assert capacity.ratios(found) == {"oltp_read_write": {"tuned/stock": None}}
    assert capacity.ratio_text("tuned/stock", None) == (
        "tuned/stock = no finite ratio (stock carries nothing within the bound)"
    )
    nothing_either = capacity.report([step_run(1, 100, 80, configuration="stock"), step_run(1, 200, 90)], 50, 64, {})
    assert capacity.ratios(nothing_either) == {"oltp_read_write": {}}


def test_the_capacity_plan_is_a_ladder_per_configuration_with_one_restart_each():
    result = bench.plan({**CAPACITY, "workloads": ["oltp_read_write"]}, IDLE_PROBE, "mysql", SIZING, "/w")
    assert result["refusals"] == []
    cap = capacity.thread_cap(64, 151)
    ladder = capacity.ladder(cap)
    assert [(s["configuration"], s["threads"]) for s in result["steps"]] == [
        (name, threads) for name in ("stock", "tuned") for threads in ladder
    ]
    assert [s["threads"] for s in result["steps"] if s["switch"]] == [1, 1]
    assert {s["measure"]["options"]["threads"] for s in result["steps"]} == set(ladder)
    assert all(s["warmup"]["options"]["threads"] == s["threads"] for s in result["steps"])
    assert result["capacity"] == {"cap": cap, "p95_bound_ms": 50.0}


def test_a_capacity_comparison_needs_no_three_rounds():
    assert bench.input_errors(CAPACITY) == []


# ------------------------------------------------------------------------------ scenarios


def test_io_bound_holds_two_and_a_half_pools_of_data_picked_uniformly():
    result = bench.plan({**GOOD, "scenario": "io-bound", "workloads": []}, IDLE_PROBE, "mysql", SIZING, "/w")
    assert result["dataset"]["estimated_bytes"] == pytest.approx(2.5 * 2 * GIB, rel=0.01)
    assert {s["workload"] for s in result["steps"]} == {"oltp_read_write"}
    assert {s["measure"]["options"]["rand-type"] for s in result["steps"]} == {"uniform"}


def test_io_bound_without_room_is_refused_with_the_largest_size_that_fits():
    small = {**IDLE_PROBE, "free_bytes": 4 * GIB, "filesystem_bytes": 20 * GIB}
    result = bench.plan({**GOOD, "scenario": "io-bound", "workloads": []}, small, "mysql", SIZING, "/w")
    assert result["steps"] == []
    assert any(re.search(r"use at most \d+ rows per table", problem) for problem in result["refusals"])


def test_the_connections_scenario_ends_each_round_with_a_burst_of_max_connections():
    params = {**GOOD, "scenario": "connections", "workloads": [], "threads": 0, "compare": ["stock", "tuned"]}
    result = bench.plan(params, IDLE_PROBE, "mysql", SIZING, "/w")
    per_round = [(s["workload"], s["threads"], s["phase"]) for s in result["steps"][:3]]
    assert per_round == [
        ("oltp_point_select", 50, "load"),
        ("oltp_join", 50, "load"),
        ("oltp_point_select", 151, "burst"),
    ]
    burst = result["steps"][2]
    assert burst["warmup"] is None and burst["measure"]["sample_account"] == "root" and burst["memory_watch"]


def test_what_the_user_set_wins_over_the_scenario():
    resolved = scenarios.resolve({"scenario": "write-heavy", "workloads": ["oltp_insert"], "threads": 4})
    assert (resolved["workloads"], resolved["threads"], resolved["rand_type"]) == (["oltp_insert"], 4, "uniform")


def test_the_storm_keeps_its_own_data_and_load():
    errors = bench.input_errors({**GOOD, "mode": "storm", "compare": [], "scenario": "io-bound"})
    assert any(error.startswith("mysql_bench_scenario='io-bound'") for error in errors)


@given(st.lists(st.floats(1, 1e5), min_size=2, max_size=600))
def test_the_stall_figure_is_between_zero_and_one(values):
    figure = scenarios.stall([{"qps": value} for value in values])
    assert 0 <= figure <= 1


def test_a_second_at_zero_is_a_stall():
    assert scenarios.stall([{"qps": 1000.0}] * 59 + [{"qps": 0.0}]) == 0


# ------------------------------------------------------------------------------ rivals


@pytest.mark.parametrize(
    ("memory", "pool"),
    [(512 * MIB, 128 * MIB), (2 * GIB, GIB), (4 * GIB, 2 * GIB), (24 * GIB, 18 * GIB)],
)
def test_dedicated_pool_follows_mysqls_table(memory, pool):
    assert rivals.dedicated_pool(memory) == pool
    assert rivals.believed_memory(pool) in (None, memory)


@pytest.mark.parametrize(("cpus", "redo"), [(2, GIB), (16, 8 * GIB), (64, 16 * GIB)])
def test_dedicated_redo_is_half_a_gib_per_cpu_up_to_16(cpus, redo):
    assert rivals.dedicated_redo(cpus) == redo


def test_a_server_that_sees_more_than_the_budget_gets_a_fair_rival():
    probe = {**IDLE_PROBE, "mem_total": 24 * GIB, "cpus": [0, 1]}
    params = {**GOOD, "compare": ["stock", "tuned", "dedicated"]}
    result = bench.plan(params, probe, "mysql", BUDGET_SIZING, "/w")
    assert result["configurations"] == ["stock", "tuned", "dedicated", "dedicated-budget"]
    assert "24" not in result["added_configurations"][0] or "budget" in result["added_configurations"][0]
    rival = next(s for s in result["steps"] if s["configuration"] == "dedicated-budget" and s["switch"])
    assert "innodb_buffer_pool_size = 2147483648" in rival["rival_dropin"]
    seen_right = bench.plan(params, {**probe, "mem_total": 4 * GIB}, "mysql", BUDGET_SIZING, "/w")
    assert seen_right["configurations"] == ["stock", "tuned", "dedicated"]
    mariadb = bench.plan(params, probe, "mariadb", BUDGET_SIZING, "/w")
    assert mariadb["configurations"] == ["stock", "tuned"]


def test_stock_and_the_rivals_keep_the_hosts_access_settings_and_tuned_adds_nothing():
    sizing = {
        **BUDGET_SIZING,
        "variables": {**SIZING["variables"], "bind_address": "198.18.0.2", "ssl_cert": "/etc/mysql/tls/c.pem"},
        "options": {"mysqlx": "OFF"},
    }
    probe = {**IDLE_PROBE, "mem_total": 24 * GIB, "cpus": [0, 1]}
    result = bench.plan({**GOOD, "compare": ["stock", "tuned", "dedicated"]}, probe, "mysql", sizing, "/w")
    assert result["kept_access"] == {"bind_address": "198.18.0.2", "mysqlx": "OFF", "ssl_cert": "/etc/mysql/tls/c.pem"}
    written = {s["configuration"]: s["rival_dropin"] for s in result["steps"] if s["switch"]}
    for configuration in ("stock", "dedicated", "dedicated-budget"):
        settings = [line for line in written[configuration].splitlines() if " = " in line and line[0] != "#"]
        assert settings[:3] == ["bind_address = 198.18.0.2", "mysqlx = OFF", "ssl_cert = /etc/mysql/tls/c.pem"]
    assert written["tuned"] == ""
    assert "innodb_dedicated_server = ON" in written["dedicated"]
    assert "innodb_dedicated_server" not in written["stock"] and "innodb_buffer_pool_size" not in written["stock"]
    as_is = bench.plan({**GOOD, "compare": []}, probe, "mysql", sizing, "/w")
    assert as_is["kept_access"] == {} and all(s["rival_dropin"] == "" for s in as_is["steps"])


def test_a_host_with_no_recorded_access_settings_measures_plain_stock():
    assert rivals.access_settings(SIZING) == {}
    assert rivals.dropin("stock", 4 * GIB, 2, {}) == ""


def test_client_and_server_get_disjoint_cpus_on_two_or_more():
    assert bench.cpu_split([0, 1], True) == {"server": [0], "client": [1]}
    split = bench.cpu_split(list(range(16)), True)
    assert split["client"] == [12, 13, 14, 15] and not set(split["server"]) & set(split["client"])
    assert bench.cpu_split([0], True) is None
    assert bench.cpu_split([0, 1], False) is None


def test_process_cpu_is_read_after_the_command_name():
    stat = "123 (my sqld) S 1 123 123 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 37 0 100 0 0"
    assert bench_readings.process_cpu_ticks(stat) == 300


# ------------------------------------------------------------------------------ failed runs


def test_a_failed_run_is_kept_failed_and_out_of_the_medians():
    step = {"configuration": "tuned", "round": 1, "workload": "oltp_read_write", "threads": 10}
    good = bench.run_record({**step, "round": 2}, READ_WRITE, [], {}, 0.0)
    killed = bench.run_record(step, READ_WRITE[:200], [], {}, 10.0, "sysbench run failed (exit 1)")
    refused = bench.run_record({**step, "round": 3}, DENIED, [], {}, 20.0)
    assert killed["failed"] and killed["failure"] == "sysbench run failed (exit 1)" and killed["tps"] is None
    assert refused["failed"] and refused["failure"].startswith("sysbench printed no statistics")
    row = bench.compare([good, killed, refused])["oltp_read_write"]["configurations"]["tuned"]
    assert row["rounds"] == 3 and len(row["failed"]) == 2 and row["tps"] == [good["tps"]]
    judged = bench.verdict([{**killed, "workload": "oltp_join"}])
    assert judged["oltp_join"]["pass"] is False and judged["oltp_join"]["failed_runs"] == 1


def test_a_burst_refused_below_max_connections_or_a_killed_server_fails_the_connections_check():
    step = {"configuration": "tuned", "round": 1, "workload": "oltp_point_select", "threads": 151, "phase": "burst"}
    text = "FATAL: unable to connect to MySQL server on socket, aborting...\nFATAL: error 1040: Too many connections\n"
    refused = bench.run_record(step, text, [], {"max_connections": "151"}, 0.0, "sysbench run failed (exit 1)")
    refused["server_pid"] = {"before": "10", "after": "10"}
    judged = bench.connections_verdict([refused])
    assert refused["refused_connections"] == 1 and judged["pass"] is False
    served = bench.run_record(step, READ_WRITE, [], {"max_connections": "151"}, 0.0)
    served["server_pid"] = {"before": "10", "after": "11"}
    judged = bench.connections_verdict([served])
    assert judged["pass"] is False and any("changed" in name for name in judged["checks"])
    served["server_pid"] = {"before": "10", "after": "10"}
    assert bench.connections_verdict([served])["pass"] is True


def test_the_capacity_report_and_chart_show_every_ladder_even_all_failed(tmp_path):
    from ansible_collections.local.mysql.plugins.module_utils.bench_chart import draw
    from test_bench import report_meta

    def ladder(configuration, failed):
        runs = []
        for threads in (1, 2, 4):
            step = {
                "configuration": configuration,
                "round": 1,
                "workload": "oltp_read_write",
                "threads": threads,
                "phase": "capacity",
                "ladder": f"{configuration}/oltp_read_write",
            }
            runs.append(
                bench.run_record(
                    step, "" if failed else READ_WRITE, [], {}, float(threads), "killed" if failed else None
                )
            )
        return runs

    meta = report_meta(mode="capacity", capacity={"cap": 4, "p95_bound_ms": 50.0}, cpus={"server": [0], "client": [1]})
    for runs in (ladder("stock", True) + ladder("tuned", False), ladder("tuned", True)):
        report = bench.build_report(meta, runs)
        text = bench_page.markdown(report)
        assert "## Capacity" in text and "| tuned | oltp_read_write |" in text
        draw(report, str(tmp_path / "report.png"))
        assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert report["capacity_result"]["tuned/oltp_read_write"]["verdict"]["capacity_qps"] is None


def test_saturation_is_judged_against_the_servers_own_cpus_and_fios_iops():
    from test_bench import report_meta

    pinned = bench.resources(report_meta(cpus={"server": [0, 1, 2], "client": [3]}, disk_iops=3000))
    assert pinned == {"server_cpus": 3, "disk_iops": 3000}
    assert bench.resources(report_meta())["server_cpus"] == 2  # the host's CPUs when nothing is pinned
