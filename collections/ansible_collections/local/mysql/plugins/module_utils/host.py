"""Host detection: memory budget, CPUs, the disk and filesystem under the datadir.

Everything reads through a small file-system interface (``read``, ``listdir``,
``exists``) so that the unit tests feed it captured /proc and /sys contents.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

UNLIMITED = 1 << 60  # cgroup v1 writes 9223372036854771712 for "no limit"
VIRTUAL_BLOCK_PREFIXES = ("loop", "ram", "zram", "sr", "fd", "nbd")


@dataclass
class FileSystem:
    """The real file system; tests pass a fake with the same three methods."""

    root: str = "/"

    def under_root(self, path: str) -> str:
        """Where ``path`` of the probed host lies on this machine."""
        return os.path.join(self.root, path.lstrip("/"))

    def read(self, path: str) -> str | None:
        try:
            with open(self.under_root(path), encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError:
            return None

    def listdir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(self.under_root(path)))
        except OSError:
            return []

    def exists(self, path: str) -> bool:
        return os.path.exists(self.under_root(path))

    def realpath(self, path: str) -> str:
        return os.path.realpath(self.under_root(path))


def parse_meminfo(text: str) -> int:
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            fields = line.split()
            return int(fields[1]) * 1024
    raise ValueError("no MemTotal in /proc/meminfo")


def _cgroup_paths(proc_self_cgroup: str) -> dict[str, str]:
    """controller ('' for v2) -> path, from /proc/self/cgroup."""
    paths = {}
    for line in proc_self_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(",") if parts[1] else [""]:
                paths[controller] = parts[2]
    return paths


def _ancestors(path: str) -> list[str]:
    """'/a/b' -> ['/a/b', '/a', '/']: a limit anywhere above applies too."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) if i else "/" for i in range(len(parts), -1, -1)]


def _limits_along(fs, base: str, path: str, filename: str) -> list[str]:
    values = []
    for ancestor in _ancestors(path):
        text = fs.read(f"{base}{ancestor.rstrip('/')}/{filename}")
        if text is not None:
            values.append(text.strip())
    # Inside a private cgroup namespace the path may not exist as seen: read the root too.
    root_text = fs.read(f"{base}/{filename}")
    if root_text is not None:
        values.append(root_text.strip())
    return values


def cgroup_memory_limit(fs) -> int | None:
    """The tightest memory limit of this process's cgroups (v2 memory.max, v1 limit_in_bytes)."""
    paths = _cgroup_paths(fs.read("/proc/self/cgroup") or "")
    limits = []
    if "" in paths:
        for value in _limits_along(fs, "/sys/fs/cgroup", paths[""], "memory.max"):
            if value.isdigit():
                limits.append(int(value))
    if "memory" in paths:
        for value in _limits_along(fs, "/sys/fs/cgroup/memory", paths["memory"], "memory.limit_in_bytes"):
            if value.isdigit() and int(value) < UNLIMITED:
                limits.append(int(value))
    return min(limits) if limits else None


def cgroup_cpu_limit(fs) -> float | None:
    """CPUs allowed by a CFS quota (v2 cpu.max, v1 cfs_quota_us / cfs_period_us)."""
    paths = _cgroup_paths(fs.read("/proc/self/cgroup") or "")
    quotas = []
    if "" in paths:
        for value in _limits_along(fs, "/sys/fs/cgroup", paths[""], "cpu.max"):
            quota, _, period = value.partition(" ")
            if quota.isdigit() and period.isdigit() and int(period):
                quotas.append(int(quota) / int(period))
    if "cpu" in paths:
        base = "/sys/fs/cgroup/cpu"
        quota_values = _limits_along(fs, base, paths["cpu"], "cpu.cfs_quota_us")
        period_values = _limits_along(fs, base, paths["cpu"], "cpu.cfs_period_us")
        for quota, period in zip(quota_values, period_values):
            if quota.lstrip("-").isdigit() and int(quota) > 0 and period.isdigit() and int(period):
                quotas.append(int(quota) / int(period))
    return min(quotas) if quotas else None


@dataclass(frozen=True)
class Mount:
    mount_point: str
    fstype: str
    device: str  # major:minor
    source: str
    # ro in the mount's or the superblock's options: a container's /proc/sys and /sys
    read_only: bool = False


