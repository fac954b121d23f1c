"""Host detection from captured /proc and /sys contents (module_utils/host.py)."""

from __future__ import annotations

import posixpath

import pytest
from ansible_collections.local.mysql.plugins.module_utils.host import (
    cgroup_cpu_limit,
    cgroup_memory_limit,
    detect,
    existing_parent,
    mount_of,
    parse_meminfo,
)

GIB = 1024**3


class FakeFS:
    """Files, directories and symlinks of a pretend host."""

    def __init__(self, files: dict[str, str], links: dict[str, str] | None = None):
        self.files = files
        self.links = links or {}

    def realpath(self, path):
        for link, target in self.links.items():
            if path == link or path.startswith(link + "/"):
                return self.realpath(target + path[len(link) :])
        return posixpath.normpath(path)

    def read(self, path):
        return self.files.get(self.realpath(path))

    def exists(self, path):
        real = self.realpath(path)
        return real in self.files or any(f.startswith(real.rstrip("/") + "/") for f in self.files) or real == "/"

    def listdir(self, path):
        real = self.realpath(path).rstrip("/") + "/"
        names = {f[len(real) :].split("/")[0] for f in self.files if f.startswith(real)}
        names |= {link[len(real) :].split("/")[0] for link in self.links if link.startswith(real)}
        return sorted(names)


MEMINFO = "MemTotal:       24675844 kB\nMemFree:        20000000 kB\n"
MOUNTINFO_LVM = (
    "22 1 253:0 / / rw,relatime - ext4 /dev/mapper/vg-root rw\n"
    "30 22 253:1 / /var/lib/mysql rw,noatime - xfs /dev/mapper/vg-mysql rw\n"
    "40 22 0:5 / /dev rw - devtmpfs udev rw\n"
)


def lvm_on_raid1_of_ssds() -> FakeFS:
    """datadir on LVM (dm-1) over md0, a RAID1 of two SSD partitions sda2 and sdb2."""
    files = {
        "/proc/meminfo": MEMINFO,
        "/proc/self/cgroup": "0::/system.slice/mysql.service\n",
        "/sys/fs/cgroup/system.slice/mysql.service/memory.max": "max\n",
        "/proc/self/mountinfo": MOUNTINFO_LVM,
        "/var/lib/mysql/ibdata1": "",
        "/sys/devices/virtual/block/dm-1/slaves/md0": "",
        "/sys/devices/virtual/block/md0/slaves/sda2": "",
        "/sys/devices/virtual/block/md0/slaves/sdb2": "",
        "/sys/devices/pci/block/sda/sda2/partition": "2\n",
        "/sys/devices/pci/block/sdb/sdb2/partition": "2\n",
        "/sys/block/sda/queue/rotational": "0\n",
        "/sys/block/sdb/queue/rotational": "0\n",
    }
    links = {
        "/sys/dev/block/253:1": "/sys/devices/virtual/block/dm-1",
        "/sys/class/block/dm-1": "/sys/devices/virtual/block/dm-1",
        "/sys/class/block/md0": "/sys/devices/virtual/block/md0",
        "/sys/class/block/sda2": "/sys/devices/pci/block/sda/sda2",
        "/sys/class/block/sdb2": "/sys/devices/pci/block/sdb/sdb2",
        "/sys/class/block/sda": "/sys/devices/pci/block/sda",
        "/sys/class/block/sdb": "/sys/devices/pci/block/sdb",
        "/sys/devices/virtual/block/md0/slaves/sda2": "/sys/devices/pci/block/sda/sda2",
        "/sys/devices/virtual/block/md0/slaves/sdb2": "/sys/devices/pci/block/sdb/sdb2",
        "/sys/devices/virtual/block/dm-1/slaves/md0": "/sys/devices/virtual/block/md0",
    }
    return FakeFS(files, links)


def test_meminfo():
    assert parse_meminfo(MEMINFO) == 24675844 * 1024


def test_disks_through_lvm_md_and_partitions():
    host = detect(lvm_on_raid1_of_ssds(), "/var/lib/mysql", 16)
    assert host["disk"]["inputs"]["disks"] == ["sda", "sdb"]
    assert host["disk"]["value"] == "ssd"
    assert host["filesystem"]["value"] == "xfs"
    assert host["memory"]["value"] == 24675844 * 1024
    assert host["memory"]["source"] == "MemTotal"
    assert host["cpus"]["value"] == 16


def test_one_spinning_disk_makes_it_hdd():
    fs = lvm_on_raid1_of_ssds()
    fs.files["/sys/block/sdb/queue/rotational"] = "1\n"
    assert detect(fs, "/var/lib/mysql", 4)["disk"]["value"] == "hdd"


