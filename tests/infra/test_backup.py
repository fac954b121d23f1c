"""Backups run as recorded (issue 27): the timer, the target, the account's least privilege, the
client file, and every good backup's files as its manifest says. Runs where the fact file
records backups; elsewhere nothing of them may be installed."""

from __future__ import annotations

import json

import pytest
from conftest import recorded_section

RULES = "/usr/local/lib/mysql-backup"
CLIENT_FILE = "/etc/mysql/toolkit-backup.cnf"


@pytest.fixture
def intent(facts):
    return recorded_section(facts, "backup", "backups were never enabled on this host")


def test_hosts_without_backups_have_no_timer(host, host_vars):
    if host_vars.get("mysql_backup_enabled", False):
        pytest.skip("backups are on here")
    assert not host.file("/etc/systemd/system/mysql-backup.timer").exists
    assert not host.file("/usr/local/sbin/mysql-backup").exists


def test_the_timer_runs_on_the_recorded_schedule(host, intent):
    timer = host.service("mysql-backup.timer")
    assert timer.is_enabled and timer.is_running
    calendar = host.check_output("systemctl show --property TimersCalendar --value mysql-backup.timer")
    normalized = host.check_output("systemd-analyze calendar %s | sed -n 's/^Normalized form: //p'", intent["schedule"])
    assert f"OnCalendar={normalized} " in calendar
    service = host.file("/etc/systemd/system/mysql-backup.service").content_string
    assert f" --target {intent['dir']} " in service and f" --keep {int(intent['keep'])} " in service


def test_the_target_and_client_file_are_closed_to_others(host, intent):
    target = host.file(intent["dir"])
    assert target.is_directory and target.user == "root" and target.group == "mysql" and target.mode == 0o750
    client = host.file(CLIENT_FILE)
    assert client.user == "root" and client.mode == 0o600
    assert f"user={intent['user']}\n" in client.content_string


def test_the_account_has_exactly_its_flavors_privileges(server, intent):
    grants = [row[0] for row in server.query(f"SHOW GRANTS FOR '{intent['user']}'@'localhost'")]
    held = set()
    for grant in grants:
        privileges, _, rest = grant.removeprefix("GRANT ").partition(" ON ")
        assert rest.startswith("*.* TO "), f"a grant beyond *.*: {grant}"
        held |= {privilege.strip() for privilege in privileges.split(",")} - {"USAGE"}
    wanted = {privilege for part in intent["privileges"].split("/") for privilege in part.split(":", 1)[1].split(",")}
    assert held == wanted
    hosts = server.query(f"SELECT Host FROM mysql.user WHERE User = '{intent['user']}'")
    assert hosts == [["localhost"]]


def test_mysql_runs_with_the_clone_plugin(server, intent):
    if server.flavor != "mysql":
        pytest.skip("MariaDB backs up with mariadb-backup")
    assert server.scalar("SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'clone'") == "ACTIVE"


def test_every_good_backup_holds_the_files_its_manifest_counts(host, intent):
    check = (
        f"import json, os, sys; sys.path.insert(0, '{RULES}'); import backup; "
        f"found = backup.read_catalog({intent['dir']!r}); "
        "print(json.dumps([(m, backup.tree_digest(os.path.join("
        f"{intent['dir']!r}, m['name'], backup.DATA))) for m in found['good']] + [found['incomplete']]))"
    )
    *pairs, _incomplete = json.loads(host.check_output("python3 -c %s", check))
    assert len(pairs) <= int(intent["keep"])
    for manifest, (sha256, size, files) in pairs:
        assert (manifest["sha256"], manifest["bytes"], manifest["files"]) == (sha256, size, files), manifest["name"]


def test_the_backup_metrics_say_what_the_target_holds(host, intent, host_vars):
    if not host_vars.get("mysql_monitor_enabled", True):
        pytest.skip("no node exporter here: the backups write no metrics")
    check = (
        f"import json, sys; sys.path.insert(0, '{RULES}'); import backup; "
        f"print(json.dumps(backup.read_catalog({intent['dir']!r})['good']))"
    )
    good = json.loads(host.check_output("python3 -c %s", check))
    metrics = host.file("/var/lib/prometheus/node-exporter/mysql_backup.prom")
    if not good and not metrics.exists:
        pytest.skip("no backup has run here yet")
    values = dict(line.split(" ") for line in metrics.content_string.splitlines() if not line.startswith("#"))
    assert int(values["mysql_toolkit_backup_good"]) == len(good)
    assert int(values["mysql_toolkit_backup_last_good_bytes"]) == (good[-1]["bytes"] if good else 0)
