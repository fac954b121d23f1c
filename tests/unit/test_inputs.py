"""The accepted ranges of the roles' inputs: one message per input, naming it first and alone."""

from __future__ import annotations

import re

from ansible_collections.local.mysql.plugins.module_utils import inputs, overrides
from hypothesis import given
from hypothesis import strategies as st

WHOLE_RANGES = {
    "mysql_host_cpus": (0, 4096),
    "mysql_limits_nofile": (1024, 1048576),
    "mysql_io_max_age_days": (1, 3650),
    "mysql_io_runtime": (5, 600),
    "mysql_io_iodepth": (1, 256),
    "mysql_io_numjobs": (1, 16),
    "mysql_bench_max_threads": (1, 4096),
    "mysql_bench_rounds": (1, 100),
}


@given(st.sampled_from(sorted(WHOLE_RANGES)), st.integers(min_value=-(10**7), max_value=10**7))
def test_a_whole_number_is_accepted_exactly_inside_its_range(name, value):
    low, high = WHOLE_RANGES[name]
    problem = inputs.error(name, value)
    assert (problem is None) == (low <= value <= high)
    if problem:
        assert problem.startswith(f"{name}={value!r}: must be ")
        assert f"{low}..{high}" in problem


def test_zero_bench_threads_means_the_scenarios_and_the_range_holds_otherwise():
    assert inputs.error("mysql_bench_threads", 0) is None
    assert inputs.error("mysql_bench_threads", 4096) is None
    assert "0 or a whole number in 1..4096" in inputs.error("mysql_bench_threads", 4097)


@given(st.sampled_from(sorted(WHOLE_RANGES)), st.sampled_from([True, "ten", 2.5, None]))
def test_what_is_not_a_whole_number_is_refused(name, value):
    assert inputs.error(name, value).startswith(name)


def test_sizes_accept_their_empty_word_and_refuse_outside_the_range():
    assert inputs.error("mysql_host_memory", "") is None
    assert inputs.error("mysql_host_memory", "256M") is None
    assert "256M" in inputs.error("mysql_host_memory", "255M")
    assert inputs.error("mysql_io_size", "auto") is None
    assert inputs.error("mysql_io_size", "64G") is None
    assert "64G" in inputs.error("mysql_io_size", "65G")
    assert inputs.error("mysql_io_size", "lots").startswith("mysql_io_size='lots': must be 'auto' or a size")


def test_paths_must_be_absolute():
    assert inputs.error("mysql_raid_tool", "auto") is None
    assert inputs.error("mysql_raid_tool", "/opt/MegaRAID/storcli/storcli64") is None
    assert "absolute path" in inputs.error("mysql_raid_tool", "storcli64")


def test_account_lists_never_print_their_passwords():
    users = [{"name": "app", "password": "S3cret", "hosts": ["localhost"]}] * 2
    problem = inputs.error("mysql_server_users", users)
    assert problem.startswith("mysql_server_users: ") and "app@localhost" in problem
    assert "S3cret" not in problem
    two_hosts = [
        {"name": "app", "password": "x", "hosts": ["%"]},
        {"name": "app", "password": "y", "hosts": ["localhost"]},
    ]
    assert inputs.error("mysql_server_users", two_hosts) is None


def test_rules_between_inputs_name_one_variable():
    storm = {"mysql_bench_mode": "storm", "mysql_bench_compare": ["stock"], "mysql_bench_rounds": 3}
    assert [problem.split("=")[0] for problem in inputs.errors(storm)] == ["mysql_bench_compare"]
    compare = {"mysql_bench_mode": "load", "mysql_bench_compare": ["stock", "tuned"], "mysql_bench_rounds": 2}
    assert [problem.split("=")[0] for problem in inputs.errors(compare)] == ["mysql_bench_rounds"]
    assert inputs.errors({**compare, "mysql_bench_rounds": 3}) == []


