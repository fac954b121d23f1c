"""Kernel and block-device settings for a database host: what the mysql_os role wants, and why.

Each decision gives the wanted value and a one-line reason (the fact file records both). Pure:
the ``os_probe`` module reads /proc and /sys under a root and hands the raw texts to ``plan``.

Read-only kernel interfaces (a container's /proc/sys and /sys) are not written at run time and
are named once in a notice. The files are still planned: systemd-sysctl, udev and the THP unit
skip themselves where /proc/sys or /sys is read-only, and the same files make a boot on a real
host right. Reasons never quote the kernel's current value, so a second run records the same.
"""

from __future__ import annotations

import hashlib
import os
import re

from ansible_collections.local.mysql.plugins.module_utils.host import VIRTUAL_BLOCK_PREFIXES, mount_of
from ansible_collections.local.mysql.plugins.module_utils.limits import files_to_write

HEADER = "# Managed by the MySQL tuning toolkit (mysql_os): a run of provision.yml puts this file back.\n"
SYSCTL_FILE = "/etc/sysctl.d/60-mysql-toolkit.conf"
UDEV_FILE = "/etc/udev/rules.d/60-mysql-toolkit-scheduler.rules"
THP_UNIT_FILE = "/etc/systemd/system/mysql-toolkit-thp.service"
THP_DIR = "/sys/kernel/mm/transparent_hugepage"
THP_FILES = ("enabled", "defrag")
# Managed sysctl keys; fs.aio-nr (events in use) is only read.
SYSCTL_KEYS = ("vm.swappiness", "fs.aio-max-nr", "net.core.somaxconn")
AIO_IN_USE_KEY = "fs.aio-nr"

SWAPPINESS = 1
# The kernel's own defaults: never pinned below them.
AIO_MAX_NR_FLOOR = 65536
SOMAXCONN_FLOOR = 4096  # since Linux 5.4; older kernels start at 128
# InnoDB asks io_setup() for 256 events per context: MySQL one context per AIO segment
# (os0file.cc: 8 * OS_AIO_N_PENDING_IOS_PER_THREAD), MariaDB 10.5+ (read + write threads) * 256.
AIO_EVENTS_PER_THREAD = 256
# MySQL's change-buffer and redo segments, beyond the read and write threads.
AIO_EXTRA_SEGMENTS = 2
AIO_MARGIN = 2
AIO_IN_USE_WARNING = 0.9

# Devices whose IO reaches a disk beneath them (device-mapper, md RAID) or no disk at all: the
# host module's list, plus dm-/md. Their disks get their own scheduler.
SKIPPED_DEVICES = (*VIRTUAL_BLOCK_PREFIXES, "dm-", "md")
DISK_CLASSES = ("nvme", "ssd", "hdd")
ROTATIONAL = {"nvme": "0", "ssd": "0", "hdd": "1"}
# Schedulers by preference; only one the kernel lists for the disk is ever chosen.
SCHEDULERS = {"nvme": ("none",), "ssd": ("mq-deadline", "none"), "hdd": ("mq-deadline",)}
SCHEDULER_REASONS = {
    "nvme": "an NVMe drive orders its many queues itself; a scheduler only costs CPU per IO",
    "ssd": "bounds read latency behind writes on a SATA/SAS SSD at little CPU cost",
    "hdd": "batches and sorts IO for the disk's seeks and keeps reads from starving behind writes",
}
# Names whose last letters number the disk (sda, vdb, xvdc); other names end in digits (nvme0n1, mmcblk0).
LETTERED_FAMILIES = ("xvd", "sd", "vd", "hd")
DATABASE_UNITS = ("mysql.service", "mariadb.service", "mysqld.service")


# ------------------------------------------------------------------------------------- reading texts


def sysctl_value(text: str | None) -> int | None:
    """A /proc/sys file's integer; None when absent (the kernel has no such key) or not a number."""
    words = (text or "").split()
    return int(words[0]) if words and words[0].isdigit() else None


def offered(text: str | None) -> list[str]:
    """The choices a kernel selector file lists: "always madvise [never]" -> [always, madvise, never]."""
    return [word.strip("[]") for word in (text or "").split()]


def current_choice(text: str | None) -> str | None:
    """The bracketed choice of a selector file; None when absent or nothing is bracketed."""
    match = re.search(r"\[([^\]\s]+)\]", text or "")
    return match.group(1) if match else None


def numa_nodes(names: list[str]) -> int:
    """How many nodeN entries /sys/devices/system/node holds (0 on a kernel without NUMA)."""
    return sum(1 for name in names if re.fullmatch(r"node\d+", name))


