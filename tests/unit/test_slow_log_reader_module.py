"""The slow_log_reader module with stand-in apt-get, dpkg-deb and perl playing a Debian host whose
percona-toolkit depends on Perl's MySQL driver: only the package itself is fetched and unpacked."""

from __future__ import annotations

import sys

from module_runner import run_module
from test_sysbench_client_module import calls, debian_host

PACKAGES = {
    "percona-toolkit": {"depends": "perl:any, libdbi-perl, libdbd-mysql-perl", "files": ["usr/bin/pt-query-digest"]},
    "libdbd-mysql-perl": {"depends": "libmariadb3", "files": ["usr/lib/x86_64-linux-gnu/perl5/DBD/mysql.pm"]},
}
PERL = f"""#!{sys.executable}
# perl's stand-in: runs a script that exists, says its version
import os, sys
script = sys.argv[1]
sys.exit(print("pt-query-digest 3.7.1") if os.path.exists(script) else "Can't open perl script " + script)
"""


def host(tmp_path):
    given = debian_host(tmp_path, PACKAGES, tools=("apt-get", "dpkg-deb", "dpkg-query"))
    perl = tmp_path / "bin" / "perl"
    perl.write_text(PERL)
    perl.chmod(0o755)
    return given


def test_only_the_package_is_unpacked_and_its_drivers_left_alone(tmp_path):
    reader = tmp_path / "reader"
    result = run_module("slow_log_reader", tmp_path, {"path": str(reader)}, **host(tmp_path))
    assert result["changed"] and result["version"] == "pt-query-digest 3.7.1", result
    assert result["tool"] == f"{reader}/root/usr/bin/pt-query-digest"
    assert [call["args"] for call in calls(tmp_path, "apt-get")] == [["download", "percona-toolkit"]]
    assert not calls(tmp_path, "dpkg-query"), "no dependency is looked for"
    assert not (reader / "debs").exists() and (reader.stat().st_mode & 0o777) == 0o700


def test_a_second_run_changes_nothing_and_absent_removes_it(tmp_path):
    reader = str(tmp_path / "reader")
    first = run_module("slow_log_reader", tmp_path, {"path": reader}, **host(tmp_path))
    again = run_module("slow_log_reader", tmp_path, {"path": reader}, **host(tmp_path))
    assert first["changed"] and not again["changed"]
    assert len(calls(tmp_path, "apt-get")) == 1
    checked = run_module("slow_log_reader", tmp_path, {"path": reader, "state": "absent"}, check=True)
    assert checked["changed"] and (tmp_path / "reader").exists()
    removed = run_module("slow_log_reader", tmp_path, {"path": reader, "state": "absent"})
    assert removed["changed"] and not (tmp_path / "reader").exists()


def test_check_mode_unpacks_nothing(tmp_path):
    reader = tmp_path / "reader"
    result = run_module("slow_log_reader", tmp_path, {"path": str(reader)}, check=True, **host(tmp_path))
    assert result["changed"] and not reader.exists() and not calls(tmp_path)


def test_a_package_the_archive_lacks_fails_naming_it(tmp_path):
    args = {"path": str(tmp_path / "reader"), "package": "percona-toolkit-missing"}
    result = run_module("slow_log_reader", tmp_path, args, **host(tmp_path))
    assert result.get("failed") and "percona-toolkit-missing" in result["msg"]