def test_every_message_names_only_its_variable():
    bad = {
        "mysql_host_cpus": -1,
        "mysql_tune_long_query_time": 7200,
        "mysql_tune_dropin_name": "my.conf",
        "mysql_tune_overrides": {"Not A Name": 1},
        "mysql_limits_domains": [],
        "mysql_bench_schema": "sys",
    }
    problems = inputs.errors(bad)
    assert len(problems) == len(bad)
    for name, problem in zip(bad, problems, strict=True):
        assert problem.startswith(name) and set(re.findall(r"mysql_[a-z_]+", problem)) == {name}


def test_spec_words_say_type_and_choices():
    assert inputs.spec_words({"type": "float"}) == "a number"
    assert inputs.spec_words({"type": "str", "choices": ["auto", "hdd"]}) == "one of auto, hdd"
    assert inputs.spec_words({"type": "list", "elements": "str", "choices": ["a", "b"]}) == "a list, each one of a, b"
    assert inputs.spec_words({"type": "list", "elements": "dict"}) == "a list, each a mapping"


def test_exporter_addresses_and_scrape_intervals():
    for good in ("127.0.0.1:9104", "[::1]:9100", "db1.example:9104", "198.18.0.11:9100"):
        assert inputs.error("mysql_monitor_mysqld_exporter_listen", good) is None, good
    for bad in ("9104", ":9104", "127.0.0.1:", "127.0.0.1:0", "host name:9100", "[::1:9100"):
        assert "host:port" in inputs.error("mysql_monitor_mysqld_exporter_listen", bad), bad
    for good in ("15s", "1m", "1h30m", "500ms"):
        assert inputs.error("mysql_monitor_scrape_interval", good) is None, good
    for bad in ("0s", "-1m", "30", "soon", "0m0s"):
        assert "positive duration" in inputs.error("mysql_monitor_scrape_interval", bad), bad


def test_pools_count_the_exporter_when_monitoring_is_on():
    users = [{"name": "app", "password": "x", "hosts": ["198.18.0.%"], "max_user_connections": 88}]
    values = {"mysql_server_users": users, "mysql_tune_max_connections": 100, "mysql_monitor_exporter_connections": 3}
    assert inputs.errors({**values, "mysql_monitor_enabled": False}) == []
    assert inputs.errors({**values, "mysql_monitor_enabled": True})[0].startswith("mysql_server_users: ")


def test_overrides_of_what_the_toolkit_owns_are_refused_naming_the_owner():
    problem = inputs.error(
        "mysql_tune_overrides", {"innodb_io_capacity": 800, "datadir": "/tmp/../etc", "port": "three"}
    )
    assert problem.startswith("mysql_tune_overrides=")
    assert "datadir (not through overrides:" in problem and "port (not through overrides:" in problem
    assert "innodb_io_capacity (" not in problem, "a sized value may be overridden"
    assert "socket (not through overrides" in inputs.error("mysql_tune_overrides", {"socket": "/tmp/elsewhere.sock"})
    assert "server_id (mysql_replication_server_id)" in inputs.error("mysql_tune_overrides", {"server_id": 7})
    # counted in the peak by mysql_tune_performance_schema, which an override would bypass
    assert "performance_schema (mysql_tune_performance_schema)" in inputs.error(
        "mysql_tune_overrides", {"performance_schema": "ON"}
    )
    assert "bind_address (mysql_server_bind_address)" in inputs.error(
        "mysql_tune_overrides", {"bind_address": "0.0.0.0"}
    )
    assert inputs.error("mysql_tune_overrides", {"innodb_io_capacity": 800, "long_query_time": 2}) is None


@given(
    st.dictionaries(
        st.sampled_from([*sorted(overrides.OWNERS), "innodb_io_capacity", "sort_buffer_size"]), st.integers()
    )
)
def test_an_override_map_is_refused_exactly_when_it_names_an_owned_setting(given_overrides):
    problem = inputs.error("mysql_tune_overrides", given_overrides)
    assert (problem is not None) == any(name in overrides.OWNERS for name in given_overrides)
