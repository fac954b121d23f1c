#!/usr/bin/python
"""Ansible module: what the next backup needs, and whether the host can give it."""

from __future__ import annotations

DOCUMENTATION = r"""
module: backup_probe
short_description: Read the backup target, the good backups in it and the schedules, and say what stands in the way
description:
  - Reads the target's free space (of its nearest existing directory), the backups in it (good
    ones have a manifest; see C(module_utils/backup.py)), the datadir's size (where the toolkit's
    fact file records the server, else the default datadir), and the next elapses of the backup
    and RAID learn schedules from C(systemd-analyze calendar).
  - "Returns C(problems), each naming the variable: a target inside the datadir, no room for the
    next backup (the last one's measured size, or the datadir's for the first, plus a margin),
    a schedule systemd cannot read, a backup window that overlaps a learn cycle's. Changes
    nothing; safe in check mode."
options:
  target:
    description: C(mysql_backup_dir).
    type: str
    required: true
  schedule:
    description: C(mysql_backup_schedule), a systemd calendar expression.
    type: str
    required: true
  archive_schedule:
    description: C(mysql_backup_archive_schedule), a systemd calendar expression.
    type: str
    default: "*:0/5"
  check_schedule:
    description: C(mysql_backup_check_schedule), a systemd calendar expression (the weekly restore check).
    type: str
    default: "Sat *-*-* 04:00:00"
  window_hours:
    description: Hours a backup is given (longer when the last one took more than half of them).
    type: float
    required: true
  learn_schedule:
    description: C(mysql_raid_learn_schedule), empty when the toolkit does not manage learn cycles.
    type: str
    default: ""
  learn_hours:
    description: Hours a learn cycle keeps a controller write-through.
    type: float
    default: 0
  path:
    description: The fact file (default the toolkit's).
    type: path
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Check the backup target and schedule
  local.mysql.backup_probe:
    target: /var/backups/mysql
    schedule: "*-*-* 00:30:00"
    window_hours: 2
    learn_schedule: "Sun *-*-01..07 03:00:00"
    learn_hours: 12
  register: probe
"""

RETURN = r"""
problems: {description: Why backups cannot run as asked, one message each, type: list, returned: success}
free: {description: Bytes free on the target's filesystem, type: int, returned: success}
datadir_bytes: {description: Bytes under the datadir, type: int, returned: success}
good: {description: The good backups' manifests, oldest first, type: list, returned: success}
incomplete:
  description: Backup directories without a manifest (removed by the next backup).
  type: list
  returned: success
"""

import os
import shutil

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils import backup
from ansible_collections.local.mysql.plugins.module_utils.observe import FactFileError, load_facts

DEFAULT_DATADIR = "/var/lib/mysql"
# a daily schedule's year; a learn schedule is read over the same span
BACKUP_ITERATIONS = 366
LEARN_ITERATIONS = 13


def existing_parent(path: str) -> str:
    while not os.path.isdir(path):
        path = os.path.dirname(path) or "/"
    return path


def calendar(module, expression: str, iterations: int):
    """The next elapses, or None when systemd cannot read the expression."""
    rc, out, _err = module.run_command(
        ["systemd-analyze", "calendar", f"--iterations={iterations}", expression], check_rc=False
    )
    return backup.elapses(out) if rc == 0 else None


def main():
    module = AnsibleModule(
        argument_spec={
            "target": {"type": "str", "required": True},
            "schedule": {"type": "str", "required": True},
            "archive_schedule": {"type": "str", "default": "*:0/5"},
            "check_schedule": {"type": "str", "default": "Sat *-*-* 04:00:00"},
            "window_hours": {"type": "float", "required": True},
            "learn_schedule": {"type": "str", "default": ""},
            "learn_hours": {"type": "float", "default": 0},
            "path": {"type": "path"},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        server = load_facts(params["path"]).get("sizing", {}).get("server", {})
    except FactFileError as error:
        module.fail_json(msg=str(error))
    datadir = server.get("datadir") or DEFAULT_DATADIR
    target = params["target"]
    problems = []
    place = backup.target_problem(target, datadir)
    if place:
        module.exit_json(changed=False, problems=[place], free=0, datadir_bytes=0, good=[], incomplete=[])
    found = backup.read_catalog(target)
    free = shutil.disk_usage(existing_parent(target)).free
    datadir_bytes = backup.tree_bytes(datadir)
    room = backup.room_problem(target, free, found["good"], datadir_bytes)
    if room:
        problems.append(room)
    archive = params["archive_schedule"]
    if calendar(module, archive, 1) is None:
        problems.append(f"mysql_backup_archive_schedule '{archive}': not a systemd calendar expression")
    seconds = backup.window_seconds(found["good"], params["window_hours"])
    learns = (calendar(module, params["learn_schedule"], LEARN_ITERATIONS) or []) if params["learn_schedule"] else []
    # the backups and the weekly restore check each read the whole data: both stay clear of learns
    for variable, key in (("mysql_backup_schedule", "schedule"), ("mysql_backup_check_schedule", "check_schedule")):
        starts = calendar(module, params[key], BACKUP_ITERATIONS)
        if starts is None:
            problems.append(f"{variable} '{params[key]}': not a systemd calendar expression")
            continue
        clashes = backup.overlaps(starts, seconds, learns, params["learn_hours"] * backup.HOUR)
        clash = backup.schedule_problem(
            params[key], params["learn_schedule"], clashes, seconds, params["learn_hours"], variable
        )
        if clash:
            problems.append(clash)
    module.exit_json(
        changed=False,
        problems=problems,
        free=free,
        datadir_bytes=datadir_bytes,
        good=found["good"],
        incomplete=found["incomplete"],
    )


if __name__ == "__main__":
    main()