def mount_of(path: str, mountinfo: str) -> Mount:
    """The mount holding ``path`` (the longest mount point that prefixes it)."""
    best = None
    for line in mountinfo.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 6:
            continue
        mount_point = fields[4].replace("\\040", " ")
        after = line.split(" - ", 1)[1].split()
        inside = path == mount_point or path.startswith(mount_point.rstrip("/") + "/") or mount_point == "/"
        if inside and (best is None or len(mount_point) >= len(best.mount_point)):
            options = fields[5].split(",") + (after[2].split(",") if len(after) > 2 else [])
            best = Mount(mount_point, after[0], fields[2], after[1] if len(after) > 1 else "", "ro" in options)
    if best is None:
        raise ValueError(f"no mount holds {path}")
    return best


def existing_parent(path: str, exists: Callable[[str], bool]) -> str:
    """The datadir may not exist before the server is installed: use its nearest parent."""
    while path != "/" and not exists(path):
        path = os.path.dirname(path.rstrip("/")) or "/"
    return path


def physical_disks(fs, device: str) -> list[str]:
    """Whole disks under a block device (major:minor), through partitions, dm (LVM, crypt) and md."""
    link = fs.realpath(f"/sys/dev/block/{device}")
    if not fs.exists(f"/sys/dev/block/{device}"):
        return []
    name = os.path.basename(link)
    return sorted(set(_leaves(fs, name)))


def _leaves(fs, name: str) -> list[str]:
    block = f"/sys/class/block/{name}"
    if fs.exists(f"{block}/partition"):
        parent = os.path.basename(os.path.dirname(fs.realpath(block)))
        return _leaves(fs, parent)
    slaves = fs.listdir(f"{block}/slaves")
    if slaves:
        return [leaf for slave in slaves for leaf in _leaves(fs, slave)]
    return [name]


def real_disks(fs) -> list[str]:
    return [
        name
        for name in fs.listdir("/sys/block")
        if not name.startswith(VIRTUAL_BLOCK_PREFIXES) and not name.startswith(("dm-", "md"))
    ]


def _rotational(fs, disk: str) -> str:
    return (fs.read(f"/sys/block/{disk}/queue/rotational") or "").strip()


def disk_kind(fs, disks: list[str]) -> str | None:
    """hdd if any disk spins, nvme if all are NVMe, else ssd; None if there is nothing to read."""
    if not disks:
        return None
    if any(_rotational(fs, disk) == "1" for disk in disks):
        return "hdd"
    if all(disk.startswith("nvme") for disk in disks):
        return "nvme"
    return "ssd"


# Where the server's temporary files (sort merges, temporary tables that left memory) may go.
TEMP_DIRS = ("/tmp", "/var/tmp")
MEMORY_FILESYSTEMS = ("tmpfs", "ramfs")


def temp_dir(mountinfo: str) -> dict:
    """The first of /tmp and /var/tmp that is not in memory (/tmp when both are): files the
    server writes because they did not fit its buffers must not take memory after all."""
    filesystems = {path: mount_of(path, mountinfo).fstype for path in TEMP_DIRS}
    on_disk = [path for path in TEMP_DIRS if filesystems[path] not in MEMORY_FILESYSTEMS]
    chosen = on_disk[0] if on_disk else TEMP_DIRS[0]
    return {
        "value": chosen,
        "inputs": filesystems,
        "source": "on disk" if on_disk else "every candidate is in memory (tmpfs)",
    }


def detect(fs, datadir: str, cpu_count: int) -> dict:
    """Everything the sizing needs to know about the host, each value with where it came from."""
    mem_total = parse_meminfo(fs.read("/proc/meminfo") or "")
    cgroup_memory = cgroup_memory_limit(fs)
    memory = min(mem_total, cgroup_memory) if cgroup_memory else mem_total
    cpu_quota = cgroup_cpu_limit(fs)
    cpus = min(cpu_count, math.ceil(cpu_quota)) if cpu_quota else cpu_count

    probe_path = existing_parent(datadir, fs.exists)
    mount = mount_of(probe_path, fs.read("/proc/self/mountinfo") or "")
    disks = physical_disks(fs, mount.device)
    disk_source = "block device under the datadir"
    if not disks:
        # overlay/tmpfs have no device of their own; a host with one real disk has no doubt left
        candidates = real_disks(fs)
        disks = candidates if len(candidates) == 1 else []
        disk_source = "the only disk of the host (datadir on a virtual filesystem)" if disks else "unknown"
    kind = disk_kind(fs, disks)
    if kind is None:
        kind, disk_source = "ssd", "unknown: assumed ssd (set mysql_host_disk)"
    return {
        "memory": {
            "value": memory,
            "inputs": {"mem_total": mem_total, "cgroup_limit": cgroup_memory},
            "source": "cgroup limit" if cgroup_memory and cgroup_memory < mem_total else "MemTotal",
        },
        "cpus": {
            "value": max(1, cpus),
            "inputs": {"online": cpu_count, "cgroup_quota": cpu_quota},
            "source": "cgroup quota" if cpu_quota and math.ceil(cpu_quota) < cpu_count else "CPUs online",
        },
        "datadir": {
            "value": datadir,
            "inputs": {"probed_path": probe_path, "mount_point": mount.mount_point, "device": mount.device},
        },
        "filesystem": {"value": mount.fstype, "inputs": {"mount_point": mount.mount_point, "source": mount.source}},
        "tmpdir": temp_dir(fs.read("/proc/self/mountinfo") or ""),
        "disk": {
            "value": kind,
            "inputs": {
                "disks": disks,
                "rotational": {d: (fs.read(f"/sys/block/{d}/queue/rotational") or "").strip() for d in disks},
            },
            "source": disk_source,
        },
    }


