#!/usr/bin/python
"""Ansible module: one step of a planned switchover, on one server."""

from __future__ import annotations

DOCUMENTATION = r"""
module: replication_switch
short_description: One step of a planned switchover - freeze a primary, wait for a replica, promote, thaw
description:
  - C(freeze) makes the server read-only (MySQL C(read_only) and C(super_read_only), MariaDB
    C(read_only)) and returns the GTIDs it has executed, which no later write can extend.
  - C(wait) waits at most I(timeout) seconds until this replica has executed I(gtid)
    (MySQL C(WAIT_FOR_EXECUTED_GTID_SET), MariaDB C(MASTER_GTID_WAIT)) and returns whether it did
    and how many transactions it still lacks. It never fails for being behind; the playbook decides.
  - C(promote) stops replication for good (C(RESET REPLICA ALL)) and makes the server writable.
  - C(thaw) makes a frozen primary writable again (a switchover refused after the freeze).
  - Check mode reports what a step would do and sends nothing.
options:
  socket:
    description: The server's socket.
    type: path
    required: true
  flavor:
    description: The server's flavor.
    type: str
    required: true
    choices: [mysql, mariadb]
  version:
    description: The server's version (C(9.7.4)).
    type: str
    required: true
  step:
    description: What to do.
    type: str
    required: true
    choices: [freeze, wait, promote, thaw]
  gtid:
    description: With C(wait), the GTIDs the old primary executed.
    type: str
    default: ""
  timeout:
    description: With C(wait), seconds at most.
    type: int
    default: 60
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Freeze the old primary
  local.mysql.replication_switch:
    socket: /run/mysqld/mysqld.sock
    flavor: mysql
    version: 9.7.4
    step: freeze
  register: frozen
"""

RETURN = r"""
executed:
  description: The server's executed GTIDs after the step (MariaDB C(gtid_current_pos)).
  type: str
  returned: success
caught_up:
  description: With C(wait), whether the replica executed every GTID asked for.
  type: bool
  returned: success
missing:
  description: With C(wait), the transactions the replica still lacks.
  type: int
  returned: success
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.gtid import missing
from ansible_collections.local.mysql.plugins.module_utils.live import connect_or_fail, pymysql
from ansible_collections.local.mysql.plugins.module_utils.replica import control, switch_statements
from ansible_collections.local.mysql.plugins.module_utils.sizing import version_tuple

EXECUTED = {"mysql": "SELECT @@GLOBAL.gtid_executed", "mariadb": "SELECT @@GLOBAL.gtid_current_pos"}
WAIT = {"mysql": "SELECT WAIT_FOR_EXECUTED_GTID_SET(%s, %s)", "mariadb": "SELECT MASTER_GTID_WAIT(%s, %s)"}


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "flavor": {"type": "str", "required": True, "choices": ["mysql", "mariadb"]},
            "version": {"type": "str", "required": True},
            "step": {"type": "str", "required": True, "choices": ["freeze", "wait", "promote", "thaw"]},
            "gtid": {"type": "str", "default": ""},
            "timeout": {"type": "int", "default": 60},
        },
        supports_check_mode=True,
    )
    params = module.params
    flavor, step = params["flavor"], params["step"]
    statements = (
        switch_statements(flavor, step)
        if step != "promote"
        else [
            (control(flavor, version_tuple(params["version"]), "STOP"), []),
            ("RESET REPLICA ALL" if flavor == "mysql" else "RESET SLAVE ALL", []),
            *switch_statements(flavor, "thaw"),
        ]
    )
    if module.check_mode:
        module.exit_json(changed=step != "wait", executed="", caught_up=False, missing=0)
    connection = connect_or_fail(module, params["socket"])
    result = {"changed": step != "wait"}
    try:
        cursor = connection.cursor()
        for text, args in statements:
            cursor.execute(text, args or None)
        if step == "wait":
            cursor.execute(WAIT[flavor], (params["gtid"], params["timeout"]))
            waited = cursor.fetchone()[0]
            result["caught_up"] = str(waited) == "0"
        cursor.execute(EXECUTED[flavor])
        row = cursor.fetchone() or ("",)
        result["executed"] = str(row[0] or "").replace("\n", "")
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"{step} refused by the server: {error}")
    finally:
        connection.close()
    if step == "wait":
        result["missing"] = missing(flavor, params["gtid"], result["executed"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
