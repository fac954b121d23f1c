#!/usr/bin/python
"""Ansible module: which backup a restore starts from, whether its files are whole, what it replays."""

from __future__ import annotations

DOCUMENTATION = r"""
module: restore_probe
short_description: Choose the backup to restore, check its files against its manifest, list the logs to replay
description:
  - Reads the good backups in I(target) (those with a manifest, see C(module_utils/backup.py))
    and the archived binary logs in its C(binlog) directory, chooses the named backup or the
    newest good one, and lists the archived logs a replay from its position reads, refusing a
    gap in their numbers.
  - Recomputes the chosen backup's checksum over its files and refuses a backup whose files
    differ from its manifest. Changes nothing; safe in check mode.
options:
  target:
    description: C(mysql_backup_dir) as the fact file records it.
    type: path
    required: true
  backup:
    description: The backup's name (its start time, UTC); empty for the newest good one.
    type: str
    default: ""
  until:
    description:
      - The replay's end, before its first event at or after a UTC time C(YYYY-MM-DD HH:MM:SS), or
        before one transaction's GTID (MySQL C(source_uuid[:tag]:N), MariaDB
        C(domain-server-sequence)); empty replays all, C(none) nothing.
    type: str
    default: ""
  onto:
    description:
      - When the backup goes onto another host, that host's name (C(host)) and its server's
        C(flavor) and C(version) as its fact file records them, and the name of the host the
        backups are of (C(source)); a backup the server cannot start on is refused.
    type: dict
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Plan the restore
  local.mysql.restore_probe:
    target: /var/backups/mysql
    until: "2026-12-06 10:41:00"
  register: restore
"""

RETURN = r"""
problem: {description: Why the restore cannot go on (empty when it can), type: str, returned: success}
backup: {description: The chosen backup's manifest, type: dict, returned: success}
data: {description: The chosen backup's data directory, type: str, returned: success}
replay: {description: The archived logs to replay, in order, with their paths, type: list, returned: success}
reader:
  description: "The binary-log reader's arguments: the backup's position, the replay's end"
  type: list
  returned: success
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils import backup, gtid


def main():
    module = AnsibleModule(
        argument_spec={
            "target": {"type": "path", "required": True},
            "backup": {"type": "str", "default": ""},
            "until": {"type": "str", "default": ""},
            "onto": {"type": "dict"},
        },
        supports_check_mode=True,
    )
    target = module.params["target"]
    folder = os.path.join(target, "binlog")
    archived = (
        [name for name in os.listdir(folder) if not name.startswith(".") and not name.endswith(".partial")]
        if os.path.isdir(folder)
        else []
    )
    found = backup.read_catalog(target)
    plan = backup.restore_plan(found["good"], archived, module.params["backup"], module.params["until"])
    data = ""
    if plan["backup"]:
        data = os.path.join(target, plan["backup"]["name"], backup.DATA)
        taken = plan["backup"]
        onto = module.params["onto"]
        until = module.params["until"]
        if backup.GTID_UNTIL.fullmatch(until) and not plan["problem"]:
            bound, plan["problem"] = gtid.replay_stop(taken["flavor"], until, taken["position"].get("gtid", ""))
            plan["reader"] += bound
        if onto and not plan["problem"]:
            plan["problem"] = backup.onto_problem(taken, onto["source"], onto, onto["host"])
        if not plan["problem"] and backup.tree_digest(data) != (taken["sha256"], taken["bytes"], taken["files"]):
            plan["problem"] = f"backup {taken['name']}: its files differ from its manifest (checksum, size or count)"
    module.exit_json(
        changed=False,
        problem=plan["problem"],
        backup=plan["backup"] or {},
        data=data,
        replay=[os.path.join(folder, name) for name in plan["replay"]],
        reader=plan.get("reader", []),
    )


if __name__ == "__main__":
    main()
