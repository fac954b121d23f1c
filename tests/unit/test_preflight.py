"""Bad input stops provision.yml in its pre-flight play, before any host is contacted.

The inventory names a host that does not exist: validation runs on the controller, so a
bad variable must fail there with its name in the message, and no connection may be tried.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PLAYBOOK_BIN = Path(sys.executable).parent / "ansible-playbook"


def run_provision(tmp_path: Path, extra_vars: dict) -> subprocess.CompletedProcess:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        "all:\n  children:\n    mysql_servers:\n      hosts:\n"
        "        no-such-host:\n          ansible_connection: community.docker.docker\n"
    )
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    return subprocess.run(
        [str(PLAYBOOK_BIN), "-i", str(inventory), str(ROOT / "provision.yml"), "-e", json.dumps(extra_vars)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("extra_vars", "variable"),
    [
        ({"mysql_server_flavor": "percona"}, "mysql_server_flavor"),
        ({"mysql_server_flavor_preference": ["mariadb", "oracle"]}, "mysql_server_flavor_preference"),
        ({"mysql_server_users": "app:secret"}, "mysql_server_users"),
        ({"mysql_server_users": [{"name": "app"}]}, "password"),
        ({"mysql_host_memory": "lots"}, "mysql_host_memory"),
        ({"mysql_host_memory": "100M"}, "mysql_host_memory"),
        ({"mysql_host_disk": "tape"}, "mysql_host_disk"),
        ({"mysql_tune_buffer_pool_ratio": 0}, "mysql_tune_buffer_pool_ratio"),
        ({"mysql_tune_buffer_pool_ratio": 0.95}, "mysql_tune_buffer_pool_ratio"),
        ({"mysql_tune_buffer_pool_ratio": "half"}, "mysql_tune_buffer_pool_ratio"),
        ({"mysql_tune_profile": "huge"}, "mysql_tune_profile"),
        ({"mysql_tune_max_connections": 0}, "mysql_tune_max_connections"),
        ({"mysql_limits_nofile": 100}, "mysql_limits_nofile"),
        ({"mysql_io_runtime": 3600}, "mysql_io_runtime"),
        ({"mysql_io_size": "huge"}, "mysql_io_size"),
        ({"mysql_raid_tool": "storcli64"}, "mysql_raid_tool"),
        ({"mysql_raid_learn_schedule": " "}, "mysql_raid_learn_schedule"),
    ],
)
def test_bad_input_fails_before_any_host_is_contacted(tmp_path, extra_vars, variable):
    result = run_provision(tmp_path, extra_vars)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert variable in output
    assert "Check every input" in output
    assert "UNREACHABLE" not in output, "the play went past its pre-flight checks"
    assert "Provision, size and tune the server" not in output


def test_good_input_passes_the_preflight(tmp_path):
    result = run_provision(tmp_path, {"mysql_server_flavor": "mariadb"})
    output = result.stdout + result.stderr
    # The pre-flight passes; the next play is the first to reach for the (missing) host.
    assert "Provision, size and tune the server" in output
    assert "UNREACHABLE" in output


def test_a_refused_account_list_does_not_print_its_passwords(tmp_path):
    accounts = [{"name": "app", "password": "S3cret-PW-42"}, {"name": "app", "password": "S3cret-PW-42"}]
    result = run_provision(tmp_path, {"mysql_server_users": accounts})
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "mysql_server_users" in output
    assert "S3cret-PW-42" not in output
