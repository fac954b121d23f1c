"""Bad input stops provision.yml in its pre-flight play, before any host is contacted.

The inventory names a host that does not exist: validation runs on the controller, so a
bad variable must fail there with its name in the message, and no connection may be tried.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ansible_collections.local.mysql.plugins.module_utils import inputs

ROOT = Path(__file__).parents[2]
PLAYBOOK_BIN = Path(sys.executable).parent / "ansible-playbook"


ONE_SERVER = (
    "all:\n  children:\n    mysql_servers:\n      hosts:\n"
    "        no-such-host:\n          ansible_connection: community.docker.docker\n"
)


def run_provision(
    tmp_path: Path, extra_vars: dict, playbook: str = "provision.yml", options: tuple = (), hosts: str = ONE_SERVER
) -> subprocess.CompletedProcess:
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(hosts)
    # No engine answers at this socket: the result is the same whether or not a lab engine runs.
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        DOCKER_HOST=f"unix://{tmp_path}/no-engine.sock",
    )
    return subprocess.run(
        [str(PLAYBOOK_BIN), "-i", str(inventory), str(ROOT / playbook), "-e", json.dumps(extra_vars), *options],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def contacted(output: str) -> bool:
    """Whether a task reached for the host (that does not exist)."""
    reached = ("No such container", "Cannot connect to the Docker daemon", "UNREACHABLE", "TASK [Gathering Facts]")
    return any(sign in output for sign in reached)


def failure_of(output: str) -> str:
    """The one message the failed task printed."""
    return next(line for line in output.splitlines() if line.startswith("[ERROR]: Task failed: "))[22:]


# a replica as the pre-flight sees one before its source is checked: reachable, with a password
REPLICA = {
    "mysql_replication_role": "replica",
    "mysql_replication_password": "lab-password",
    "mysql_replication_address": "198.18.0.5",
}


@pytest.mark.parametrize(
    ("extra_vars", "variable"),
    [
        ({"mysql_server_flavor": "percona"}, "mysql_server_flavor"),
        ({"mysql_server_flavor_preference": ["mariadb", "oracle"]}, "mysql_server_flavor_preference"),
        ({"mysql_server_users": "app:secret"}, "mysql_server_users"),
        ({"mysql_server_users": [{"name": "app"}]}, "mysql_server_users"),
        ({"mysql_server_users": [{"name": "app", "password": ""}]}, "mysql_server_users"),
        ({"mysql_server_users": [{"name": "app", "password": "x", "priv": "shop.*:SELCT"}]}, "mysql_server_users"),
        ({"mysql_server_users": [{"name": "app", "password": "x", "priv": "shop:SELECT"}]}, "mysql_server_users"),
        ({"mysql_server_bind_address": ["db.example"]}, "mysql_server_bind_address"),
        ({"mysql_server_bind_address": ["198.18.0.300"]}, "mysql_server_bind_address"),
        ({"mysql_server_bind_address": ["0.0.0.0", "127.0.0.1"]}, "mysql_server_bind_address"),
        ({"mysql_server_tls_min_version": "TLSv1.1"}, "mysql_server_tls_min_version"),
        (
            {"mysql_server_tls_cert": "/nonexistent/cert.pem", "mysql_server_tls_key": "/nonexistent/key.pem"},
            "mysql_server_tls_cert",
        ),
        ({"mysql_server_tls_key": "/etc/hostname"}, "mysql_server_tls_key"),
        (
            {
                "mysql_tune_max_connections": 100,
                "mysql_server_users": [
                    {"name": "app", "password": "x", "hosts": ["198.18.0.%", "198.18.1.%"], "max_user_connections": 50}
                ],
            },
            "mysql_server_users",
        ),
        ({"mysql_monitor_mysqld_exporter_listen": "9104"}, "mysql_monitor_mysqld_exporter_listen"),
        ({"mysql_monitor_node_exporter_listen": "127.0.0.1:99999"}, "mysql_monitor_node_exporter_listen"),
        ({"mysql_monitor_node_exporter_listen": "exporter host:9100"}, "mysql_monitor_node_exporter_listen"),
        ({"mysql_monitor_scrape_interval": "0s"}, "mysql_monitor_scrape_interval"),
        ({"mysql_monitor_scrape_interval": "-30s"}, "mysql_monitor_scrape_interval"),
        ({"mysql_monitor_scrape_interval": "often"}, "mysql_monitor_scrape_interval"),
        ({"mysql_monitor_prometheus_listen": "9090"}, "mysql_monitor_prometheus_listen"),
        ({"mysql_monitor_prometheus_retention": "forever"}, "mysql_monitor_prometheus_retention"),
        ({"mysql_monitor_alertmanagers": ["alertmanager"]}, "mysql_monitor_alertmanagers"),
        ({"mysql_monitor_exporter_connections": 0}, "mysql_monitor_exporter_connections"),
        ({"mysql_host_memory": "lots"}, "mysql_host_memory"),
        ({"mysql_host_memory": "100M"}, "mysql_host_memory"),
        ({"mysql_host_cpus": -2, "mysql_tune_max_connections": 0}, "mysql_host_cpus"),
        ({"mysql_host_disk": "tape"}, "mysql_host_disk"),
        ({"mysql_limits_nofile": 100}, "mysql_limits_nofile"),
        ({"mysql_limits_domains": []}, "mysql_limits_domains"),
        ({"mysql_io_runtime": 3600}, "mysql_io_runtime"),
        ({"mysql_io_size": "huge"}, "mysql_io_size"),
        ({"mysql_io_max_age_days": 0}, "mysql_io_max_age_days"),
        ({"mysql_io_iodepth": 1000}, "mysql_io_iodepth"),
        ({"mysql_io_numjobs": 0}, "mysql_io_numjobs"),
        ({"mysql_tune_buffer_pool_ratio": 0}, "mysql_tune_buffer_pool_ratio"),
        ({"mysql_tune_buffer_pool_ratio": 0.95}, "mysql_tune_buffer_pool_ratio"),
        ({"mysql_tune_buffer_pool_ratio": "half"}, "mysql_tune_buffer_pool_ratio"),
        ({"mysql_tune_profile": "huge"}, "mysql_tune_profile"),
        ({"mysql_tune_max_connections": 0}, "mysql_tune_max_connections"),
        ({"mysql_tune_long_query_time": -1}, "mysql_tune_long_query_time"),
        ({"mysql_tune_dropin_name": "../my.cnf"}, "mysql_tune_dropin_name"),
        ({"mysql_tune_overrides": {"Innodb-Buffer": 1}}, "mysql_tune_overrides"),
        ({"mysql_server_databases": [{"name": "app-db"}]}, "mysql_server_databases"),
        ({"mysql_server_databases": [{"name": "appdb", "state": "absent"}]}, "mysql_server_databases"),
        ({"mysql_server_databases": [{"name": "appdb", "state": "gone"}]}, "mysql_server_databases"),
        ({**REPLICA, "mysql_replication_source": "db9"}, "mysql_replication_source"),
        (REPLICA, "mysql_replication_source"),
        ({**REPLICA, "mysql_replication_password": ""}, "mysql_replication_password"),
        ({**REPLICA, "mysql_replication_address": ""}, "mysql_replication_address"),
        ({"mysql_replication_role": "leader"}, "mysql_replication_role"),
        ({"mysql_replication_server_id": 2**32}, "mysql_replication_server_id"),
        ({"mysql_raid_tool": "storcli64"}, "mysql_raid_tool"),
        ({"mysql_raid_learn_schedule": " "}, "mysql_raid_learn_schedule"),
        ({"mysql_raid_learn_schedule": "every full moon"}, "mysql_raid_learn_schedule"),
        ({"mysql_raid_manage": "sometimes"}, "mysql_raid_manage"),
        ({"mysql_raid_learn_hours": 100}, "mysql_raid_learn_hours"),
        ({"mysql_backup_keep": 0}, "mysql_backup_keep"),
        ({"mysql_backup_dir": "backups"}, "mysql_backup_dir"),
        ({"mysql_backup_window_hours": 0}, "mysql_backup_window_hours"),
        # the inventory has one host: a canary or batch of more is refused
        ({"mysql_rollout_canary": 0}, "mysql_rollout_canary"),
        ({"mysql_rollout_canary": 2}, "mysql_rollout_canary"),
        ({"mysql_rollout_batch": "0%"}, "mysql_rollout_batch"),
        ({"mysql_rollout_batch": "half"}, "mysql_rollout_batch"),
        ({"mysql_rollout_batch": 3}, "mysql_rollout_batch"),
    ],
)
def test_bad_input_fails_before_any_host_is_contacted(tmp_path, extra_vars, variable):
    result = run_provision(tmp_path, extra_vars)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Check every input" in output
    assert not contacted(output), "the play went past its pre-flight checks"
    assert "Provision, size and tune every host" not in output
    message = failure_of(output)
    assert message.startswith(variable), message
    # a rule between two inputs may name the other one as the way out
    between = {read for name, reads, _ in inputs.JOINT if name == variable for read in reads}
    others = set(re.findall(r"mysql_[a-z_]+", message)) - {variable} - between
    assert not others, f"the message names more than the variable that failed: {message}"


@pytest.mark.parametrize(
    ("extra_vars", "variable"),
    [
        ({"mysql_bench_threads": 5000}, "mysql_bench_threads"),
        ({"mysql_bench_p95_bound_ms": 0}, "mysql_bench_p95_bound_ms"),
        ({"mysql_bench_compare": ["stock", "fast"]}, "mysql_bench_compare"),
        ({"mysql_bench_compare": ["stock", "tuned"], "mysql_bench_rounds": 2}, "mysql_bench_rounds"),
        ({"mysql_bench_schema": "mysql"}, "mysql_bench_schema"),
        ({"mysql_bench_workloads": ["oltp_nonsense"]}, "mysql_bench_workloads"),
    ],
)
def test_bad_bench_input_fails_before_any_host_is_contacted(tmp_path, extra_vars, variable):
    result = run_provision(tmp_path, extra_vars, playbook="playbooks/bench.yml")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and not contacted(output)
    assert failure_of(output).startswith(variable), failure_of(output)


@pytest.mark.parametrize(
    ("role", "needs"),
    [
        ("mysql_host", ["mysql_server_facts"]),
        ("mysql_limits", ["mysql_server_facts"]),
        ("mysql_io", ["mysql_server_facts", "mysql_host_facts"]),
        ("mysql_tune", ["mysql_server_facts", "mysql_host_facts"]),
    ],
)
def test_a_role_run_alone_names_what_it_needs(tmp_path, role, needs):
    playbook = tmp_path / "alone.yml"
    playbook.write_text(f"- hosts: mysql_servers\n  gather_facts: false\n  roles: [{role}]\n")
    result = run_provision(tmp_path, {}, playbook=str(playbook))
    output = result.stdout + result.stderr
    assert result.returncode != 0 and not contacted(output)
    assert f"missing required arguments: {', '.join(sorted(needs))}" in output


def test_good_input_passes_the_preflight(tmp_path):
    result = run_provision(tmp_path, {"mysql_server_flavor": "mariadb"})
    output = result.stdout + result.stderr
    # The pre-flight passes; the next play is the first to reach for the (missing) host.
    after_preflight = output.partition("PLAY [Provision, size and tune every host")[2]
    assert after_preflight, output
    assert "fatal: [no-such-host]" in after_preflight and "Cannot connect to the Docker daemon" in after_preflight
    # the fleet report names the host and what stopped it
    report = json.loads((tmp_path / "fleet-report.json").read_text())
    assert report["hosts"]["no-such-host"]["outcome"] == "failed"
    assert "FLEET REPORT" in output


def test_a_refused_account_list_does_not_print_its_passwords(tmp_path):
    accounts = [{"name": "app", "password": "S3cret-PW-42"}, {"name": "app", "password": "S3cret-PW-42"}]
    result = run_provision(tmp_path, {"mysql_server_users": accounts})
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "mysql_server_users" in output
    assert "S3cret-PW-42" not in output


def test_check_mode_refuses_bad_input_the_same_way(tmp_path):
    result = run_provision(tmp_path, {"mysql_io_numjobs": 64}, options=("--check", "--diff"))
    output = result.stdout + result.stderr
    assert result.returncode != 0 and not contacted(output)
    assert failure_of(output) == "mysql_io_numjobs=64: must be a whole number in 1..16"


# A monitoring host and a database host whose exporters listen on loopback (the default) unless set.
WITH_MONITOR = ONE_SERVER + (
    "    monitoring:\n      hosts:\n        no-such-monitor:\n          ansible_connection: community.docker.docker\n"
)


@pytest.mark.parametrize(
    ("extra_vars", "variable"),
    [
        ({"mysql_monitor_node_exporter_listen": "198.18.0.11:9100"}, "mysql_monitor_mysqld_exporter_listen"),
        ({"mysql_monitor_mysqld_exporter_listen": "198.18.0.11:9104"}, "mysql_monitor_node_exporter_listen"),
        (
            {
                "mysql_monitor_mysqld_exporter_listen": "198.18.0.11:9104",
                "mysql_monitor_node_exporter_listen": "0.0.0.0:9100",
                "mysql_monitor_scrape_interval": "0s",
            },
            "mysql_monitor_scrape_interval",
        ),
    ],
)
def test_a_monitoring_host_that_cannot_scrape_stops_the_run_before_any_host(tmp_path, extra_vars, variable):
    result = run_provision(tmp_path, extra_vars, hosts=WITH_MONITOR)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and not contacted(output)
    assert "Provision, size and tune every host" not in output
    message = failure_of(output)
    assert message.startswith(variable), message
