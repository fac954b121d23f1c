#!/usr/bin/python
"""Ansible module: compare a provisioned host with the intent its fact file records."""

from __future__ import annotations

DOCUMENTATION = r"""
module: drift_probe
short_description: Report every difference between the recorded intent and the host, changing nothing
description:
  - Reads the intent from C(/etc/ansible/facts.d/mysql_tuning.fact) and looks at the drop-in,
    the live C(SHOW GLOBAL VARIABLES), the unit's C(LimitNOFILE) drop-in and effective value,
    the running server's open-files limit, the limits.d entries and, where a RAID controller
    was found, the learn timer.
  - Returns one row per difference. Never changes anything, so it reports C(changed=false)
    and runs the same in check mode.
options:
  fact_path:
    description: The fact file.
    type: path
    default: /etc/ansible/facts.d/mysql_tuning.fact
  socket:
    description: The server's socket; by default the one the fact file records.
    type: path
  service:
    description: The server's systemd unit; by default the one the fact file records.
    type: str
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Look for drift
  local.mysql.drift_probe:
  register: drift
"""

RETURN = r"""
differences:
  description: Rows of area, item, intended and actual.
  type: list
  returned: success
disk_class:
  description: The disk class the sizing used, the device's own report and why (from the fact file).
  type: dict
  returned: success
"""

import json
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.drift import compare, parse_dropin, parse_pam_limits
from ansible_collections.local.mysql.plugins.module_utils.live import MISSING_DRIVER, connect, global_variables, pymysql


def read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return None


def systemctl_show(module, unit, prop):
    rc, out, _err = module.run_command(["systemctl", "show", "--property", prop, "--value", unit])
    return out.strip() if rc == 0 else None


def live_variables(module, socket):
    if pymysql is None:
        module.fail_json(msg=MISSING_DRIVER)
    try:
        connection = connect(socket)
    except pymysql.MySQLError as error:
        return {"__unreachable__": str(error)}
    try:
        return global_variables(connection.cursor())
    finally:
        connection.close()


def main():
    module = AnsibleModule(
        argument_spec={
            "fact_path": {"type": "path", "default": "/etc/ansible/facts.d/mysql_tuning.fact"},
            "socket": {"type": "path"},
            "service": {"type": "str"},
        },
        supports_check_mode=True,
    )
    text = read(module.params["fact_path"])
    if text is None:
        module.fail_json(msg=f"{module.params['fact_path']} is missing: this host was never provisioned")
    facts = json.loads(text)
    sizing = facts.get("sizing") or {}
    limits = sizing.get("limits") or {}
    server = sizing.get("server") or {}
    service = module.params["service"] or server.get("service")
    socket = module.params["socket"] or server.get("socket")
    if not service or not socket:
        module.fail_json(msg="the fact file records no server (service, socket): run provision.yml first")

    dropin_text = read(sizing.get("dropin", ""))
    unit_text = read(limits.get("unit_dropin", "")) or ""
    unit_match = re.search(r"^LimitNOFILE=(\S+)", unit_text, re.MULTILINE)
    pid = systemctl_show(module, service, "MainPID")
    process_text = read(f"/proc/{pid}/limits") if pid and pid != "0" else None
    process_match = re.search(r"^Max open files\s+(\S+)", process_text or "", re.MULTILINE)
    timer_text = read("/etc/systemd/system/mysql-raid-learn.timer") or ""
    calendar = re.search(r"^OnCalendar=(.+)$", timer_text, re.MULTILINE)
    observed = {
        "dropin": parse_dropin(dropin_text) if dropin_text is not None else None,
        "live": live_variables(module, socket),
        "unit_dropin_limit": unit_match.group(1) if unit_match else None,
        "unit_limit": systemctl_show(module, service, "LimitNOFILE"),
        "process_limit": process_match.group(1) if process_match else None,
        "pam": parse_pam_limits(read(limits.get("pam_file", "")) or ""),
        "timer": {
            "enabled": systemctl_show(module, "mysql-raid-learn.timer", "UnitFileState"),
            "active": systemctl_show(module, "mysql-raid-learn.timer", "ActiveState"),
            "calendar": calendar.group(1).strip() if calendar else None,
        },
    }
    rows = compare(facts, observed)
    module.exit_json(changed=False, differences=rows, disk_class=sizing.get("disk_class"))


if __name__ == "__main__":
    main()
