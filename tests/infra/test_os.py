"""The kernel and disk settings as mysql_os recorded them (issue 28): its files on the host, and
the live values wherever the host lets the toolkit set them. In the lab's containers /proc/sys
and /sys are read-only: the files are there, the live values are the machine's."""

from __future__ import annotations

import pytest
from conftest import recorded_section

HEADER = "# Managed by the MySQL tuning toolkit (mysql_os)"
SYSCTL_FILE = "/etc/sysctl.d/60-mysql-toolkit.conf"
THP_UNIT = "mysql-toolkit-thp.service"


@pytest.fixture
def intent(facts):
    return recorded_section(facts, "os", "mysql_os never ran here")


def test_every_recorded_file_is_the_toolkits_and_closed_to_writes(host, intent):
    assert intent["files"], "a Linux host always gets at least the sysctl drop-in"
    for path in intent["files"]:
        written = host.file(path)
        assert written.exists and written.user == "root" and written.mode == 0o644, path
        assert written.content_string.startswith(HEADER), path


def test_the_sysctl_drop_in_pins_what_was_decided(host, intent):
    pinned = {
        name: item["wanted"]
        for name, item in intent["settings"].items()
        if name.startswith(("vm.", "fs.", "net.")) and item["wanted"] is not None
    }
    lines = dict(line.split(" = ") for line in host.file(SYSCTL_FILE).content_string.splitlines() if " = " in line)
    assert {name: int(value) for name, value in lines.items()} == pinned
    assert pinned["vm.swappiness"] == 1


def test_live_values_hold_where_the_host_lets_them_be_set(host, intent):
    for name, item in intent["settings"].items():
        if not item["applies"] or not name.startswith(("vm.", "fs.", "net.")):
            continue
        assert int(host.sysctl(name)) == item["wanted"], name


def test_a_read_only_kernel_is_said_once_and_not_written(host, intent):
    read_only = host.run("grep -qs ' /proc/sys ro,' /proc/self/mountinfo").rc == 0
    kernel_notices = [notice for notice in intent["notices"] if "/proc/sys is read-only" in notice]
    assert len(kernel_notices) == (1 if read_only else 0)
    if read_only:
        assert not any(item["applies"] for name, item in intent["settings"].items() if name.startswith("vm."))


def test_the_huge_pages_unit_runs_at_boot(host, intent):
    if not any(
        name.startswith("transparent_hugepage.") and item["wanted"] for name, item in intent["settings"].items()
    ):
        pytest.skip("this kernel has no transparent huge pages")
    assert host.service(THP_UNIT).is_enabled