def writable_by_mounts(path: str, mountinfo: str | None) -> bool | None:
    """Whether the mount holding ``path`` is read-write; None when /proc/self/mountinfo cannot say."""
    try:
        return not mount_of(path, mountinfo or "").read_only
    except ValueError:
        return None


# -------------------------------------------------------------------------------------- decisions


def swappiness() -> tuple[int, str]:
    return SWAPPINESS, (
        "1: the kernel swaps only to avoid running out, keeping the buffer pool in memory; "
        "0 can bring the OOM killer instead on kernels since 3.5"
    )


def thp(name: str, text: str | None) -> tuple[str | None, str]:
    """Transparent huge pages ``enabled`` or ``defrag``: never; not applicable when the file is absent."""
    if text is None:
        return None, "not applicable: this kernel has no transparent huge pages"
    if name == "enabled":
        return "never", "never: huge pages swell the server's memory and stall it while the kernel compacts them"
    return "never", "never: no stall in direct compaction whenever a huge page is wanted"


def aio_need(read_threads: int, write_threads: int, instances: int = 1) -> int:
    """AIO events the host may ask for: each server and one backup tool beside them (mariadb-backup
    and xtrabackup start InnoDB's AIO too), each (read + write + 2) contexts' worth of 256 events,
    doubled for other native-AIO users such as fio."""
    per_server = (read_threads + write_threads + AIO_EXTRA_SEGMENTS) * AIO_EVENTS_PER_THREAD
    return AIO_MARGIN * (instances + 1) * per_server


def aio_max_nr(current: int | None, read_threads: int, write_threads: int, instances: int = 1) -> tuple[int, str]:
    """fs.aio-max-nr: room for every InnoDB's native AIO; never lowered."""
    need = aio_need(read_threads, write_threads, instances)
    wanted = max(current or 0, AIO_MAX_NR_FLOOR, need)
    return wanted, (
        f"the largest of {need} ({AIO_MARGIN} x ({instances} server(s) + a backup tool) x "
        f"({read_threads} read + {write_threads} write IO threads + {AIO_EXTRA_SEGMENTS}) x "
        f"{AIO_EVENTS_PER_THREAD} events), {AIO_MAX_NR_FLOOR} and the kernel's value, never lowered: "
        "a server that cannot set up native AIO fails or falls back to simulated AIO"
    )


def somaxconn(current: int | None, back_log: int) -> tuple[int, str]:
    """net.core.somaxconn: at least the server's back_log, which the kernel silently caps to it."""
    wanted = max(current or 0, back_log, SOMAXCONN_FLOOR)
    if back_log > SOMAXCONN_FLOOR and back_log >= (current or 0):
        return wanted, (f"the server's back_log={back_log}: the kernel caps the server's listen queue at somaxconn")
    # The server's figure only where it decides: a back_log that follows max_connections after a
    # later restart would otherwise change the reason on the next run.
    return wanted, (
        f"the largest of {SOMAXCONN_FLOOR} and the kernel's value, never lowered: at least the server's "
        "back_log (the kernel caps the server's listen queue at somaxconn)"
    )


def numa_interleave(nodes: int) -> tuple[bool | None, str]:
    if nodes <= 1:
        return None, "not applicable: one NUMA node"
    return True, (
        f"{nodes} NUMA nodes: interleave the server's memory (innodb_numa_interleave) so the buffer pool "
        "does not fill one node and swap while another has memory free; set it with "
        "mysql_tune_overrides where the server's build has the option"
    )


def disk_class(name: str, rotational: str | None) -> str | None:
    """nvme, ssd or hdd; None for virtual and stacked devices and when the kernel does not say."""
    if name.startswith(SKIPPED_DEVICES):
        return None
    if name.startswith("nvme"):
        return "nvme"
    return {"0": "ssd", "1": "hdd"}.get((rotational or "").strip())


def kernel_family(name: str) -> str:
    """The name family a udev KERNEL match covers: sda -> sd, xvdb -> xvd, nvme0n1 -> nvme."""
    for family in LETTERED_FAMILIES:
        if name.startswith(family):
            return family
    match = re.match(r"[a-z]+", name)
    return match.group(0) if match else name


def scheduler(kind: str, choices: list[str]) -> tuple[str | None, str]:
    """The first scheduler of the class's preference that ``choices`` lists; None when it lists none."""
    preference = SCHEDULERS[kind]
    chosen = next((name for name in preference if name in choices), None)
    if chosen is None:
        return None, f"left as is: the kernel offers none of {', '.join(preference)} for this {kind} disk"
    if chosen == preference[0]:
        return chosen, f"{chosen} ({kind}): {SCHEDULER_REASONS[kind]}"
    return chosen, f"{chosen} ({kind}): the kernel does not offer {preference[0]} for these disks"


