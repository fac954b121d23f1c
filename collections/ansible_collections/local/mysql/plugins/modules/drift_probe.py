#!/usr/bin/python
"""Ansible module: compare a provisioned host with the intent its fact file records."""

from __future__ import annotations

DOCUMENTATION = r"""
module: drift_probe
short_description: Report every difference between the recorded intent and the host, changing nothing
description:
  - Reads the intent from C(/etc/ansible/facts.d/mysql_tuning.fact) and looks at the drop-in,
    the live C(SHOW GLOBAL VARIABLES), the listed databases' character set and collation,
    the unit's C(LimitNOFILE) drop-in and effective value,
    the running server's open-files limit, the limits.d entries and, where a RAID controller
    was found, the learn timer.
  - Returns one row per difference. Never changes anything, so it reports C(changed=false)
    and runs the same in check mode.
options:
  fact_path:
    description: The fact file (default C(/etc/ansible/facts.d/mysql_tuning.fact)).
    type: path
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

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.drift import compare
from ansible_collections.local.mysql.plugins.module_utils.live import MISSING_DRIVER, connect, global_variables, pymysql
from ansible_collections.local.mysql.plugins.module_utils.observe import (
    FactFileError,
    file_access,
    load_facts,
    parse_dropin,
    parse_pam_limits,
    process_open_files,
    read_text,
    sysctl,
    systemctl_show,
    unit_setting,
)
from ansible_collections.local.mysql.plugins.module_utils.os_tuning import SYSCTL_KEYS, text_digest

TIMER = "mysql-raid-learn.timer"


def read_server(module, socket) -> tuple[dict, dict]:
    """The server's global variables, and each database's character set and collation."""
    if pymysql is None:
        module.fail_json(msg=MISSING_DRIVER)
    try:
        connection = connect(socket)
    except pymysql.MySQLError as error:
        return {"__unreachable__": str(error)}, {}
    try:
        cursor = connection.cursor()
        variables = global_variables(cursor)
        cursor.execute(
            "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA"
        )
        databases = {
            str(name): {"charset": str(charset), "collation": str(collation)}
            for name, charset, collation in cursor.fetchall()
        }
        return variables, databases
    finally:
        connection.close()


def main():
    module = AnsibleModule(
        argument_spec={
            "fact_path": {"type": "path"},
            "socket": {"type": "path"},
            "service": {"type": "str"},
        },
        supports_check_mode=True,
    )
    try:
        facts = load_facts(module.params["fact_path"])
    except FactFileError as error:
        module.fail_json(msg=str(error))
    if not facts:
        module.fail_json(msg="the toolkit's fact file is missing: this host was never provisioned")
    sizing = facts.get("sizing") or {}
    limits = sizing.get("limits") or {}
    server = sizing.get("server") or {}
    service = module.params["service"] or server.get("service")
    socket = module.params["socket"] or server.get("socket")
    if not service or not socket:
        module.fail_json(msg="the fact file records no server (service, socket): run provision.yml first")

    run = module.run_command
    dropin_text = read_text(sizing.get("dropin", ""))
    live, databases = read_server(module, socket)
    observed = {
        "dropin": parse_dropin(dropin_text) if dropin_text is not None else None,
        "live": live,
        "databases": databases,
        "unit_dropin_limit": unit_setting(read_text(limits.get("unit_dropin", "")), "LimitNOFILE"),
        "unit_limit": systemctl_show(run, service, "LimitNOFILE"),
        "process_limit": process_open_files(run, service),
        "pam": parse_pam_limits(read_text(limits.get("pam_file", "")) or ""),
        "timer": {
            "enabled": systemctl_show(run, TIMER, "UnitFileState"),
            "active": systemctl_show(run, TIMER, "ActiveState"),
            "calendar": unit_setting(read_text(f"/etc/systemd/system/{TIMER}"), "OnCalendar"),
        },
    }
    intended_os = facts.get("os") or {}
    observed["os_files"] = {
        path: None if text is None else text_digest(text)
        for path, text in ((path, read_text(path)) for path in intended_os.get("files") or {})
    }
    observed["os_kernel"] = {
        name: sysctl(name)
        for name, item in (intended_os.get("settings") or {}).items()
        if item.get("applies") and name in SYSCTL_KEYS
    }
    observed["dropin_access"] = file_access(sizing.get("dropin", "")) if dropin_text is not None else None
    rows = compare(facts, observed)
    module.exit_json(changed=False, differences=rows, disk_class=sizing.get("disk_class"))


if __name__ == "__main__":
    main()
