"""scripts/mysql-sizing: the same numbers as the module, as a table or JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ansible_collections.local.mysql.plugins.module_utils.sizing import GIB, Inputs, plan

SCRIPT = Path(__file__).parents[2] / "scripts" / "mysql-sizing"
SEED_004 = ["--memory", "32G", "--cpus", "16", "--disk", "ssd", "--flavor", "mysql", "--version", "9.7"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_json_is_keyed_by_server_variables_and_matches_the_module():
    result = run(*SEED_004, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    expected = plan(Inputs(memory=32 * GIB, cpus=16, disk="ssd", flavor="mysql", version="9.7")).variables()
    for name, value in expected.items():
        assert data[name] == value, name
    assert data["peak_memory"] <= 0.9 * data["memory_budget"]
    assert data["inputs"]["cpus"] == 16


def test_table_shows_each_value_with_its_formula():
    result = run(*SEED_004, "--iops", "9000")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "innodb_buffer_pool_instances" in lines and " 16 " in lines["innodb_buffer_pool_instances"]
    assert "iops=9000" in lines["innodb_io_capacity"]
    assert "worst-case peak" in result.stdout


def test_impossible_request_exits_2_with_advice():
    result = run("--memory", "4G", "--cpus", "2", "--disk", "ssd", "--flavor", "mysql", "--version", "9.7",
                 "--connections", "1500")  # fmt: skip
    assert result.returncode == 2
    assert "does not fit" in result.stderr and "max_connections" in result.stderr