def cgroup_memory_usage(fs, pid: int | str) -> dict:
    """Memory charged to a process's cgroups: the usage of the nearest cgroup with a limit (and
    that limit), else of the process's own cgroup. None where no memory controller is visible
    (a cgroup v1 host whose memory hierarchy is not mounted in the container)."""
    paths = _cgroup_paths(fs.read(f"/proc/{pid}/cgroup") or "")
    layouts = []
    if "" in paths:
        layouts.append(("/sys/fs/cgroup", paths[""], "memory.current", "memory.max"))
    if "memory" in paths:
        layouts.append(("/sys/fs/cgroup/memory", paths["memory"], "memory.usage_in_bytes", "memory.limit_in_bytes"))
    for base, path, usage_file, limit_file in layouts:
        own = None
        for ancestor in _ancestors(path):
            directory = f"{base}{ancestor.rstrip('/')}"
            usage = (fs.read(f"{directory}/{usage_file}") or "").strip()
            if not usage.isdigit():
                continue
            if own is None:
                own = int(usage)
            limit = (fs.read(f"{directory}/{limit_file}") or "").strip()
            if limit.isdigit() and int(limit) < UNLIMITED:
                return {"usage": int(usage), "limit": int(limit), "cgroup": ancestor}
        if own is not None:
            return {"usage": own, "limit": None, "cgroup": path}
    return {"usage": None, "limit": None, "cgroup": None}


# The memory cgroup of a lab container, seen from the Docker engine's host: inside the container
# a cgroup v1 memory hierarchy is not mounted, so the storm reads its peak from outside.
CONTAINER_CGROUPS = (
    ("/sys/fs/cgroup/memory/docker/{id}", "memory.max_usage_in_bytes", "memory.limit_in_bytes", "memory.oom_control"),
    ("/sys/fs/cgroup/system.slice/docker-{id}.scope", "memory.peak", "memory.max", "memory.events"),
    ("/sys/fs/cgroup/docker/{id}", "memory.peak", "memory.max", "memory.events"),
)


def oom_kills(text: str) -> int | None:
    """The ``oom_kill`` count of cgroup v1's memory.oom_control or v2's memory.events."""
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == "oom_kill" and value.strip().isdigit():
            return int(value)
    return None


def container_memory(fs, container_id: str) -> dict | None:
    """Peak, limit and OOM kills of a container's memory cgroup (None where none is visible), and
    the file that resets the peak (cgroup v1 only)."""
    for pattern, peak_file, limit_file, events_file in CONTAINER_CGROUPS:
        directory = pattern.format(id=container_id)
        peak = (fs.read(f"{directory}/{peak_file}") or "").strip()
        if not peak.isdigit():
            continue
        limit = (fs.read(f"{directory}/{limit_file}") or "").strip()
        return {
            "cgroup": directory,
            "peak": int(peak),
            "limit": int(limit) if limit.isdigit() and int(limit) < UNLIMITED else None,
            "oom_kills": oom_kills(fs.read(f"{directory}/{events_file}") or ""),
            "reset_file": f"{directory}/{peak_file}" if peak_file == "memory.max_usage_in_bytes" else None,
        }
    return None


def pin_threads(pid: int | str, cpus: set[int] | list[int]) -> bool:
    """Pin every thread of a process to the CPUs (threads it starts later inherit the set).

    True when a thread had another set before."""
    changed = False
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            if os.sched_getaffinity(int(task)) != set(cpus):
                os.sched_setaffinity(int(task), cpus)
                changed = True
        except ProcessLookupError:
            pass  # a thread that ended meanwhile
    return changed
