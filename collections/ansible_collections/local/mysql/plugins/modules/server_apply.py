#!/usr/bin/python
"""Ansible module: bring the running server's variables to the intended values, online where it can."""

from __future__ import annotations

DOCUMENTATION = r"""
module: server_apply
short_description: Compare live SHOW GLOBAL VARIABLES with intent and SET GLOBAL what the server takes online
description:
  - Reads the live variables over the local socket as root. Every intended value the server
    does not hold is set with C(SET GLOBAL), in an order that avoids clamping
    (C(innodb_io_capacity_max) before C(innodb_io_capacity) when raising).
  - A variable the server reports as read-only, answers with a warning, or does not show with
    the new value after I(wait) seconds (buffer pool resizing) is returned in
    C(restart_needed), since only a restart with the file applies it.
  - With I(report_only) nothing is set and nothing is reported changed; the differences are
    returned (a check that the server holds every value, as after a restart). In check mode
    nothing is set either, and what would be set is reported changed.
  - With I(probe_restart) (and I(report_only) or check mode), each differing variable is set to
    its own current value, which changes nothing, to learn whether the server takes it online;
    those it refuses are returned in C(restart_needed) before anything has been changed.
  - Diff mode shows the differing variables, live and intended.
options:
  variables:
    description: Variable name to intended value.
    type: dict
    required: true
  socket:
    description: The server's socket.
    type: path
    required: true
  report_only:
    description: Only report the differences; never set a variable.
    type: bool
    default: false
  probe_restart:
    description: With I(report_only), find which differing variables only a restart applies.
    type: bool
    default: false
  wait:
    description: Seconds to wait for values that change in the background (buffer pool resize).
    type: int
    default: 60
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Apply the sizing online
  local.mysql.server_apply:
    variables: "{{ plan.variables }}"
    socket: /run/mysqld/mysqld.sock
  register: applied
"""

RETURN = r"""
differences:
  description: Name to [intended, live] before anything was set (with I(report_only), what the server does not hold).
  type: dict
  returned: success
applied:
  description: Variables set online and now holding the intended value.
  type: list
  returned: success
restart_needed:
  description:
    - Name to [intended, live, reason] for values only a restart applies.
    - With I(report_only), those I(probe_restart) found.
  type: dict
  returned: success
"""

import re
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.live import MISSING_DRIVER, connect, global_variables, pymysql
from ansible_collections.local.mysql.plugins.module_utils.serverconfig import apply_order, differences, same_value

READ_ONLY = 1238  # ER_INCORRECT_GLOBAL_LOCAL_VAR: "Variable 'x' is a read only variable"
NAME = re.compile(r"^[a-z0-9_]+$")


def literal(connection, value):
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else connection.escape(value)


def refusal(error) -> str:
    code = error.args[0] if error.args else None
    return "read-only: needs a restart" if code == READ_ONLY else f"SET refused: {error}"


def restart_only(cursor, before: dict) -> dict:
    """The differing variables the server will not take online.

    Each is set to its own current value: the server answers as it would for the new one, and
    nothing changes.
    """
    found = {}
    for name, (want, have) in before.items():
        try:
            cursor.execute(f"SET GLOBAL {name} = @@GLOBAL.{name}")
        except pymysql.MySQLError as error:
            found[name] = [want, have, refusal(error)]
    return found


def main():
    module = AnsibleModule(
        argument_spec={
            "variables": {"type": "dict", "required": True},
            "socket": {"type": "path", "required": True},
            "report_only": {"type": "bool", "default": False},
            "probe_restart": {"type": "bool", "default": False},
            "wait": {"type": "int", "default": 60},
        },
        supports_check_mode=True,
    )
    if pymysql is None:
        module.fail_json(msg=MISSING_DRIVER)
    intended = module.params["variables"]
    bad = [name for name in intended if not NAME.match(name)]
    if bad:
        module.fail_json(msg=f"not variable names: {bad}")
    try:
        connection = connect(module.params["socket"])
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"cannot reach the server on {module.params['socket']}: {error}")
    cursor = connection.cursor()
    live = global_variables(cursor)
    before = differences(intended, live)
    report = {name: [want, have] for name, (want, have) in before.items()}
    shown = {}
    if module._diff:
        shown["diff"] = {
            "before_header": "live SHOW GLOBAL VARIABLES",
            "after_header": "intended",
            "before": "".join(f"{name} = {have}\n" for name, (_, have) in sorted(before.items())),
            "after": "".join(f"{name} = {want}\n" for name, (want, _) in sorted(before.items())),
        }
    if module.params["report_only"] or module.check_mode or not before:
        restart_needed = restart_only(cursor, before) if module.params["probe_restart"] else {}
        connection.close()
        # A report changes nothing, so says so; check mode says what a real run would change.
        changed = bool(before) and not module.params["report_only"]
        module.exit_json(changed=changed, differences=report, applied=[], restart_needed=restart_needed, **shown)

    restart_needed, pending = {}, []
    for name in apply_order({name: want for name, (want, _) in before.items()}, live):
        try:
            cursor.execute(f"SET GLOBAL {name} = {literal(connection, intended[name])}")
        except pymysql.MySQLError as error:
            restart_needed[name] = [intended[name], live.get(name), refusal(error)]
            continue
        cursor.execute("SHOW WARNINGS")
        warnings = [row[2] for row in cursor.fetchall()]
        if warnings:
            restart_needed[name] = [intended[name], live.get(name), "; ".join(warnings)]
        else:
            pending.append(name)

    deadline = time.monotonic() + module.params["wait"]
    while True:
        now = global_variables(cursor)
        waiting = [name for name in pending if not same_value(intended[name], now.get(name))]
        if not waiting or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    for name in waiting:
        restart_needed[name] = [intended[name], now.get(name), "not applied online"]
    connection.close()
    applied = [name for name in pending if name not in waiting]
    module.exit_json(changed=True, differences=report, applied=applied, restart_needed=restart_needed, **shown)


if __name__ == "__main__":
    main()
