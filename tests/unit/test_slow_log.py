"""The slow log's size-bounded rotation (local.mysql.plugins.module_utils.slow_log) and its place
in the sizing plan."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.sizes import GIB, MIB
from ansible_collections.local.mysql.plugins.module_utils.sizing import Inputs, plan
from ansible_collections.local.mysql.plugins.module_utils.slow_log import (
    READER_DIR,
    SLOW_LOG_CEILING,
    SLOW_LOG_FLOOR,
    read_by_report,
    reader_tool,
    slow_log_reader,
    slow_log_rotation,
)
from hypothesis import given
from hypothesis import strategies as st

LOG = "/var/log/mysql/slow/mariadb-slow.log"
SIZES = st.integers(min_value=0, max_value=64 * 1024 * GIB)


def test_a_ten_gib_file_system_gives_the_slow_log_two_percent():
    rotation = slow_log_rotation(LOG, 10 * GIB)
    # 2 % of 10 GiB is 204.8 MiB: five files of 40 MiB (whole MiB)
    assert rotation["max_size"] == 40 * MIB
    assert rotation["keep"] == 4
    assert rotation["bound"] == 200 * MIB
    assert rotation["file"] == LOG
    assert "2% of the log directory's 10G file system" in rotation["reason"]


def test_a_large_file_system_stops_at_the_ceiling():
    assert slow_log_rotation(LOG, 4096 * GIB)["bound"] <= SLOW_LOG_CEILING


def test_a_small_file_system_keeps_the_floor_within_a_tenth_of_it():
    # 2 % of 1 GiB is below the 64 MiB floor: five files of 12 MiB
    assert slow_log_rotation(LOG, 1 * GIB)["max_size"] == 12 * MIB
    small = slow_log_rotation(LOG, 200 * MIB)
    assert small["bound"] <= 20 * MIB


def test_an_unknown_file_system_gets_the_floor_and_says_why():
    rotation = slow_log_rotation(LOG, None)
    assert rotation["max_size"] == SLOW_LOG_FLOOR // 5 // MIB * MIB
    assert "unknown" in rotation["reason"]


@given(SIZES)
def test_the_bound_holds_the_live_file_and_the_kept_ones(size):
    rotation = slow_log_rotation(LOG, size)
    assert rotation["max_size"] >= MIB and rotation["max_size"] % MIB == 0
    assert rotation["bound"] == rotation["max_size"] * (rotation["keep"] + 1)
    assert rotation["bound"] <= SLOW_LOG_CEILING
    if size >= 50 * MIB:
        # never more than a tenth of the file system it can fill
        assert rotation["bound"] <= size // 10


@given(SIZES, SIZES)
def test_a_larger_file_system_never_shrinks_the_bound(one, other):
    small, large = sorted((one, other))
    assert slow_log_rotation(LOG, small)["bound"] <= slow_log_rotation(LOG, large)["bound"]


def test_the_plan_explains_the_rotation_beside_the_slow_log_file():
    result = plan(
        Inputs(
            memory=4 * GIB,
            cpus=2,
            disk="ssd",
            flavor="mariadb",
            version="11.8.6",
            slow_query_log_file=LOG,
            log_dir_size=10 * GIB,
        )
    )
    fact = result.to_fact({})
    # MariaDB as shipped: performance_schema off, so the query report reads the slow log
    assert fact["slow_log"] == {**slow_log_rotation(LOG, 10 * GIB), "reader": slow_log_reader("mariadb", {})}
    assert fact["slow_log"]["reader"]["state"] == "present"
    assert fact["variables"]["slow_query_log_file"] == LOG
    explain = fact["explain"]["slow_query_log_file"]
    assert "rotated by size" in explain["formula"]
    assert explain["inputs"] == {"max_size": "40M", "keep": 4}


def test_the_report_reads_the_slow_log_only_where_performance_schema_is_off():
    assert read_by_report("mariadb", {}) is True
    assert read_by_report("mysql", {}) is False
    assert read_by_report("mariadb", {"performance_schema": "ON"}) is False
    assert read_by_report("mysql", {"performance_schema": "OFF"}) is True
    assert read_by_report("mysql", {"performance_schema": 0}) is True


def test_mysql_tune_performance_schema_on_keeps_the_reader_away():
    inputs = dict(memory=4 * GIB, cpus=2, disk="ssd", flavor="mariadb", version="11.8.6", slow_query_log_file=LOG)
    assert plan(Inputs(**inputs)).to_fact({})["slow_log"]["reader"]["state"] == "present"
    on = plan(Inputs(**inputs, performance_schema="on")).to_fact({})
    assert on["slow_log"]["reader"]["state"] == "absent"
    assert (
        on["slow_log"]["reader"]["tool"] == reader_tool(READER_DIR)
        and "performance_schema is on" in (on["slow_log"]["reader"]["reason"])
    )
