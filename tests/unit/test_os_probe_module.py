"""os_probe run as Ansible runs it, against the host trees in fixtures/os (README there)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ansible_collections.local.mysql.plugins.module_utils.os_tuning import HEADER, SYSCTL_FILE, THP_UNIT_FILE, UDEV_FILE
from module_runner import run_module

TREES = Path(__file__).parent / "fixtures" / "os"
ARGS = {"back_log": 151, "innodb_read_io_threads": 4, "innodb_write_io_threads": 4}


def tree_copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(TREES / name, root)
    return root


def snapshot(root: Path) -> dict:
    return {str(path): path.read_text() for path in sorted(root.rglob("*")) if path.is_file()}


def probe(tmp_path: Path, root: Path, check: bool = True, **args) -> dict:
    result = run_module("os_probe", tmp_path, {**ARGS, "root": str(root), **args}, check=check)
    assert not result.get("failed"), result
    assert result["changed"] is False
    return result


def test_a_one_node_vm_with_a_spinning_virtio_disk(tmp_path):
    root = tree_copy(tmp_path, "vm-1node")
    before = snapshot(root)
    result = probe(tmp_path, root)
    assert snapshot(root) == before, "a probe writes nothing"
    observed, decided = result["observed"], result["plan"]
    assert observed["kernel_writable"] is True and observed["sys_writable"] is True
    settings = decided["settings"]
    assert (settings["vm.swappiness"]["current"], settings["vm.swappiness"]["wanted"]) == (60, 1)
    assert settings["transparent_hugepage.enabled"]["current"] == "always"
    assert settings["transparent_hugepage.enabled"]["wanted"] == "never"
    assert settings["transparent_hugepage.defrag"]["current"] == "madvise"
    assert settings["scheduler.vda"] == {
        "current": "none",
        "wanted": "mq-deadline",
        "reason": settings["scheduler.vda"]["reason"],
        "applies": True,
    }
    assert "(hdd)" in settings["scheduler.vda"]["reason"]
    assert not [name for name in settings if name in ("scheduler.loop0", "scheduler.sr0")]
    assert settings["numa_interleave"]["wanted"] is None and settings["numa_interleave"]["applies"] is False
    assert decided["files"][UDEV_FILE].splitlines()[2:] == [
        'ACTION=="add|change", SUBSYSTEM=="block", KERNEL=="vd*", ATTR{queue/rotational}=="1", '
        'ATTR{queue/scheduler}="mq-deadline"'
    ]
    assert decided["files"][SYSCTL_FILE] == (
        HEADER + "fs.aio-max-nr = 65536\nnet.core.somaxconn = 4096\nvm.swappiness = 1\n"
    )
    assert decided["write"] == sorted([SYSCTL_FILE, UDEV_FILE, THP_UNIT_FILE])
    assert decided["notices"] == []


def test_a_two_node_host_with_nvme_and_an_ssd(tmp_path):
    result = probe(tmp_path, TREES / "host-2node")
    settings, decided = result["plan"]["settings"], result["plan"]
    assert settings["scheduler.nvme0n1"]["wanted"] == "none" and settings["scheduler.nvme0n1"]["current"] == "none"
    assert (settings["scheduler.sda"]["current"], settings["scheduler.sda"]["wanted"]) == ("bfq", "mq-deadline")
    assert "scheduler.dm-0" not in settings and "scheduler.md0" not in settings
    assert settings["numa_interleave"] == {
        "current": None,
        "wanted": True,
        "reason": settings["numa_interleave"]["reason"],
        "applies": False,
    }, "advice for the server's own option, not set by mysql_os"
    assert settings["numa_interleave"]["reason"].startswith("2 NUMA nodes")
    assert settings["fs.aio-max-nr"]["wanted"] == 1048576, "a higher kernel value is kept"
    rules = decided["files"][UDEV_FILE].splitlines()[2:]
    assert [rule.split('KERNEL=="')[1].split('"')[0] for rule in rules] == ["nvme*", "sd*"]
    # the earlier run's drop-in lacks the AIO and listen limits
    assert SYSCTL_FILE in decided["write"]
    assert len(decided["notices"]) == 1 and decided["notices"][0].startswith("fs.aio-nr=983040: 93%")


def test_a_container_with_read_only_proc_sys_and_sys(tmp_path):
    result = probe(tmp_path, TREES / "container")
    observed, decided = result["observed"], result["plan"]
    assert observed["kernel_writable"] is False and observed["sys_writable"] is False
    assert not any(setting["applies"] for setting in decided["settings"].values())
    assert decided["settings"]["vm.swappiness"]["wanted"] == 1, "the decision stands; it is only not applied"
    assert len(decided["notices"]) == 3
    assert sum("/proc/sys is read-only" in notice for notice in decided["notices"]) == 1
    assert sum(notice.startswith("transparent huge pages and IO schedulers") for notice in decided["notices"]) == 1
    assert sum(notice.startswith("IO schedulers: no udev on this host") for notice in decided["notices"]) == 1
    assert set(decided["files"]) == {SYSCTL_FILE, THP_UNIT_FILE}, "no udev rule where there is no udev"


def test_files_the_toolkit_left_are_not_written_again(tmp_path):
    root = tree_copy(tmp_path, "vm-1node")
    first = probe(tmp_path, root, check=False)["plan"]
    for path, text in first["files"].items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        target.chmod(0o644)
    again = probe(tmp_path, root)["plan"]
    assert again["write"] == ([] if os.getuid() == 0 else sorted(first["files"])), "the files must be root's"
    (root / UDEV_FILE.lstrip("/")).write_text(HEADER)
    assert UDEV_FILE in probe(tmp_path, root)["plan"]["write"]


def test_a_tree_without_a_mount_table_is_judged_by_statvfs(tmp_path):
    root = tree_copy(tmp_path, "container")
    (root / "proc/self/mountinfo").unlink()
    observed = probe(tmp_path, root)["observed"]
    assert observed["kernel_writable"] is True and observed["sys_writable"] is True


def test_inputs_below_one_are_refused(tmp_path):
    result = run_module("os_probe", tmp_path, {**ARGS, "root": str(TREES / "vm-1node"), "instances": 0})
    assert result["failed"] and result["msg"] == "instances=0: must be at least 1"
