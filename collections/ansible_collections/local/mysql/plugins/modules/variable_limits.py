#!/usr/bin/python
"""Ansible module: check mysql_tune_overrides against the running server's own limits."""

DOCUMENTATION = r"""
module: variable_limits
short_description: Check override values by the type and range the running server gives each variable
description:
  - Reads the limits of the overridden variables from the running server (MariaDB
    C(information_schema.SYSTEM_VARIABLES) types, ranges and choices; MySQL
    C(performance_schema.variables_info) ranges and the live values) and fails, changing nothing,
    naming each override whose value the server would refuse or adjust.
  - A name the server shows no variable for is left to the server's checker (a start-up option).
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
  overrides:
    description: mysql_tune_overrides.
    type: dict
    required: true
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Check the overrides against the server
  local.mysql.variable_limits:
    socket: /run/mysqld/mysqld.sock
    flavor: mysql
    overrides: {max_connections: 500}
"""

RETURN = r"""
limits:
  description: Name to {kind, whole, low, high, choices} of each overridden variable the server shows.
  type: dict
  returned: success
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.flavor import FLAVOR_NAMES
from ansible_collections.local.mysql.plugins.module_utils.live import connect_or_fail, pymysql
from ansible_collections.local.mysql.plugins.module_utils.overrides import limit_problems, mariadb_limits, mysql_limits

MARIADB = (
    "SELECT VARIABLE_NAME, VARIABLE_TYPE, NUMERIC_MIN_VALUE, NUMERIC_MAX_VALUE, ENUM_VALUE_LIST"
    " FROM information_schema.SYSTEM_VARIABLES WHERE LOWER(VARIABLE_NAME) IN ({names})"
)
MYSQL = (
    "SELECT VARIABLE_NAME, MIN_VALUE, MAX_VALUE FROM performance_schema.variables_info WHERE VARIABLE_NAME IN ({names})"
)
VALUES = (
    "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM performance_schema.global_variables WHERE VARIABLE_NAME IN ({names})"
)


def read_limits(cursor, flavor: str, names: list[str]) -> dict:
    marks = ", ".join(["%s"] * len(names))
    if flavor == "mariadb":
        cursor.execute(MARIADB.format(names=marks), names)
        return mariadb_limits(cursor.fetchall())
    cursor.execute(MYSQL.format(names=marks), names)
    rows = cursor.fetchall()
    cursor.execute(VALUES.format(names=marks), names)
    return mysql_limits(rows, {str(name).lower(): value for name, value in cursor.fetchall()})


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "flavor": {"type": "str", "required": True, "choices": ["mysql", "mariadb"]},
            "overrides": {"type": "dict", "required": True},
        },
        supports_check_mode=True,
    )
    overrides, flavor = module.params["overrides"], module.params["flavor"]
    names = sorted({str(name).lower() for name in overrides})
    if not names:
        module.exit_json(changed=False, limits={})
    connection = connect_or_fail(module, module.params["socket"])
    try:
        cursor = connection.cursor()
        limits = read_limits(cursor, flavor, names)
        cursor.execute("SELECT VERSION()")
        version = str(cursor.fetchone()[0]).split("-", 1)[0]
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"reading the server's variable limits failed: {error}")
    finally:
        connection.close()
    problems = limit_problems(overrides, limits, f"{FLAVOR_NAMES[flavor]} {version}")
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems, limits=limits)
    module.exit_json(changed=False, limits=limits)


if __name__ == "__main__":
    main()
