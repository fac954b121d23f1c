"""Best found (local.mysql.search): the candidates around tuned, their drop-ins, and the reading of
the comparison; and the load test's search mode that measures them."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.local.mysql.plugins.module_utils import bench, bench_page, search
from ansible_collections.local.mysql.plugins.module_utils.sizing import GIB, MIB, PEAK_LIMIT
from hypothesis import given
from hypothesis import strategies as st
from test_bench import GOOD, IDLE_PROBE

# What provision.yml recorded on the 4 GiB MySQL 9.7 lab host (the sizing's knobs only).
MYSQL = {
    "memory_budget": 4 * GIB,
    "peak_memory": 3854079099,
    "variables": {
        "innodb_buffer_pool_size": 2449473536,
        "innodb_buffer_pool_instances": 2,
        "innodb_page_cleaners": 2,
        "innodb_redo_log_capacity": 612368384,
        "innodb_io_capacity": 17379,
        "innodb_io_capacity_max": 34758,
        "innodb_lru_scan_depth": 1024,
        "innodb_flush_neighbors": 0,
        "innodb_log_writer_threads": "OFF",
        "innodb_read_ahead_threshold": 64,
        "max_connections": 151,
        "bind_address": "127.0.0.1",
    },
    "options": {"mysqlx": "OFF"},
}
MARIADB = {
    "memory_budget": 4 * GIB,
    "peak_memory": 3 * GIB,
    "variables": {
        "innodb_buffer_pool_size": 2 * GIB,
        "innodb_log_file_size": 1 * GIB,
        "innodb_io_capacity": 1500,
        "innodb_io_capacity_max": 3000,
        "innodb_lru_scan_depth": 1024,
        "innodb_flush_neighbors": 1,
        "innodb_read_ahead_threshold": 56,
        "max_connections": 151,
    },
}


def test_mysql_candidates_move_one_knob_each_and_never_grow_past_the_memory_model():
    found, left_out = search.candidates(MYSQL, cpus=2)
    assert [candidate["name"] for candidate in found] == [
        "pool x0.8",
        "redo x2",
        "redo x0.5",
        "io_capacity x2",
        "io_capacity x0.5",
        "lru_scan_depth x2",
        "lru_scan_depth x0.5",
        "instances/cleaners 1",
        "flush_neighbors 1",
        "log_writer_threads ON",
        "read_ahead_threshold 56",
    ]
    # 3.85 GB of a 4 GiB budget already: a fifth more pool would pass 90 %
    assert left_out == ["pool x1.2: the worst-case peak would pass 90% of the memory budget"]
    by_name = {candidate["name"]: candidate["changes"] for candidate in found}
    assert by_name["io_capacity x2"] == {"innodb_io_capacity": 34758, "innodb_io_capacity_max": 69516}
    assert by_name["instances/cleaners 1"] == {"innodb_buffer_pool_instances": 1, "innodb_page_cleaners": 1}
    assert by_name["redo x0.5"] == {"innodb_redo_log_capacity": 306184192}


def test_mariadb_candidates_use_its_redo_variable_and_skip_what_it_does_not_set():
    found, left_out = search.candidates(MARIADB, cpus=2)
    names = [candidate["name"] for candidate in found]
    assert "redo x2" in names and "pool x1.2" in names and left_out == []
    assert {"innodb_log_file_size": 2 * GIB} in [candidate["changes"] for candidate in found]
    assert not any(name.startswith(("instances", "log_writer")) for name in names)
    # tuned already reads ahead at the servers' default: the other way is tried
    assert "read_ahead_threshold 32" in names and "flush_neighbors 0" in names


def test_the_limit_keeps_the_most_telling_knobs():
    found, left_out = search.candidates(MYSQL, cpus=2, limit=2)
    assert [candidate["name"] for candidate in found] == ["pool x0.8", "redo x2"]
    assert len(left_out) == 10 and "redo x0.5: more than 2 candidates" in left_out


def test_a_candidates_drop_in_is_the_whole_tuned_one_with_its_move():
    candidate = {"name": "redo x2", "changes": {"innodb_redo_log_capacity": 1224736768}}
    text = search.dropin(candidate, MYSQL)
    settings = dict(line.split(" = ") for line in text.splitlines() if " = " in line and not line.startswith("#"))
    assert settings == {
        **{name: str(value) for name, value in MYSQL["variables"].items()},
        "mysqlx": "OFF",
        "innodb_redo_log_capacity": "1224736768",
    }
    assert text.startswith("# Written by the mysql_bench role")


@given(
    st.integers(256, 64 * 1024).map(lambda mib: mib * MIB),
    st.floats(0.3, 0.95),
    st.integers(1, 64),
    st.integers(1, 12),
)
def test_no_candidate_breaks_the_memory_model_or_the_limit(budget, used, cpus, limit):
    pool = int(budget * 0.5)
    sizing = {
        "memory_budget": budget,
        "peak_memory": int(budget * used),
        "variables": {**MYSQL["variables"], "innodb_buffer_pool_size": pool},
    }
    found, _left_out = search.candidates(sizing, cpus, limit)
    assert len(found) <= limit
    for candidate in found:
        grown = candidate["changes"].get("innodb_buffer_pool_size", pool) - pool
        assert sizing["peak_memory"] + grown <= PEAK_LIMIT * budget or grown <= 0
        assert any(str(sizing["variables"][name]) != str(value) for name, value in candidate["changes"].items())


def compared(rounds: dict[str, list[float]]) -> dict:
    rows = {
        name: {
            "tps": tps,
            "tps_median": sorted(tps)[len(tps) // 2],
            "tps_min": min(tps),
            "tps_max": max(tps),
            "tps_spread_pct": 0.0,
            "failed": [],
            "rounds": len(tps),
        }
        for name, tps in rounds.items()
    }
    return {"oltp_read_write": {"configurations": rows, "ratios": {}}}


def test_best_found_and_the_candidates_that_beat_tuned_in_every_round():
    found = search.best_found(
        compared({"tuned": [100, 104, 98], "redo x2": [110, 112, 105], "pool x0.8": [103, 99, 101]})
    )["oltp_read_write"]
    assert found["best"] == "redo x2" and found["tuned_over_best"] == pytest.approx(100 / 110, abs=0.001)
    assert found["within"] is False and found["beat_tuned_every_round"] == ["redo x2"]
    close = search.best_found(compared({"tuned": [100, 104, 98], "pool x0.8": [103, 99, 101]}))["oltp_read_write"]
    assert close["best"] == "pool x0.8" and close["within"] is True and close["beat_tuned_every_round"] == []
    assert "tuned/best = 0.99 (within 0.97)" in search.best_line({"oltp_read_write": close})


def test_tuned_as_the_best_beats_itself_at_one():
    found = search.best_found(compared({"tuned": [120, 118, 125], "redo x2": [100, 101, 99]}))["oltp_read_write"]
    assert found["best"] == "tuned" and found["tuned_over_best"] == 1.0 and found["within"]


def test_fresh_rounds_overrule_the_search_when_its_best_led_by_chance():
    search_rounds = compared({"tuned": [100, 104, 98], "redo x2": [110, 112, 105], "pool x0.8": [103, 99, 101]})
    again = compared({"tuned": [100, 102, 99], "redo x2": [99, 98, 101]})
    found = search.best_found(search_rounds, again)["oltp_read_write"]
    assert found["search_best"] == "redo x2" and found["search_tuned_over_best"] == pytest.approx(100 / 110, abs=0.001)
    assert found["best"] == "tuned" and found["tuned_over_best"] == 1.0 and found["within"]
    assert found["confirmed"] == {
        "candidate": "redo x2",
        "rounds": 3,
        "candidate_tps_median": 99,
        "tuned_tps_median": 100,
        "every_round": False,
    }
    line = search.best_line({"oltp_read_write": found})
    assert line.startswith("oltp_read_write best found: tuned (median 100.0 TPS), tuned/best = 1.00 (within 0.97)")
    assert "redo x2 median 99.0 against tuned 100.0 (the search's medians said 0.91)" in line


def test_fresh_rounds_that_keep_the_candidate_ahead_give_tuned_its_ratio():
    search_rounds = compared({"tuned": [100, 104, 98], "redo x2": [110, 112, 105]})
    again = compared({"tuned": [100, 101, 99], "redo x2": [104, 106, 103]})
    found = search.best_found(search_rounds, again)["oltp_read_write"]
    assert found["best"] == "redo x2" and found["tuned_over_best"] == pytest.approx(100 / 104, abs=0.001)
    assert found["within"] is False and found["confirmed"]["every_round"] is True
    assert "above tuned in every round" in search.best_line({"oltp_read_write": found})


def test_a_confirmation_without_both_medians_leaves_the_search_figures_and_says_so():
    search_rounds = compared({"tuned": [100, 104, 98], "redo x2": [110, 112, 105]})
    found = search.best_found(search_rounds, compared({"tuned": [100, 101, 99]}))["oltp_read_write"]
    assert found["best"] == "redo x2" and found["confirmed"] is None
    assert "not confirmed in fresh rounds" in search.best_line({"oltp_read_write": found})


def test_the_candidates_to_confirm_are_the_leaders_of_each_workload_once():
    led = compared({"tuned": [100, 104, 98], "redo x2": [110, 112, 105]})["oltp_read_write"]
    trailed = compared({"tuned": [120, 118, 125], "redo x2": [100, 101, 99]})["oltp_read_write"]
    assert search.leaders({"oltp_write_only": led, "oltp_insert": led}) == ["redo x2"]
    assert search.leaders({"oltp_write_only": trailed}) == []


SEARCH = {**GOOD, "mode": "search", "compare": [], "rounds": 3, "candidates": 2}


def test_the_confirmation_runs_tuned_and_the_leader_as_the_search_did_in_fresh_alternating_rounds():
    probe = {**IDLE_PROBE, "cpus": [0, 1], "mem_total": 24 * GIB}
    planned = bench.plan(SEARCH, probe, "mysql", MYSQL, "/w")
    assert bench.confirmation_steps(planned, [], 3) == []
    steps = bench.confirmation_steps(planned, ["redo x2"], 3)
    # a restart before each configuration's first workload in a round, its others on the same server
    switches = [(step["round"], step["configuration"]) for step in steps if step["switch"]]
    assert switches == [
        *((4, "tuned"), (4, "redo x2")),
        *((5, "redo x2"), (5, "tuned")),
        *((6, "tuned"), (6, "redo x2")),
    ]
    assert [step["workload"] for step in steps] == SEARCH["workloads"] * 6
    assert all(step["phase"] == search.CONFIRM for step in steps)
    searched = {(step["configuration"], step["workload"]): step for step in planned["steps"]}
    for step in steps:
        made = searched[(step["configuration"], step["workload"])]
        assert {key: step[key] for key in ("files", "rival_dropin", "measure", "warmup", "script", "threads")} == {
            key: made[key] for key in ("files", "rival_dropin", "measure", "warmup", "script", "threads")
        }


def test_the_search_mode_schedules_tuned_and_its_candidates_in_alternating_rounds():
    probe = {**IDLE_PROBE, "cpus": [0, 1], "mem_total": 24 * GIB}
    planned = bench.plan(SEARCH, probe, "mysql", {**MYSQL, "variables": {**MYSQL["variables"]}}, "/w")
    assert planned["refusals"] == []
    assert planned["configurations"] == ["tuned", "pool x0.8", "redo x2"]
    switches = [step for step in planned["steps"] if step["switch"]]
    assert [step["configuration"] for step in switches] == [
        *("tuned", "pool x0.8", "redo x2"),
        *("pool x0.8", "redo x2", "tuned"),
        *("redo x2", "tuned", "pool x0.8"),
    ]
    assert {step["files"] for step in switches} == {"tuned", "candidate"}
    redo = next(step for step in switches if step["configuration"] == "redo x2")
    assert "innodb_redo_log_capacity = 1224736768" in redo["rival_dropin"]
    assert planned["candidates"]["redo x2"] == {"innodb_redo_log_capacity": 1224736768}
    assert planned["kept_access"] == {}, "a candidate is a whole tuned drop-in, not stock"


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"rounds": 2}, "mysql_bench_rounds"),
        ({"compare": ["stock"]}, "mysql_bench_compare"),
        ({"candidates": 13}, "mysql_bench_candidates"),
    ],
)
def test_the_search_refuses_too_few_rounds_a_comparison_and_too_many_candidates(change, variable):
    planned = bench.plan({**SEARCH, **change}, IDLE_PROBE, "mysql", MYSQL, "/w")
    assert any(refusal.startswith(f"{variable}=") for refusal in planned["refusals"]), planned["refusals"]
    assert planned["steps"] == []


def test_the_report_names_the_best_found_and_what_each_candidate_moved():
    runs = []
    for round_number, factor in enumerate((1.0, 1.02, 0.99), start=1):
        for name, tps in (("tuned", 100), ("redo x2", 110)):
            runs.append(
                {
                    "round": round_number,
                    "configuration": name,
                    "workload": "oltp_read_write",
                    "threads": 10,
                    "tps": tps * factor,
                    "latency_ms": {"p95": 20.0},
                    "failed": False,
                    "sample_summary": {"checkpoint_age": {"max": None}},
                    "redo_capacity": None,
                }
            )
    report = bench.build_report({"mode": "search"}, [{**run, "phase": "load"} for run in runs])
    assert report["best_found"]["oltp_read_write"]["best"] == "redo x2"
    assert report["verdict_line"].startswith("oltp_read_write best found: redo x2")
    page = bench_page.search_markdown(
        {**report, "settings": {"candidates": {"redo x2": {"innodb_redo_log_capacity": 1224736768}}}}
    )
    assert "| oltp_read_write | redo x2 (picked) | innodb_redo_log_capacity = 1224736768 | 110.0 |" in "\n".join(page)


def test_the_report_reads_the_best_from_the_confirmation_and_keeps_the_search_apart():
    runs = []
    for round_number, tps, phase in (
        (1, {"tuned": 100, "redo x2": 110}, "load"),
        (2, {"tuned": 100, "redo x2": 97}, "confirm"),
    ):
        for name, value in tps.items():
            runs.append(
                {
                    "round": round_number,
                    "configuration": name,
                    "workload": "oltp_read_write",
                    "phase": phase,
                    "threads": 10,
                    "tps": value,
                    "latency_ms": {"p95": 20.0},
                    "failed": False,
                    "sample_summary": {"checkpoint_age": {"max": None}},
                    "redo_capacity": None,
                }
            )
    report = bench.build_report({"mode": "search"}, runs)
    assert report["compare"]["oltp_read_write"]["configurations"]["redo x2"]["tps"] == [110]
    assert report["confirmation"]["oltp_read_write"]["configurations"]["redo x2"]["tps"] == [97]
    found = report["best_found"]["oltp_read_write"]
    assert found["best"] == "tuned" and found["search_best"] == "redo x2"
    page = "\n".join(bench_page.search_markdown({**report, "settings": {"candidates": {}}}))
    assert "| oltp_read_write | redo x2 | 97 | 97 | 0.0 % | 1.031 |  |" in page


def test_the_role_confirms_the_candidate_whose_measured_runs_led_tuned():
    from ansible_collections.local.mysql.plugins.filter.bench import mysql_bench_confirmation

    fixtures = Path(__file__).parent / "fixtures" / "bench"
    slower = (fixtures / "sysbench-1.0.20-bookworm-mariadb-10.11-oltp_read_write.txt").read_text()  # 870 TPS
    faster = (fixtures / "sysbench-1.0.20-sid-mysql-9.7-oltp_write_only.txt").read_text()  # 1142 TPS
    planned = bench.plan({**SEARCH, "workloads": ["oltp_read_write"]}, IDLE_PROBE, "mysql", MYSQL, "/w")

    def ran(leader: str) -> list[dict]:
        return [
            {
                "step": step,
                "output": faster if step["configuration"] == leader else slower,
                "samples": [],
                "variables": {},
            }
            for step in planned["steps"]
        ]

    steps = mysql_bench_confirmation(ran("redo x2"), planned, 3)
    assert {step["configuration"] for step in steps} == {"tuned", "redo x2"} and len(steps) == 6
    assert mysql_bench_confirmation(ran("tuned"), planned, 3) == []
    assert mysql_bench_confirmation(ran("redo x2"), {**planned, "candidates": {}}, 3) == []