def test_nvme_only():
    fs = FakeFS(
        {
            "/proc/meminfo": MEMINFO,
            "/proc/self/mountinfo": "22 1 259:2 / / rw - ext4 /dev/nvme0n1p2 rw\n",
            "/sys/devices/pci/nvme/nvme0n1/nvme0n1p2/partition": "2\n",
            "/sys/block/nvme0n1/queue/rotational": "0\n",
        },
        {
            "/sys/dev/block/259:2": "/sys/devices/pci/nvme/nvme0n1/nvme0n1p2",
            "/sys/class/block/nvme0n1p2": "/sys/devices/pci/nvme/nvme0n1/nvme0n1p2",
        },
    )
    host = detect(fs, "/var/lib/mysql", 8)
    assert host["datadir"]["inputs"]["probed_path"] == "/"  # not installed yet: its parent is probed
    assert (host["disk"]["value"], host["disk"]["inputs"]["disks"]) == ("nvme", ["nvme0n1"])


def test_overlay_root_falls_back_to_the_only_real_disk():
    fs = FakeFS(
        {
            "/proc/meminfo": MEMINFO,
            "/proc/self/mountinfo": "72 48 0:39 / / rw - overlay overlay rw,lowerdir=/x\n",
            "/sys/block/vda/queue/rotational": "1\n",
            "/sys/block/loop0/queue/rotational": "0\n",
            "/sys/block/zram0/queue/rotational": "0\n",
        }
    )
    host = detect(fs, "/var/lib/mysql", 2)
    assert host["disk"]["value"] == "hdd"
    assert "only disk" in host["disk"]["source"]


def test_unknown_disk_is_assumed_ssd_and_says_so():
    fs = FakeFS({"/proc/meminfo": MEMINFO, "/proc/self/mountinfo": "72 48 0:39 / / rw - overlay overlay rw\n"})
    host = detect(fs, "/var/lib/mysql", 2)
    assert host["disk"]["value"] == "ssd"
    assert "mysql_host_disk" in host["disk"]["source"]


@pytest.mark.parametrize(
    ("files", "limit"),
    [
        # cgroup v1 in a private namespace (the small-host lab)
        ({"/proc/self/cgroup": "4:memory:/\n", "/sys/fs/cgroup/memory/memory.limit_in_bytes": "4294967296\n"}, 4 * GIB),
        # cgroup v1 without a limit
        ({"/proc/self/cgroup": "4:memory:/\n", "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"},
         None),
        # cgroup v2: the tighter of the service's and its parent's limit
        ({"/proc/self/cgroup": "0::/db.slice/mysql.service\n",
          "/sys/fs/cgroup/db.slice/mysql.service/memory.max": "max\n",
          "/sys/fs/cgroup/db.slice/memory.max": "8589934592\n"}, 8 * GIB),
        ({"/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/memory.max": "max\n"}, None),
    ],
)  # fmt: skip
def test_cgroup_memory_limit(files, limit):
    assert cgroup_memory_limit(FakeFS(files)) == limit


def test_cgroup_limit_below_memtotal_wins():
    fs = FakeFS(
        {
            "/proc/meminfo": MEMINFO,
            "/proc/self/cgroup": "4:memory:/\n",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes": str(4 * GIB),
            "/proc/self/mountinfo": "72 48 0:39 / / rw - overlay overlay rw\n",
        }
    )
    host = detect(fs, "/var/lib/mysql", 2)
    assert (host["memory"]["value"], host["memory"]["source"]) == (4 * GIB, "cgroup limit")


@pytest.mark.parametrize(
    ("files", "cpus"),
    [
        ({"/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/cpu.max": "150000 100000\n"}, 1.5),
        ({"/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/cpu.max": "max 100000\n"}, None),
        ({"/proc/self/cgroup": "2:cpu,cpuacct:/\n", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "200000\n",
          "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n"}, 2.0),
        ({"/proc/self/cgroup": "2:cpu,cpuacct:/\n", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n",
          "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n"}, None),
    ],
)  # fmt: skip
def test_cgroup_cpu_limit(files, cpus):
    assert cgroup_cpu_limit(FakeFS(files)) == cpus


def test_mount_of_picks_the_longest_prefix():
    assert mount_of("/var/lib/mysql/data", MOUNTINFO_LVM).fstype == "xfs"
    assert mount_of("/var/lib/mysqlx", MOUNTINFO_LVM).fstype == "ext4"


def test_existing_parent():
    assert existing_parent("/var/lib/mysql", lambda p: p in {"/var/lib", "/var", "/"}) == "/var/lib"


TMPFS_TMP = "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n58 22 0:53 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw,size=12342044k\n"


def test_the_servers_temporary_files_leave_a_tmp_in_memory_for_var_tmp():
    from ansible_collections.local.mysql.plugins.module_utils.host import temp_dir

    chosen = temp_dir(TMPFS_TMP)
    assert chosen["value"] == "/var/tmp"
    assert chosen["inputs"] == {"/tmp": "tmpfs", "/var/tmp": "ext4"}
    assert temp_dir("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n")["value"] == "/tmp"
    both = TMPFS_TMP + "59 22 0:54 / /var/tmp rw - tmpfs tmpfs rw\n"
    assert temp_dir(both) == {
        "value": "/tmp",
        "inputs": {"/tmp": "tmpfs", "/var/tmp": "tmpfs"},
        "source": "every candidate is in memory (tmpfs)",
    }
