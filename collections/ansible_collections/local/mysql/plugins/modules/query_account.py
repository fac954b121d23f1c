#!/usr/bin/python
"""Ansible module: the query report's own account, made for one run and dropped after it."""

DOCUMENTATION = r"""
module: query_account
short_description: Create or drop the query report's account
description:
  - C(present) creates the account from localhost with I(password) and the least the report
    reads with (PROCESS; SELECT on performance_schema; SELECT and EXECUTE on sys; SELECT on each
    application schema, which C(EXPLAIN) needs), replacing one left by an interrupted run.
  - C(absent) drops it if it exists.
options:
  socket:
    description: The server's socket (root connects through it).
    type: path
    required: true
  user:
    description: The account's name.
    type: str
    required: true
  password:
    description: Its password (C(present)).
    type: str
  state:
    description: Whether the account exists after the run.
    type: str
    choices: [present, absent]
    default: present
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Create the report's account
  local.mysql.query_account:
    socket: /run/mysqld/mysqld.sock
    user: toolkit_report
    password: "{{ password }}"
"""

RETURN = r"""
grants:
  description: The grants given (C(present)).
  type: list
  elements: str
  returned: success
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.live import connect_or_fail, pymysql
from ansible_collections.local.mysql.plugins.module_utils.query_health import account_grants


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "user": {"type": "str", "required": True},
            "password": {"type": "str", "no_log": True},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        },
        required_if=[("state", "present", ["password"])],
        supports_check_mode=True,
    )
    user = module.params["user"]
    connection = connect_or_fail(module, module.params["socket"])
    grants = []
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT COUNT(*) FROM mysql.user WHERE User = %s AND Host = 'localhost'", (user,))
        exists = cursor.fetchone()[0] > 0
        if module.check_mode:
            module.exit_json(changed=exists if module.params["state"] == "absent" else True, grants=[])
        if exists:
            cursor.execute("DROP USER %s@'localhost'", (user,))
        if module.params["state"] == "present":
            cursor.execute("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")
            grants = account_grants([str(row[0]) for row in cursor.fetchall()])
            cursor.execute("CREATE USER %s@'localhost' IDENTIFIED BY %s", (user, module.params["password"]))
            for grant in grants:
                cursor.execute(grant, (user,))
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"the report's account {user}@localhost: {error}")
    finally:
        connection.close()
    module.exit_json(changed=True, grants=grants)


if __name__ == "__main__":
    main()
