"""Host detection recorded what the host really has (issue 3)."""

from __future__ import annotations

import pytest

KIB = 1024
UNITS = {"K": KIB, "M": KIB**2, "G": KIB**3, "T": KIB**4}


def mem_total(host) -> int:
    for line in host.file("/proc/meminfo").content_string.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * KIB
    raise AssertionError("no MemTotal")


def cgroup_limit(host) -> int | None:
    for path in ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max"):
        result = host.run("cat %s", path)
        if result.rc == 0 and result.stdout.strip().isdigit() and int(result.stdout) < 1 << 60:
            return int(result.stdout)
    return None


def test_memory_is_the_override_or_the_tightest_limit(host, facts, host_vars):
    memory = facts["host"]["memory"]
    override = str(host_vars.get("mysql_host_memory", ""))
    if override:
        assert memory["source"] == "override"
        assert memory["value"] == int(float(override[:-1]) * UNITS[override[-1].upper()])
    else:
        limit = cgroup_limit(host)
        assert memory["value"] == min(mem_total(host), limit or mem_total(host))


def test_cpus_are_what_the_host_offers(host, facts, host_vars):
    online = int(host.check_output("nproc"))
    cpus = facts["host"]["cpus"]
    assert cpus["value"] == (host_vars.get("mysql_host_cpus") or online)


def test_filesystem_is_the_datadirs(host, facts):
    fstype = host.check_output("findmnt --noheadings --output FSTYPE --target %s", facts["host"]["datadir"]["value"])
    assert facts["host"]["filesystem"]["value"] == fstype


def test_small_host_is_sized_from_its_cgroup_limit(host, facts, host_vars):
    if "lab_memory_limit" not in host_vars:
        pytest.skip("not the small-host lab: no memory limit promised")
    limit = host_vars["lab_memory_limit"]
    assert mem_total(host) > limit, "MemTotal should show the machine, not the container"
    assert facts["host"]["memory"]["source"] == "cgroup limit"
    assert facts["host"]["memory"]["value"] == limit
    assert facts["sizing"]["memory_budget"] == limit
    assert facts["sizing"]["variables"]["innodb_buffer_pool_size"] <= 0.6 * limit