def device_schedulers(devices: dict) -> dict:
    """name -> {class, family, current, offered, wanted, reason} for each disk the toolkit manages.

    One udev line covers a class and name family, so its disks get the first preferred scheduler
    they all offer. ``devices`` maps names to the raw ``scheduler`` and ``rotational`` texts.
    """
    disks = {}
    for name, texts in sorted(devices.items()):
        kind = disk_class(name, texts.get("rotational"))
        if kind is not None and texts.get("scheduler"):
            disks[name] = {"class": kind, "family": kernel_family(name), "offered": offered(texts["scheduler"])}
    groups: dict[tuple[str, str], list[str]] = {}
    for name, disk in disks.items():
        groups.setdefault((disk["class"], disk["family"]), []).append(name)
    for (kind, _family), names in groups.items():
        common = [choice for choice in disks[names[0]]["offered"] if all(choice in disks[n]["offered"] for n in names)]
        wanted, reason = scheduler(kind, common)
        for name in names:
            disks[name].update(wanted=wanted, reason=reason, current=current_choice(devices[name]["scheduler"]))
    return disks


# ------------------------------------------------------------------------------------------ files


def sysctl_text(values: dict[str, int]) -> str:
    """The toolkit's sysctl.d drop-in: ``key = value`` lines, sorted."""
    return HEADER + "".join(f"{key} = {value}\n" for key, value in sorted(values.items()))


def udev_text(rules: dict[tuple[str, str], str]) -> str:
    """The toolkit's udev rules: (class, family) -> scheduler, one line each, NVMe first.

    KERNEL names the family, ATTR{queue/rotational} the class: a partition has no queue of its own
    and matches nothing, a disk added later gets its class's scheduler.
    """
    lines = [
        f'ACTION=="add|change", SUBSYSTEM=="block", KERNEL=="{family}*", '
        f'ATTR{{queue/rotational}}=="{ROTATIONAL[kind]}", ATTR{{queue/scheduler}}="{chosen}"\n'
        for (kind, family), chosen in sorted(rules.items(), key=lambda item: (DISK_CLASSES.index(item[0][0]), item[0]))
    ]
    return HEADER + "# IO scheduler by disk class and name family: one the kernel offers them all.\n" + "".join(lines)


def thp_unit_text(files: list[str]) -> str:
    """A oneshot unit writing never to each THP file in ``files`` at boot, before the server starts."""
    commands = "".join(f"ExecStart=/bin/sh -c 'echo never > {THP_DIR}/{name}'\n" for name in files)
    return (
        HEADER
        + "[Unit]\n"
        + "Description=Transparent huge pages off for the database server\n"
        + "DefaultDependencies=no\n"
        + "After=sysinit.target local-fs.target\n"
        + f"Before=basic.target {' '.join(DATABASE_UNITS)}\n"
        + "# A container's /sys is read-only: nothing to do there.\n"
        + "ConditionPathIsReadWrite=/sys\n"
        + "\n[Service]\n"
        + "Type=oneshot\n"
        + commands
        + "\n[Install]\n"
        + "WantedBy=basic.target\n"
    )


# ------------------------------------------------------------------------------------------- plan


def _setting(current, wanted, reason: str, applies: bool) -> dict:
    return {"current": current, "wanted": wanted, "reason": reason, "applies": applies}


