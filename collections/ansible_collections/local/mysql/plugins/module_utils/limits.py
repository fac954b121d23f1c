"""Open-files limits: what the mysql_limits role changes, decided from what the host shows.

A server started by systemd gets its limit from its unit (LimitNOFILE), which systemd can only
grant up to its own hard limit; the kernel caps every process at fs.nr_open and the whole system
at fs.file-max. Pure: the probe module reads the host and hands the figures here.
"""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.refusal import must_be

KERNEL_KEYS = ("fs.nr_open", "fs.file-max")
HEADER = "# Managed by the MySQL tuning toolkit (mysql_limits): a run of provision.yml puts this file back.\n"
FILE_MODE = 0o644


def pam_text(domains: list[str], nofile: int) -> str:
    """The toolkit's limits.d file: soft and hard nofile for each login domain."""
    lines = [f"{domain} {kind} nofile {nofile}\n" for domain in domains for kind in ("soft", "hard")]
    return HEADER + "# Login sessions; the server gets its limit from LimitNOFILE in its unit.\n" + "".join(lines)


def unit_text(nofile: int) -> str:
    """The drop-in for the server's unit: services never read limits.conf."""
    return HEADER + f"[Service]\nLimitNOFILE={nofile}\n"


def files_to_write(wanted: dict, present: dict) -> dict:
    """{path: text} of the files whose content, mode or owner (root, 0644) is not what is wanted.

    ``present`` maps each path to {text, mode, uid, gid} or None when the file is missing.
    """
    return {
        path: text
        for path, text in wanted.items()
        if present.get(path) is None
        or (present[path]["text"], present[path]["mode"], present[path]["uid"], present[path]["gid"])
        != (text, FILE_MODE, 0, 0)
    }


def plan(nofile: int, pid1_hard: int | None, kernel: dict, kernel_writable: bool) -> dict:
    """What to refuse and which kernel settings to raise.

    ``kernel`` maps KERNEL_KEYS to their current values (None: not managed or unreadable). Whether
    the running server needs a restart is mysql_tune's: its open_files_limit follows the unit's.
    """
    refusal = None
    if pid1_hard is not None and nofile > pid1_hard:
        refusal = must_be(
            "mysql_limits_nofile",
            nofile,
            f"at most {pid1_hard}, the hard open-files limit of PID 1 (systemd cannot grant a service "
            "more); lower it or raise the limit PID 1 starts with",
        )
    raise_kernel = {}
    if kernel_writable:
        raise_kernel = {key: nofile for key, now in kernel.items() if now is not None and now < nofile}
    return {
        "refusal": refusal,
        "kernel": raise_kernel,
        "kernel_note": None
        if kernel_writable or not kernel
        else "kernel limits (fs.nr_open, fs.file-max) left alone: /proc/sys is read-only here (a container), "
        "so the host's kernel settings apply",
    }
