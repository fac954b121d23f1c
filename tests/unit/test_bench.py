"""The load test's decisions and parsers (local.mysql.bench), on sysbench 1.0.20 output captured
from the lab (MariaDB 10.11 on bookworm, MySQL 9.7 on sid) and on /proc and cgroup texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ansible_collections.local.mysql.plugins.module_utils import bench, bench_page, bench_readings, rivals
from ansible_collections.local.mysql.plugins.module_utils.bench import (
    BenchError,
    busy_reasons,
    dataset,
    file_actions,
    input_errors,
    ldd_missing,
    library_dirs,
    parse_depends,
    refusals,
    schedule,
    unmet,
)
from ansible_collections.local.mysql.plugins.module_utils.bench_readings import (
    checkpoint_age,
    cpu_times,
    disk_counters,
    histogram_percentile,
    parse_histogram,
    parse_sysbench,
    process_memory,
    redo_capacity,
    sample,
)
from ansible_collections.local.mysql.plugins.module_utils.host import cgroup_memory_usage
from ansible_collections.local.mysql.plugins.module_utils.sizing import GIB, MIB
from hypothesis import given
from hypothesis import strategies as st

FIXTURES = Path(__file__).parent / "fixtures" / "bench"
RUNS = sorted(p.name for p in FIXTURES.glob("sysbench-*.txt") if "denied" not in p.name)
GOOD = {
    "mode": "load",
    "scenario": "in-memory",
    "p95_bound_ms": 50,
    "max_threads": 256,
    "pin_cpus": True,
    "workloads": ["oltp_read_write", "oltp_point_select", "oltp_join"],
    "tables": 8,
    "table_size": 0,
    "threads": 10,
    "time": 60,
    "warmup": 20,
    "rounds": 3,
    "compare": ["stock", "tuned", "dedicated"],
    "schema": "mysql_bench",
    "user": "mysql_bench",
    "allow_busy_host": False,
    "report_interval": 1,
}
SIZING = {"variables": {"innodb_buffer_pool_size": 2 * GIB, "max_connections": 151}}
ACCESS = {"bind_address": "198.18.0.2", "require_secure_transport": "ON"}
IDLE_PROBE = {
    "processlist": [{"id": 5, "user": "event_scheduler", "host": "localhost", "db": None, "command": "Daemon"}],
    "schemas": ["information_schema", "mysql", "performance_schema", "sys"],
    "schema_exists": False,
    "marker_present": False,
    "user_exists": False,
    "free_bytes": 80 * GIB,
    "filesystem_bytes": 250 * GIB,
    "files": {"dropin": True, "aside": False, "dedicated": False},
}


def printed(text: str, label: str) -> float:
    return float(re.search(rf"^\s*{label}:\s+([\d.]+)", text, re.MULTILINE).group(1))


@pytest.mark.parametrize("name", RUNS)
def test_sysbench_totals_match_what_it_printed(name):
    text = (FIXTURES / name).read_text()
    result = parse_sysbench(text)
    transactions = re.search(r"transactions:\s+(\d+)\s+\(([\d.]+) per sec", text)
    assert result["transactions"] == int(transactions.group(1))
    assert result["tps"] == float(transactions.group(2))
    assert (
        result["queries"]["total"]
        == result["queries"]["read"] + result["queries"]["write"] + (result["queries"]["other"])
    )
    assert result["latency_ms"]["min"] == printed(text, "min")
    assert result["latency_ms"]["max"] == printed(text, "max")
    assert result["sysbench_version"] == "1.0.20"


@pytest.mark.parametrize("name", RUNS)
def test_percentiles_from_the_histogram_agree_with_sysbench(name):
    text = (FIXTURES / name).read_text()
    result = parse_sysbench(text)
    latency = result["latency_ms"]
    # sysbench computes its 95th percentile from the same buckets it prints.
    assert latency["p95"] == pytest.approx(printed(text, "95th percentile"), abs=0.01)
    assert latency["min"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    assert sum(count for _, count in parse_histogram(text)) == result["events"]


@pytest.mark.parametrize("name", RUNS)
def test_every_interval_line_is_read(name):
    text = (FIXTURES / name).read_text()
    intervals = parse_sysbench(text)["intervals"]
    assert len(intervals) == text.count("s ] thds:")
    assert [row["t"] for row in intervals] == list(range(1, len(intervals) + 1))
    assert all(row["tps"] > 0 and row["latency_pct"] == 95 for row in intervals)


def test_a_failed_run_says_what_sysbench_said():
    text = (FIXTURES / "sysbench-1.0.20-sid-mysql-9.7-access-denied.txt").read_text()
    with pytest.raises(BenchError, match="FATAL: unable to connect"):
        parse_sysbench(text)


@given(st.lists(st.tuples(st.floats(0.01, 1000), st.integers(1, 1000)), min_size=1, max_size=50))
def test_histogram_percentiles_are_ordered_buckets(rows):
    rows = sorted(rows)
    p50, p95, p99 = (histogram_percentile(rows, q) for q in (50, 95, 99))
    assert p50 <= p95 <= p99
    assert {p50, p95, p99} <= {value for value, _ in rows}


def test_no_histogram_no_percentile():
    assert histogram_percentile([], 95) is None


# ------------------------------------------------------------------------------ inputs


def test_good_inputs_pass():
    assert input_errors(GOOD) == []


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"p95_bound_ms": 0}, "mysql_bench_p95_bound_ms"),
        ({"max_threads": 0}, "mysql_bench_max_threads"),
        ({"threads": 5000}, "mysql_bench_threads"),
        ({"threads": -3}, "mysql_bench_threads"),
        ({"time": 0}, "mysql_bench_time"),
        ({"rounds": 2}, "mysql_bench_rounds"),
        ({"table_size": 10}, "mysql_bench_table_size"),
        ({"compare": ["stock", "stock"]}, "mysql_bench_compare"),
        ({"schema": "Bench; DROP"}, "mysql_bench_schema"),
        ({"schema": "mysql"}, "mysql_bench_schema"),
        ({"user": ""}, "mysql_bench_user"),
        ({"warmup": True}, "mysql_bench_warmup"),
    ],
)
def test_each_bad_input_is_named_with_its_value_and_range(change, variable):
    errors = input_errors({**GOOD, **change})
    assert errors, change
    assert any(error.startswith(variable + "=") for error in errors), errors


def test_a_single_configuration_needs_no_three_rounds():
    assert input_errors({**GOOD, "compare": ["tuned"], "rounds": 1}) == []


# ------------------------------------------------------------------------------ decisions


def test_default_dataset_is_about_half_the_buffer_pool():
    chosen = dataset(8, 0, 4 * GIB, 80 * GIB, 250 * GIB)
    assert chosen["table_size"] == 4 * GIB // 2 // (8 * bench.ROW_BYTES)
    assert chosen["estimated_bytes"] == pytest.approx(2 * GIB, rel=0.01)


def test_a_dataset_larger_than_the_free_space_is_refused_with_what_fits():
    with pytest.raises(BenchError, match=r"mysql_bench_table_size=1000000000.*at most (\d+) rows") as caught:
        dataset(8, 10**9, 4 * GIB, 20 * GIB, 100 * GIB)
    largest = int(re.search(r"at most (\d+) rows", str(caught.value)).group(1))
    dataset(8, largest, 4 * GIB, 20 * GIB, 100 * GIB)  # the advice fits
    with pytest.raises(BenchError):
        dataset(8, largest + 1000, 4 * GIB, 20 * GIB, 100 * GIB)


def test_the_servers_own_threads_do_not_make_it_busy():
    assert busy_reasons(IDLE_PROBE["processlist"], IDLE_PROBE["schemas"], "mysql_bench", False, "mysql_bench") == []


def test_an_application_connection_or_schema_makes_it_busy():
    connection = {"id": 9, "user": "app", "host": "localhost", "db": "shop", "command": "Sleep"}
    reasons = busy_reasons([connection], [*IDLE_PROBE["schemas"], "shop"], "mysql_bench", False, "mysql_bench")
    assert len(reasons) == 2 and "app@localhost" in reasons[0] and "shop" in reasons[1]
    problems = refusals({**IDLE_PROBE, "processlist": [connection]}, GOOD)
    assert len(problems) == 1 and "mysql_bench_allow_busy_host" in problems[0]
    assert refusals({**IDLE_PROBE, "processlist": [connection]}, {**GOOD, "allow_busy_host": True}) == []


def test_the_benchmarks_own_leftovers_do_not_make_it_busy():
    leftover = {"id": 9, "user": "mysql_bench", "host": "localhost", "db": "mysql_bench", "command": "Query"}
    probe = {
        **IDLE_PROBE,
        "processlist": [leftover],
        "schemas": [*IDLE_PROBE["schemas"], "mysql_bench"],
        "schema_exists": True,
        "marker_present": True,
    }
    assert refusals(probe, GOOD) == []


def test_a_schema_of_that_name_not_made_by_the_toolkit_is_refused():
    probe = {**IDLE_PROBE, "schemas": [*IDLE_PROBE["schemas"], "mysql_bench"], "schema_exists": True}
    problems = refusals(probe, {**GOOD, "allow_busy_host": True})
    assert len(problems) == 1 and problems[0].startswith("mysql_bench_schema='mysql_bench'")


def test_plan_refuses_a_comparison_on_a_host_never_tuned():
    probe = {**IDLE_PROBE, "files": {"dropin": False, "aside": False, "dedicated": False}}
    result = bench.plan(GOOD, probe, "mysql", SIZING, "/var/tmp/mysql-bench")
    assert any("provision.yml" in problem for problem in result["refusals"])
    assert result["steps"] == []


def test_plan_on_mariadb_leaves_out_the_dedicated_configuration():
    result = bench.plan(GOOD, IDLE_PROBE, "mariadb", SIZING, "/var/tmp/mysql-bench")
    assert result["refusals"] == []
    assert result["configurations"] == ["stock", "tuned"]
    assert "innodb_dedicated_server" in result["skipped_configurations"][0]
    assert {step["script"] for step in result["steps"] if step["workload"] == "oltp_join"} == {
        "/var/tmp/mysql-bench/oltp_join.lua"
    }


def test_configurations_alternate_within_each_round_and_restart_once_per_switch():
    steps = schedule(["stock", "tuned", "dedicated"], 3, ["oltp_read_write", "oltp_join"])
    order = [step["configuration"] for step in steps if step["switch"]]
    assert order == ["stock", "tuned", "dedicated", "tuned", "dedicated", "stock", "dedicated", "stock", "tuned"]
    assert len(steps) == 3 * 3 * 2
    assert [step["round"] for step in steps] == sorted(step["round"] for step in steps)


@given(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=9))
def test_over_whole_cycles_of_rounds_every_configuration_holds_each_place_once(count, cycles):
    configurations = [f"c{index}" for index in range(count)]
    steps = schedule(configurations, count * cycles, ["oltp_read_write"])
    places = {name: [] for name in configurations}
    for round_number in range(1, count * cycles + 1):
        in_round = [step["configuration"] for step in steps if step["round"] == round_number]
        assert sorted(in_round) == configurations
        for place, name in enumerate(in_round):
            places[name].append(place)
    assert all(sorted(held) == sorted(list(range(count)) * cycles) for held in places.values())


def test_without_a_comparison_the_server_is_measured_as_it_is():
    steps = schedule([], 2, ["oltp_point_select"])
    assert [(s["configuration"], s["switch"]) for s in steps] == [("as-is", False), ("as-is", False)]


def apply(actions, state, rival):
    dropin, aside, held = state
    for action in actions:
        if action == "remove stale aside copy":
            aside = False
        elif action == "move drop-in back":
            dropin, aside = True, False
        elif action == "move drop-in aside":
            dropin, aside = False, True
        elif action == "write rival drop-in":
            held = rival
        elif action == "remove rival drop-in":
            held = None
    return dropin, aside, held


@given(
    st.sampled_from(bench.CONFIGURATIONS),
    st.booleans(),
    st.booleans(),
    st.sampled_from(
        [None, rivals.dropin("dedicated", 4 * GIB, 2, ACCESS), rivals.dropin("dedicated-budget", 4 * GIB, 2, ACCESS)]
    ),
)
def test_file_actions_reach_the_configuration_from_any_leftover_state(configuration, dropin, aside, held):
    if not (dropin or aside):
        dropin = True  # a provisioned host has its drop-in in one of the two places
    rival = rivals.dropin(configuration, 4 * GIB, 2, ACCESS)
    after = apply(file_actions(configuration, dropin, aside, held, rival), (dropin, aside, held), rival)
    assert after[0] == (configuration == "tuned")
    assert after[2] == (rival or None)
    assert after[0] != after[1], "the drop-in is in exactly one place"
    assert file_actions(configuration, *after, rival) == [], "a second switch does nothing"


# ------------------------------------------------------------------------------ the private client

SYSBENCH_DEPENDS = (
    "libaio1t64 (>= 0.3.93), libc6 (>= 2.38), libluajit-5.1-2 (>= 2.0.4) | libluajit-5.1-2 (>= 2.1.0+openresty), "
    "libmariadb3 (>= 3.0.0), libpq5"
)


def test_debian_depends_fields_become_groups_of_names():
    assert parse_depends(SYSBENCH_DEPENDS) == [
        ["libaio1t64"],
        ["libc6"],
        ["libluajit-5.1-2", "libluajit-5.1-2"],
        ["libmariadb3"],
        ["libpq5"],
    ]
    assert parse_depends("python3:any, libfoo [amd64] <!nocheck>") == [["python3"], ["libfoo"]]


def test_only_what_the_host_lacks_is_fetched():
    installed = {"libaio1t64", "libc6"}
    assert unmet(parse_depends(SYSBENCH_DEPENDS), installed.__contains__) == [
        ["libluajit-5.1-2", "libluajit-5.1-2"],
        ["libmariadb3"],
        ["libpq5"],
    ]


def test_library_dirs_leave_client_plugins_out():
    files = [
        "/w/root/usr/lib/x86_64-linux-gnu/libmariadb.so.3",
        "/w/root/usr/lib/x86_64-linux-gnu/libpq.so.5.18",
        "/w/root/usr/lib/x86_64-linux-gnu/libmariadb3/plugin/caching_sha2_password.so",
        "/w/root/usr/bin/sysbench",
    ]
    assert library_dirs(files) == ["/w/root/usr/lib/x86_64-linux-gnu"]


def test_ldd_reports_missing_libraries():
    text = "\tlibpq.so.5 => not found\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x7f)\n"
    assert ldd_missing(text) == ["libpq.so.5"]


# ------------------------------------------------------------------------------ samples

PROC_STAT = "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n"
DISKSTATS = (
    " 254       0 vda 1000 0 8000 0 2000 0 16000 0 0 0 0 0 0 0 0 0 0\n"
    " 254       1 vda1 900 0 7000 0 1900 0 15000 0 0 0 0 0 0 0 0 0 0\n"
    "   7       0 loop0 5 0 10 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
)


def test_cpu_busy_leaves_idle_and_iowait_out():
    assert cpu_times(PROC_STAT) == (150, 1000, 50)


def test_disk_counters_sum_whole_disks_only():
    assert disk_counters(DISKSTATS, ["vda"]) == {
        "reads": 1000,
        "read_sectors": 8000,
        "writes": 2000,
        "write_sectors": 16000,
    }


def test_process_memory_in_bytes():
    status = "Name:\tmysqld\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n"
    assert process_memory(status) == {"rss": 1024 * 1024, "hwm": 2048 * 1024}


def test_checkpoint_age_on_each_server():
    mysql = {"Innodb_redo_log_current_lsn": "39523715", "Innodb_redo_log_checkpoint_lsn": "29249612"}
    assert checkpoint_age(mysql) == 39523715 - 29249612
    assert checkpoint_age({"Innodb_checkpoint_age": "4096"}) == 4096
    engine = "---\nLOG\n---\nLog sequence number          5000\nLog flushed up to   5000\nLast checkpoint at  1200\n"
    assert checkpoint_age({}, engine) == 3800
    assert checkpoint_age({}) is None


def test_redo_capacity_on_each_server():
    assert redo_capacity({"innodb_redo_log_capacity": str(608 * MIB)}) == 608 * MIB
    assert redo_capacity({"innodb_log_file_size": str(96 * MIB)}) == 96 * MIB
    assert redo_capacity({"innodb_log_file_size": str(48 * MIB), "innodb_log_files_in_group": "2"}) == 96 * MIB


def test_a_sample_is_rates_over_the_elapsed_time():
    before = {"t": 1.0, "cpu": (150, 1000), "disk": disk_counters(DISKSTATS, ["vda"]), "load1": 1.0}
    after_disk = {"reads": 1100, "read_sectors": 8000 + 2048, "writes": 2500, "write_sectors": 16000 + 4096}
    after = {"t": 3.0, "cpu": (250, 1200), "disk": after_disk, "load1": 2.5, "server_rss": 5, "checkpoint_age": 7}
    row = sample(before, after)
    assert row["cpu_busy_pct"] == 50.0
    assert row["disk_read_iops"] == 50.0 and row["disk_write_iops"] == 250.0
    assert row["disk_write_mbps"] == pytest.approx(4096 * 512 / 2 / 1e6, abs=0.01)
    assert (row["server_rss"], row["checkpoint_age"], row["load1"]) == (5, 7, 2.5)
    with pytest.raises(ValueError):
        sample(after, before)


class FakeFs:
    def __init__(self, files):
        self.files = files

    def read(self, path):
        return self.files.get(path)


def test_cgroup_v1_in_a_private_namespace_reports_the_limited_cgroup():
    fs = FakeFs(
        {
            "/proc/42/cgroup": "4:memory:/system.slice/mariadb.service\n0::/system.slice/mariadb.service\n",
            "/sys/fs/cgroup/memory/system.slice/mariadb.service/memory.usage_in_bytes": "700000000\n",
            "/sys/fs/cgroup/memory/system.slice/mariadb.service/memory.limit_in_bytes": "9223372036854771712\n",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes": "1500000000\n",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": "4294967296\n",
        }
    )
    assert cgroup_memory_usage(fs, 42) == {"usage": 1500000000, "limit": 4294967296, "cgroup": "/"}


def test_cgroup_v2_without_a_limit_reports_the_servers_own_cgroup():
    fs = FakeFs(
        {
            "/proc/7/cgroup": "0::/system.slice/mysql.service\n",
            "/sys/fs/cgroup/system.slice/mysql.service/memory.current": "123456\n",
            "/sys/fs/cgroup/system.slice/mysql.service/memory.max": "max\n",
        }
    )
    assert cgroup_memory_usage(fs, 7) == {"usage": 123456, "limit": None, "cgroup": "/system.slice/mysql.service"}


def test_no_visible_memory_controller_is_no_figure():
    fs = FakeFs({"/proc/7/cgroup": "4:memory:/docker/abc\n0::/docker/abc/system.slice/mysql.service\n"})
    assert cgroup_memory_usage(fs, 7)["usage"] is None


# ------------------------------------------------------------------------------ reports


def fixture_run(name, configuration, round_number, workload, offset):
    text = (FIXTURES / name).read_text()
    step = {"configuration": configuration, "round": round_number, "workload": workload}
    samples = [{"t": 1.0, "cpu_busy_pct": 90.0, "server_rss": 700 * MIB, "checkpoint_age": 5 * MIB}]
    variables = {"innodb_redo_log_capacity": str(608 * MIB), "innodb_buffer_pool_size": str(2 * GIB)}
    return bench.run_record(step, text, samples, variables, offset)


def report_meta(**changes) -> dict:
    """What the role gives bench_report about the host and the run, with ``changes``."""
    return {
        "host": "db1",
        "server": {"flavor": "mariadb", "version": "10.11.14"},
        "host_facts": {"memory": 4 * GIB, "cpus": 2, "disk": "ssd"},
        "dataset": {"tables": 2, "table_size": 10000, "estimated_bytes": 5 * MIB, "formula": "requested"},
        "settings": {"threads": 2, "time": 3, "warmup": 1, "rounds": 1, "skipped_configurations": []},
        "command": "make bench",
        "started": "20261123T100000Z",
        "finished": "20261123T100100Z",
        **changes,
    }


def test_compare_gives_medians_spreads_and_ratios():
    rw = "sysbench-1.0.20-bookworm-mariadb-10.11-oltp_read_write.txt"
    runs = [
        fixture_run(rw, name, r, "oltp_read_write", 10.0 * i)
        for i, (r, name) in enumerate([(r, name) for r in (1, 2, 3) for name in ("stock", "tuned")])
    ]
    for run, tps in zip(runs, (700, 1000, 720, 1100, 650, 1050), strict=True):
        run["tps"] = float(tps)
    table = bench.compare(runs)["oltp_read_write"]
    assert table["configurations"]["stock"]["tps_median"] == 700
    assert table["configurations"]["tuned"]["tps_median"] == 1050
    assert table["configurations"]["tuned"]["tps_spread_pct"] == pytest.approx(100 * 100 / 1050, abs=0.1)
    assert table["ratios"] == {"tuned/stock": 1.5}


def test_report_judges_seed_000s_targets_and_draws_a_chart(tmp_path):
    from ansible_collections.local.mysql.plugins.module_utils.bench_chart import draw

    runs = [
        fixture_run("sysbench-1.0.20-bookworm-mariadb-10.11-oltp_point_select.txt", "as-is", 1, "oltp_point_select", 0),
        fixture_run("sysbench-1.0.20-bookworm-mariadb-10.11-oltp_join.txt", "as-is", 1, "oltp_join", 20.0),
    ]
    report = bench.build_report(report_meta(), runs)
    point_p95 = runs[0]["latency_ms"]["p95"]
    join_p95 = runs[1]["latency_ms"]["p95"]
    assert report["verdict"]["oltp_point_select"] == {
        "target_p95_ms": 10.0,
        "p95_ms": point_p95,
        "failed_runs": 0,
        "pass": point_p95 < 10,
    }
    assert report["verdict"]["oltp_join"]["pass"] == (join_p95 < 50)
    text = bench_page.markdown(report)
    assert "| 1 | as-is | oltp_join |" in text and report["verdict_line"] in text
    draw(report, str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_account_of_that_name_not_made_by_the_toolkit_is_refused():
    problems = refusals({**IDLE_PROBE, "user_exists": True}, GOOD)
    assert len(problems) == 1 and problems[0].startswith("mysql_bench_user='mysql_bench'")
    assert refusals({**IDLE_PROBE, "user_exists": True, "marker_present": True, "schema_exists": True}, GOOD) == []


def test_the_connection_file_is_read_as_sysbench_reads_it():
    text = "mysql-socket=/run/mysqld/mysqld.sock\nmysql-user=mysql_bench\nmysql-password=a=b\n"
    assert bench_readings.sysbench_options(text) == {
        "mysql-socket": "/run/mysqld/mysqld.sock",
        "mysql-user": "mysql_bench",
        "mysql-password": "a=b",
    }


def test_each_sysbench_command_gets_its_options_and_a_bound():
    data = {"tables": 2, "table_size": 10000}
    phases = bench.sysbench_phases({**GOOD, "threads": 10, "time": 60, "warmup": 20}, data)
    assert phases["prepare"]["options"]["threads"] == 2  # one table per loading thread at most
    assert phases["prepare"]["timeout"] >= 600
    assert phases["warmup"]["options"]["time"] == 20 and phases["warmup"]["timeout"] > 20
    measure = phases["measure"]
    assert (measure["options"]["time"], measure["options"]["histogram"], measure["options"]["report-interval"]) == (
        60,
        "on",
        1,
    )
    assert measure["timeout"] > 60 and measure["options"]["threads"] == 10
    assert bench.sysbench_phases({**GOOD, "warmup": 0}, data)["warmup"] is None


# ------------------------------------------------------------------------------ the memory storm

STORM = {**GOOD, "mode": "storm", "compare": [], "rounds": 1}


def test_the_storm_restarts_the_tuned_server_on_a_dataset_larger_than_its_pool():
    result = bench.plan(STORM, IDLE_PROBE, "mariadb", SIZING, "/var/tmp/mysql-bench")
    assert result["refusals"] == []
    assert [(s["configuration"], s["workload"], s["switch"]) for s in result["steps"]] == [("tuned", "storm", True)]
    assert result["steps"][0]["script"] == "/var/tmp/mysql-bench/storm.lua"
    assert result["dataset"]["estimated_bytes"] > 2 * GIB
    assert result["sysbench"]["warmup"]["command"] == "prewarm"
    assert result["sysbench"]["measure"]["options"]["threads"] == 151
    assert result["sysbench"]["measure"]["sample_account"] == "root"  # the admin's extra connection


def test_the_storm_compares_nothing_and_needs_the_tuned_drop_in():
    assert any("mysql_bench_compare" in error for error in input_errors({**STORM, "compare": ["stock"]}))
    untuned = {**IDLE_PROBE, "files": {"dropin": False, "aside": False, "dedicated": False}}
    result = bench.plan(STORM, untuned, "mysql", SIZING, "/var/tmp/mysql-bench")
    assert any("mysql_bench_mode=storm" in problem and "provision.yml" in problem for problem in result["refusals"])


def storm_run(hwm, threads=151, errors=0, pids=("100", "100"), cgroup=None):
    text = (FIXTURES / "sysbench-1.0.20-bookworm-mariadb-10.11-oltp_read_write.txt").read_text()
    text = re.sub(r"Number of threads: \d+", f"Number of threads: {threads}", text)
    text = re.sub(r"ignored errors:\s+\d+", f"ignored errors:                      {errors}", text)
    step = {"configuration": "tuned", "round": 1, "workload": "storm"}
    samples = [{"t": 1.0, "server_rss": hwm - MIB, "server_hwm": hwm}, {"t": 2.0, "server_rss": hwm // 2}]
    run = bench.run_record(step, text, samples, {}, 0.0)
    return {**run, "server_pid": {"before": pids[0], "after": pids[1]}, "cgroup": cgroup}


SIZED = {"peak_memory": 3 * GIB, "memory_budget": 4 * GIB, "max_connections": 151}


@pytest.mark.parametrize(
    ("run", "passes"),
    [
        (storm_run(2 * GIB), True),
        (storm_run(3 * GIB + 1), False),  # above the prediction: the model undercounts
        (storm_run(GIB), False),  # below half: the model overcounts, or the storm did not load
        (storm_run(2 * GIB, threads=150), False),  # a session was not served
        (storm_run(2 * GIB, errors=3), False),
        (storm_run(2 * GIB, pids=("100", "230")), False),  # the server restarted: killed
        (storm_run(2 * GIB, cgroup={"peak": 3 * GIB, "limit": 4 * GIB, "oom_kills": 1}), False),
        # a kill before the storm began is not the storm's: the kernel's count starts with the container
        ({**storm_run(2 * GIB, cgroup={"peak": 3 * GIB, "oom_kills": 1}), "cgroup_before": {"oom_kills": 1}}, True),
        ({**storm_run(2 * GIB, cgroup={"peak": 3 * GIB, "oom_kills": 2}), "cgroup_before": {"oom_kills": 1}}, False),
    ],
)
def test_the_storm_passes_only_with_half_the_prediction_le_measured_le_prediction_and_nothing_lost(run, passes):
    judged = bench.storm_verdict(run, SIZED)
    assert judged["pass"] is passes
    assert judged["measured_peak"] == max(sample.get("server_hwm") or 0 for sample in run["samples"])


def test_a_prediction_above_90_percent_of_the_budget_fails_the_storm():
    judged = bench.storm_verdict(storm_run(2 * GIB), {**SIZED, "peak_memory": int(3.7 * GIB)})
    assert not judged["pass"]


def test_the_storm_report_says_predicted_and_measured():
    meta = report_meta(server={"flavor": "mysql", "version": "9.7.4"}, command="make storm", mode="storm", sizing=SIZED)
    report = bench.build_report(meta, [storm_run(2 * GIB)])
    assert report["storm"]["pass"] and report["verdict_line"].endswith("PASS")
    assert "predicted peak 3G, measured 2G" in report["verdict_line"]
    text = bench_page.markdown(report)
    assert "| nothing killed | pass |" in text
    assert "then 151 sessions (max_connections) for 3 s" in text
    assert "warm-up" not in text  # the load test's warm-up and threads are not the storm's


def test_the_storms_command_names_only_what_the_storm_uses():
    command = bench.reproduce_command(STORM, ["inventories/lab"], "db1")
    assert '"mysql_bench_mode": "storm"' in command and '"mysql_bench_time"' in command
    assert "workloads" not in command and "threads" not in command and "compare" not in command


def test_a_containers_memory_cgroup_is_read_from_the_engines_host():
    from ansible_collections.local.mysql.plugins.module_utils.host import container_memory

    v1 = "/sys/fs/cgroup/memory/docker/abc"
    fs = FakeFs(
        {
            f"{v1}/memory.max_usage_in_bytes": "2146828288\n",
            f"{v1}/memory.limit_in_bytes": "4294967296\n",
            f"{v1}/memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
        }
    )
    assert container_memory(fs, "abc") == {
        "cgroup": v1,
        "peak": 2146828288,
        "limit": 4 * GIB,
        "oom_kills": 2,
        "reset_file": f"{v1}/memory.max_usage_in_bytes",
    }
    v2 = "/sys/fs/cgroup/system.slice/docker-abc.scope"
    fs = FakeFs({f"{v2}/memory.peak": "100\n", f"{v2}/memory.max": "max\n", f"{v2}/memory.events": "oom_kill 0\n"})
    assert container_memory(fs, "abc")["limit"] is None and container_memory(fs, "abc")["reset_file"] is None
    assert container_memory(FakeFs({}), "abc") is None


def test_the_report_names_the_disk_class_the_sizing_used():
    runs = [fixture_run("sysbench-1.0.20-bookworm-mariadb-10.11-oltp_join.txt", "as-is", 1, "oltp_join", 0)]
    overruled = {"memory": 4 * GIB, "cpus": 2, "disk": "ssd", "disk_reported": "hdd"}
    text = bench_page.markdown(bench.build_report(report_meta(host_facts=overruled), runs))
    assert "ssd disk (the device reports itself hdd; fio overruled it)" in text
    agreed = {"memory": 4 * GIB, "cpus": 2, "disk": "ssd", "disk_reported": "ssd"}
    text = bench_page.markdown(bench.build_report(report_meta(host_facts=agreed), runs))
    assert "2 CPUs, ssd disk\n" in text
