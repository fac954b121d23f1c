"""What the toolkit reads on a host, read one way: its fact file and the host state it compares.

Every probe, the drift report and the handlers read through here, so that a corrupt fact file
gives one message wherever it is met and each file of the host has one parser.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
from datetime import datetime, timezone

FACT_PATH = "/etc/ansible/facts.d/mysql_tuning.fact"
SECTIONS = ("host", "io", "sizing", "raid", "backup", "os")
# systemd and the kernel write "unlimited"; the kernel's own ceiling for nofile is fs.nr_open.
UNLIMITED_FILES = 1 << 20


class FactFileError(Exception):
    """The fact file exists but cannot be trusted."""


def load_facts(path: str | None = None) -> dict:
    """The fact file's sections; {} when the host was never provisioned.

    A corrupt file is not guessed at or silently replaced: what it recorded (a measurement, the
    last good sizing) decides what a run does, so the administrator looks at it first.
    """
    path = path or FACT_PATH
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    try:
        facts = json.loads(text)
    except ValueError as error:
        raise FactFileError(
            f"{path} is not valid JSON ({error}); move it aside (the next run of provision.yml "
            "measures and records the host again) or repair it"
        ) from None
    if not isinstance(facts, dict):
        raise FactFileError(f"{path} holds a {type(facts).__name__}, not the toolkit's sections; move it aside")
    return facts


def as_recorded(data):
    """``data`` as the fact file would give it back (JSON types, sorted keys)."""
    return json.loads(json.dumps(data, sort_keys=True))


def section_differs(facts: dict, section: str, data) -> bool:
    """Whether writing ``data`` as ``section`` would change the file: a probe says so, so that a
    healthy re-run skips the write."""
    return facts.get(section) != as_recorded(data)


def facts_text(facts: dict) -> str:
    return json.dumps(facts, indent=2, sort_keys=True) + "\n"


def save_facts(path: str | None, facts: dict, atomic_move) -> None:
    """Write the whole file through a temporary one and ``atomic_move`` (AnsibleModule's)."""
    path = path or FACT_PATH
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(facts_text(facts))
    os.chmod(temporary, 0o644)
    atomic_move(temporary, path)


def replace_file(path: str, text: str, mode: int, owner: tuple[int, int] | None = None) -> None:
    """Write ``text`` to a hidden temporary file beside ``path`` with its final mode (and owner),
    then rename it over ``path``: a reader never sees half a file, nor a secret readable by others.

    Not AnsibleModule.atomic_move, which gives the new file the old one's owner and mode.
    """
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    temporary = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    if owner is not None:
        os.chown(temporary, *owner)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def file_state(path: str) -> dict | None:
    """Content, mode and owner of a file; None when it is missing."""
    text = read_text(path)
    if text is None:
        return None
    stat = os.stat(path)
    return {"text": text, "mode": stat.st_mode & 0o7777, "uid": stat.st_uid, "gid": stat.st_gid}


def file_access(path: str) -> dict | None:
    """Owner, group (names where the host has them) and mode ('0640') of a file; None when it is missing."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    try:
        owner = pwd.getpwuid(found.st_uid).pw_name
    except KeyError:
        owner = str(found.st_uid)
    try:
        group = grp.getgrgid(found.st_gid).gr_name
    except KeyError:
        group = str(found.st_gid)
    return {"owner": owner, "group": group, "mode": f"{found.st_mode & 0o7777:04o}"}


def open_files_limits(limits_text: str | None) -> tuple[int, int] | None:
    """(soft, hard) "Max open files" of a /proc/PID/limits text; None when absent."""
    match = re.search(r"^Max open files\s+(\S+)\s+(\S+)", limits_text or "", re.MULTILINE)
    if not match:
        return None
    soft, hard = (UNLIMITED_FILES if value == "unlimited" else int(value) for value in match.groups())
    return soft, hard


def unit_setting(unit_text: str | None, key: str) -> str | None:
    """The value a unit file or drop-in gives ``key`` (the last assignment wins, as in systemd)."""
    values = re.findall(rf"^\s*{re.escape(key)}\s*=\s*(.*?)\s*$", unit_text or "", re.MULTILINE)
    return values[-1] if values else None


def parse_dropin(text: str) -> dict[str, str]:
    """name -> value of the [mysqld] section of a my.cnf drop-in."""
    values, section = {}, None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[]").strip()
        elif section == "mysqld" and stripped and not stripped.startswith(("#", ";")):
            name, _, value = stripped.partition("=")
            values[name.strip().replace("-", "_")] = value.strip()
    return values


def parse_pam_limits(text: str) -> dict[tuple[str, str], str]:
    """(domain, soft|hard) -> value of the nofile lines of a limits.conf file."""
    entries = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) == 4 and fields[2] == "nofile":
            entries[(fields[0], fields[1])] = fields[3]
    return entries


def systemctl_show(run_command, unit: str, prop: str) -> str | None:
    """One property of a unit as systemd has it loaded (``run_command`` is AnsibleModule's)."""
    rc, out, _err = run_command(["systemctl", "show", "--property", prop, "--value", unit])
    return out.strip() if rc == 0 else None


def timer_triggers(run_command, unit: str) -> dict:
    """A timer's next and last trigger in epoch seconds (0 when it has none), as systemd has them.

    systemctl prints them in the local zone (``--timestamp=unix`` does not reach ``show`` before
    systemd 255): asked in UTC, they read the same everywhere.
    """
    found = {}
    for key, prop in (("next", "NextElapseUSecRealtime"), ("last", "LastTriggerUSec")):
        rc, out, _err = run_command(
            ["systemctl", "show", "--property", prop, "--value", unit], environ_update={"TZ": "UTC"}
        )
        try:
            moment = datetime.strptime(out.strip(), "%a %Y-%m-%d %H:%M:%S UTC") if rc == 0 else None
        except ValueError:
            moment = None
        found[key] = int(moment.replace(tzinfo=timezone.utc).timestamp()) if moment else 0
    return found


def process_open_files(run_command, service: str) -> int | None:
    """The soft open-files limit of the service's running main process; None when it is not running."""
    pid = systemctl_show(run_command, service, "MainPID")
    if not pid or pid == "0":
        return None
    limits = open_files_limits(read_text(f"/proc/{pid}/limits"))
    return limits[0] if limits else None


def sysctl(key: str) -> int | None:
    text = read_text("/proc/sys/" + key.replace(".", "/"))
    return int(text.split()[0]) if text and text.split() and text.split()[0].isdigit() else None


def read_only(path: str) -> bool:
    """Whether ``path`` is on a read-only mount (/proc/sys in a container)."""
    return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
