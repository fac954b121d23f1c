"""The bench_config module on a temporary configuration directory: each configuration's files, from any state."""

from __future__ import annotations

import stat

import pytest
from ansible_collections.local.mysql.plugins.module_utils import rivals
from module_runner import run_module

TUNED = "[mysqld]\ninnodb_buffer_pool_size = 2G\n"
ACCESS = {"bind_address": "198.18.0.2", "require_secure_transport": "ON"}
RIVALS = {name: rivals.dropin(name, 4 << 30, 2, ACCESS) for name in ("stock", "tuned", "dedicated", "dedicated-budget")}


def confdir(tmp_path, dropin=True, aside=None, dedicated=False) -> dict:
    """The module's path arguments, with the drop-in, its aside copy and the dedicated drop-in as asked."""
    directory = tmp_path / "conf.d"
    directory.mkdir(exist_ok=True)
    args = {
        "dropin": str(directory / "zz-mysql-tuning.cnf"),
        "aside": str(directory / "zz-mysql-tuning.cnf.bench-aside"),
        "dedicated": str(directory / "zz-mysql-bench-dedicated.cnf"),
    }
    if dropin:
        (directory / "zz-mysql-tuning.cnf").write_text(TUNED)
    if aside is not None:
        (directory / "zz-mysql-tuning.cnf.bench-aside").write_text(aside)
    if dedicated:
        (directory / "zz-mysql-bench-dedicated.cnf").write_text(RIVALS["dedicated"])
    return args


def files(tmp_path) -> dict:
    return {path.name: path.read_text() for path in sorted((tmp_path / "conf.d").iterdir())}


def test_stock_moves_the_drop_in_aside_keeping_its_content(tmp_path):
    args = confdir(tmp_path)
    result = run_module("bench_config", tmp_path, {**args, "configuration": "stock"})
    assert result["changed"] is True and result["actions"] == ["move drop-in aside"]
    assert files(tmp_path) == {"zz-mysql-tuning.cnf.bench-aside": TUNED}


def test_stock_keeps_the_hosts_access_settings_in_a_drop_in_of_its_own(tmp_path):
    args = confdir(tmp_path)
    result = run_module("bench_config", tmp_path, {**args, "configuration": "stock", "content": RIVALS["stock"]})
    assert result["actions"] == ["move drop-in aside", "write rival drop-in"]
    written = files(tmp_path)["zz-mysql-bench-dedicated.cnf"]
    assert [line for line in written.splitlines() if " = " in line and line[0] != "#"] == [
        "bind_address = 198.18.0.2",
        "require_secure_transport = ON",
    ]


def test_dedicated_writes_a_drop_in_with_the_access_settings_and_innodb_dedicated_server(tmp_path):
    args = confdir(tmp_path)
    result = run_module(
        "bench_config", tmp_path, {**args, "configuration": "dedicated", "content": RIVALS["dedicated"]}
    )
    assert result["actions"] == ["move drop-in aside", "write rival drop-in"]
    written = files(tmp_path)["zz-mysql-bench-dedicated.cnf"]
    settings = [line for line in written.splitlines() if line and not line.startswith(("#", "["))]
    assert settings == ["bind_address = 198.18.0.2", "require_secure_transport = ON", "innodb_dedicated_server = ON"]
    assert stat.S_IMODE((tmp_path / "conf.d/zz-mysql-bench-dedicated.cnf").stat().st_mode) == 0o644


def test_tuned_after_dedicated_restores_the_drop_in_and_removes_the_dedicated_one(tmp_path):
    args = confdir(tmp_path, dropin=False, aside=TUNED, dedicated=True)
    result = run_module("bench_config", tmp_path, {**args, "configuration": "tuned"})
    assert result["actions"] == ["move drop-in back", "remove rival drop-in"]
    assert files(tmp_path) == {"zz-mysql-tuning.cnf": TUNED}


def test_dedicated_budget_replaces_the_dedicated_drop_in_with_the_formulas_on_the_budget(tmp_path):
    args = confdir(tmp_path, dropin=False, aside=TUNED, dedicated=True)
    wanted = RIVALS["dedicated-budget"]
    result = run_module("bench_config", tmp_path, {**args, "configuration": "dedicated-budget", "content": wanted})
    assert result["actions"] == ["write rival drop-in"]
    settings = [line for line in files(tmp_path)["zz-mysql-bench-dedicated.cnf"].splitlines() if " = " in line]
    # 4 GiB and 2 CPUs: half the memory for the pool, one GiB of redo
    assert settings[2:] == ["innodb_buffer_pool_size = 2147483648", "innodb_redo_log_capacity = 1073741824"]


def test_a_drop_in_in_place_wins_over_a_stale_aside_copy(tmp_path):
    args = confdir(tmp_path, aside="[mysqld]\n# an older provision's\n")
    result = run_module("bench_config", tmp_path, {**args, "configuration": "tuned"})
    assert result["actions"] == ["remove stale aside copy"]
    assert files(tmp_path) == {"zz-mysql-tuning.cnf": TUNED}


@pytest.mark.parametrize("configuration", ["stock", "tuned", "dedicated", "dedicated-budget"])
def test_a_second_run_changes_nothing(tmp_path, configuration):
    args = {**confdir(tmp_path), "configuration": configuration, "content": RIVALS[configuration]}
    run_module("bench_config", tmp_path, args)
    reached = files(tmp_path)
    again = run_module("bench_config", tmp_path, args)
    assert again["changed"] is False and again["actions"] == []
    assert files(tmp_path) == reached


@pytest.mark.parametrize(
    ("configuration", "state"),
    [("stock", {}), ("dedicated", {}), ("tuned", {"dropin": False, "aside": TUNED, "dedicated": True})],
)
def test_check_mode_says_what_it_would_do_and_touches_no_file(tmp_path, configuration, state):
    args = {**confdir(tmp_path, **state), "configuration": configuration, "content": RIVALS[configuration]}
    before = files(tmp_path)
    result = run_module("bench_config", tmp_path, args, check=True)
    assert files(tmp_path) == before
    done = run_module("bench_config", tmp_path, args)
    assert result["changed"] is True and result["actions"] == done["actions"]
    assert files(tmp_path) != before


def test_an_unknown_configuration_is_refused(tmp_path):
    args = confdir(tmp_path)
    result = run_module("bench_config", tmp_path, {**args, "configuration": "fast"})
    assert result["failed"] is True and "configuration" in result["msg"] and "stock, tuned, dedicated" in result["msg"]
    assert files(tmp_path) == {"zz-mysql-tuning.cnf": TUNED}
