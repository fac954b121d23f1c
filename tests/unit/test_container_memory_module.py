"""The container_memory module with a stand-in docker and cgroup files under a temporary root."""

from __future__ import annotations

from pathlib import Path

import pytest
from module_runner import run_module

DOCKER = "community.docker.docker"
ID = "4f1c0ffee"
V1 = f"sys/fs/cgroup/memory/docker/{ID}"
V2 = f"sys/fs/cgroup/system.slice/docker-{ID}.scope"
FAKE_DOCKER = """#!/bin/sh
# Stand-in for docker: knows one container, logs how it was asked.
echo "$@" >> "$LOG"
[ "$4" = bench-mysql ] || { echo "Error: No such object: $4" >&2; exit 1; }
echo "$ID"
"""


def engine_host(tmp_path: Path, cgroup: dict[str, str] | None = None, docker: bool = True) -> tuple[Path, str, dict]:
    """A root with the container's cgroup files, and the PATH and environment that find the stand-in docker."""
    root = tmp_path / "root"
    for name, text in (cgroup or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    root.mkdir(exist_ok=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if docker:
        (bin_dir / "docker").write_text(FAKE_DOCKER)
        (bin_dir / "docker").chmod(0o755)
    return root, f"{bin_dir}:/nonexistent", {"LOG": str(tmp_path / "docker.log"), "ID": ID}


def v1(peak="2146828288", limit="4294967296", oom="oom_kill_disable 0\nunder_oom 0\noom_kill 2\n") -> dict:
    return {
        f"{V1}/memory.max_usage_in_bytes": f"{peak}\n",
        f"{V1}/memory.limit_in_bytes": f"{limit}\n",
        f"{V1}/memory.oom_control": oom,
    }


def memory(tmp_path, root, path, env, check=False, **args):
    args = {"connection": DOCKER, "container": "bench-mysql", "root": str(root), **args}
    return run_module("container_memory", tmp_path, args, check=check, path=path, env=env)


def test_reads_the_cgroup_v1_peak_limit_and_kills_of_the_container(tmp_path):
    root, path, env = engine_host(tmp_path, v1())
    result = memory(tmp_path, root, path, env)
    assert result["changed"] is False
    assert result["memory"] == {
        "cgroup": f"/{V1}",
        "peak": 2146828288,
        "limit": 4 << 30,
        "oom_kills": 2,
        "reset_file": f"/{V1}/memory.max_usage_in_bytes",
    }
    assert (tmp_path / "docker.log").read_text() == "inspect --format {{.Id}} bench-mysql\n"


def test_reset_writes_the_v1_peak_back_and_reads_it_again(tmp_path):
    root, path, env = engine_host(tmp_path, v1())
    result = memory(tmp_path, root, path, env, reset=True)
    assert result["changed"] is True
    assert (root / V1 / "memory.max_usage_in_bytes").read_text() == "0"
    assert result["memory"]["peak"] == 0, "the peak is read after the reset"


def test_check_mode_says_it_would_reset_and_writes_nothing(tmp_path):
    root, path, env = engine_host(tmp_path, v1())
    result = memory(tmp_path, root, path, env, check=True, reset=True)
    assert result["changed"] is True
    assert (root / V1 / "memory.max_usage_in_bytes").read_text() == "2146828288\n"
    assert result["memory"]["peak"] == 2146828288


def test_cgroup_v2_peak_cannot_be_reset_and_is_reported_as_it_is(tmp_path):
    cgroup = {f"{V2}/memory.peak": "1048576\n", f"{V2}/memory.max": "max\n", f"{V2}/memory.events": "oom_kill 0\n"}
    root, path, env = engine_host(tmp_path, cgroup)
    result = memory(tmp_path, root, path, env, reset=True)
    assert result["changed"] is False
    assert result["memory"]["cgroup"] == f"/{V2}" and result["memory"]["limit"] is None
    assert result["memory"]["reset_file"] is None
    assert (root / V2 / "memory.peak").read_text() == "1048576\n"


@pytest.mark.parametrize(
    ("connection", "container", "docker", "asked"),
    [
        ("ssh", "bench-mysql", True, False),
        (DOCKER, "bench-mysql", False, False),
        (DOCKER, "not-there", True, True),
    ],
    ids=["not-a-container", "no-docker-binary", "unknown-container"],
)
def test_no_memory_where_none_can_be_read(tmp_path, connection, container, docker, asked):
    root, path, env = engine_host(tmp_path, v1(), docker=docker)
    result = memory(tmp_path, root, path, env, reset=True, connection=connection, container=container)
    assert not result.get("failed") and result["changed"] is False and result["memory"] is None
    assert (tmp_path / "docker.log").exists() is asked
    assert (root / V1 / "memory.max_usage_in_bytes").read_text() == "2146828288\n"


def test_a_container_without_a_visible_cgroup_has_no_memory(tmp_path):
    root, path, env = engine_host(tmp_path, {})
    result = memory(tmp_path, root, path, env, reset=True)
    assert result["changed"] is False and result["memory"] is None
