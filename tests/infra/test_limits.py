"""The running server really gets the open-files limit (issue 4)."""

from __future__ import annotations

import re


def target(facts) -> int:
    return facts["sizing"]["inputs"]["open_files"]


def test_running_server_process_has_the_limit(server, facts):
    limits = server.host.file(f"/proc/{server.main_pid()}/limits").content_string
    soft, hard = re.search(r"^Max open files\s+(\d+)\s+(\d+)", limits, re.MULTILINE).groups()
    assert int(soft) == target(facts)
    assert int(hard) == target(facts)


def test_server_open_files_limit_covers_what_it_asks_for(server, facts):
    live = int(server.scalar("SELECT @@open_files_limit"))
    connections = int(server.scalar("SELECT @@max_connections"))
    table_cache = int(server.scalar("SELECT @@table_open_cache"))
    needed = max(10 + connections + 2 * table_cache, 5 * connections)
    assert live >= needed
    assert live == target(facts)


def test_unit_overrides_the_shipped_limit(server, facts):
    value = server.host.check_output("systemctl show --property LimitNOFILE --value %s", server.service.name)
    assert int(value) == target(facts)
    dropins = server.host.check_output("systemctl show --property DropInPaths --value %s", server.service.name)
    assert "mysql-tuning-limits" in dropins


def test_login_shell_of_the_server_user_gets_the_limit(server, facts):
    # The server account has no shell and (on Debian's MySQL) an expired password, which su
    # refuses; runuser opens a PAM session (pam_limits) without the account check.
    soft, hard = server.host.check_output("runuser -u mysql -- /bin/bash --login -c 'ulimit -n; ulimit -Hn'").split()
    assert int(soft) == target(facts)
    assert int(hard) == target(facts)


def test_limits_file_names_every_domain(server, facts):
    text = server.host.file("/etc/security/limits.d/90-mysql-tuning.conf").content_string
    entries = {tuple(line.split()[:4]) for line in text.splitlines() if line and line[0] != "#"}
    for domain in ("*", "mysql"):
        for kind in ("soft", "hard"):
            assert (domain, kind, "nofile", str(target(facts))) in entries