def plan(probed: dict, inputs: dict) -> dict:
    """Every setting with its current and wanted value, the toolkit's files, and the notices.

    ``probed``: ``sysctl`` (key -> raw text or None), ``thp`` (enabled/defrag -> raw text or None),
    ``devices`` (name -> {scheduler, rotational} raw texts), ``numa_nodes`` (names under
    /sys/devices/system/node), ``kernel_writable`` and ``sys_writable`` (/proc/sys and /sys),
    ``files`` (path -> {text, mode, uid, gid} or None). ``inputs``: ``back_log``,
    ``innodb_read_io_threads``, ``innodb_write_io_threads``, ``instances`` (default 1).

    ``applies``: the role sets the value live on this host (wherever it differs from ``current``);
    ``wanted`` is None where the setting does not apply to the host. ``files`` holds every file the
    toolkit wants, ``write`` the paths whose content, mode or owner differs.
    """
    sysctl = {key: sysctl_value(text) for key, text in probed.get("sysctl", {}).items()}
    kernel_writable = bool(probed.get("kernel_writable"))
    sys_writable = bool(probed.get("sys_writable"))
    decided = {
        "vm.swappiness": swappiness(),
        "fs.aio-max-nr": aio_max_nr(
            sysctl.get("fs.aio-max-nr"),
            inputs["innodb_read_io_threads"],
            inputs["innodb_write_io_threads"],
            inputs.get("instances") or 1,
        ),
        "net.core.somaxconn": somaxconn(sysctl.get("net.core.somaxconn"), inputs["back_log"]),
    }
    settings, notices, pinned = {}, [], {}
    for key in SYSCTL_KEYS:
        wanted, reason = decided[key]
        if sysctl.get(key) is None:
            settings[key] = _setting(None, None, "not applicable: this kernel has no such key", False)
            continue
        pinned[key] = wanted
        settings[key] = _setting(sysctl[key], wanted, reason, kernel_writable)
    if pinned and not kernel_writable:
        notices.append(
            f"kernel settings ({', '.join(sorted(pinned))}) left alone: /proc/sys is read-only here (a container), "
            f"so the host's own values apply; {SYSCTL_FILE} is still written for a boot on a real host"
        )
    in_use, aio_wanted = sysctl.get(AIO_IN_USE_KEY), settings["fs.aio-max-nr"]["wanted"]
    if in_use is not None and aio_wanted and in_use >= AIO_IN_USE_WARNING * aio_wanted:
        notices.append(
            f"fs.aio-nr={in_use}: {in_use * 100 // aio_wanted}% of fs.aio-max-nr={aio_wanted} already in use; "
            "a server starting now may not get native AIO"
        )

    thp_texts = probed.get("thp", {})
    for name in THP_FILES:
        text = thp_texts.get(name)
        wanted, reason = thp(name, text)
        settings[f"transparent_hugepage.{name}"] = _setting(
            current_choice(text), wanted, reason, text is not None and sys_writable
        )
    thp_present = [name for name in THP_FILES if thp_texts.get(name) is not None]

    disks = device_schedulers(probed.get("devices", {}))
    rules = {}
    for name, disk in disks.items():
        applies = disk["wanted"] is not None and sys_writable
        settings[f"scheduler.{name}"] = _setting(disk["current"], disk["wanted"], disk["reason"], applies)
        if disk["wanted"] is not None:
            rules[(disk["class"], disk["family"])] = disk["wanted"]
    if not sys_writable and (thp_present or rules):
        notices.append(
            "transparent huge pages and IO schedulers left alone: /sys is read-only here (a container), "
            "so the host's own choices apply; the boot unit and udev rules are still written for a real host"
        )

    nodes = numa_nodes(probed.get("numa_nodes", []))
    wanted, reason = numa_interleave(nodes)
    # the server's own option, where its build has it: recorded as advice, not set by mysql_os
    settings["numa_interleave"] = _setting(None, wanted, reason, False)

    wanted_files = {SYSCTL_FILE: sysctl_text(pinned)} if pinned else {}
    udev = probed.get("udev", True)
    if rules and udev:
        wanted_files[UDEV_FILE] = udev_text(rules)
    elif rules:
        notices.append(f"IO schedulers: no udev on this host ({os.path.dirname(UDEV_FILE)} is absent), no rule written")
        for name in disks:
            settings[f"scheduler.{name}"]["applies"] = False
    if thp_present:
        wanted_files[THP_UNIT_FILE] = thp_unit_text(thp_present)
    present = probed.get("files", {})
    return {
        "settings": settings,
        "files": wanted_files,
        "write": sorted(files_to_write(wanted_files, {path: present.get(path) for path in wanted_files})),
        "notices": notices,
        "apply": to_apply(settings),
        "paths": {"sysctl": SYSCTL_FILE, "udev": UDEV_FILE, "thp_unit": THP_UNIT_FILE},
        "record": {
            "settings": {
                name: {key: item[key] for key in ("wanted", "reason", "applies")} for name, item in settings.items()
            },
            "files": {path: text_digest(text) for path, text in sorted(wanted_files.items())},
            "notices": notices,
        },
    }


def text_digest(text: str) -> str:
    """The SHA-256 the fact file records of each file written, which the drift report compares."""
    return hashlib.sha256(text.encode()).hexdigest()


def to_apply(settings: dict) -> dict:
    """Which live changes the role makes: the sysctl drop-in loaded, the THP unit run, the udev
    rules triggered, each only where a value it sets differs and the host lets it (NUMA
    interleave is recorded, not applied: it is the server's own option)."""

    def differs(prefixes: tuple) -> bool:
        return any(
            item["applies"] and item["wanted"] is not None and item["current"] != item["wanted"]
            for name, item in settings.items()
            if name.startswith(prefixes)
        )

    return {
        "sysctl": differs(SYSCTL_KEYS),
        "thp": differs(("transparent_hugepage.",)),
        "udev": differs(("scheduler.",)),
    }
