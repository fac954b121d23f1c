#!/usr/bin/python
"""Ansible module: point a replica at its source with GTID auto-positioning, or start it."""

from __future__ import annotations

DOCUMENTATION = r"""
module: replica_apply
short_description: Start a replica, or point it at its source with GTID auto-positioning and start it
description:
  - C(start) starts a replica that is configured and stopped without an error.
  - C(repoint) stops the replica, points it at I(source) with GTID auto-positioning
    (MySQL C(SOURCE_AUTO_POSITION=1), MariaDB C(MASTER_USE_GTID=slave_pos)) in the words the
    server's version takes, and starts it. The password goes as a parameter, never into the
    statement's text, and is C(no_log).
  - Check mode reports what a run would do and sends nothing.
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
  action:
    description: What the replica needs (from C(replica_probe)).
    type: str
    required: true
    choices: [start, repoint]
  source:
    description: The source (C(host), C(port), C(user)).
    type: dict
    required: true
  password:
    description: The replication account's password.
    type: str
    required: true
    no_log: true
  tls:
    description: Require TLS to the source.
    type: bool
    default: true
  position:
    description:
      - MariaDB, a replica seeded from a backup - the backup's GTID position, set as
        C(gtid_slave_pos) before it is pointed at its source. Empty, C(gtid_slave_pos) is set to
        what the server executed itself (C(gtid_current_pos)), so a former primary goes on from
        its own last transaction.
    type: str
    default: ""
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Point the replica at its source
  local.mysql.replica_apply:
    socket: /run/mysqld/mysqld.sock
    flavor: mysql
    version: 9.7.4
    action: repoint
    source: {host: 198.18.0.11, port: 3306, user: repl}
    password: "{{ mysql_replication_password }}"
"""

RETURN = r"""
statements:
  description: The statements sent (or, in check mode, that would be), without their parameters.
  type: list
  elements: str
  returned: success
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.live import connect_or_fail, pymysql
from ansible_collections.local.mysql.plugins.module_utils.replica import (
    Source,
    control,
    position_statements,
    source_statements,
)
from ansible_collections.local.mysql.plugins.module_utils.sizing import version_tuple


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "flavor": {"type": "str", "required": True, "choices": ["mysql", "mariadb"]},
            "version": {"type": "str", "required": True},
            "action": {"type": "str", "required": True, "choices": ["start", "repoint"]},
            "source": {"type": "dict", "required": True},
            "password": {"type": "str", "required": True, "no_log": True},
            "tls": {"type": "bool", "default": True},
            "position": {"type": "str", "default": ""},
        },
        supports_check_mode=True,
    )
    params = module.params
    flavor, version = params["flavor"], version_tuple(params["version"])
    given = params["source"]
    source = Source(str(given["host"]), int(given["port"]), str(given["user"]))
    if params["action"] == "start":
        statements = [(control(flavor, version, "START"), [])]
    else:
        statements = source_statements(flavor, version, source, params["password"], params["tls"])
        if flavor == "mariadb":
            # after the STOP, before the CHANGE MASTER that starts from it
            statements[1:1] = position_statements(params["position"])
    sent = [text for text, _ in statements]
    if module.check_mode:
        module.exit_json(changed=True, statements=sent)
    connection = connect_or_fail(module, params["socket"])
    try:
        cursor = connection.cursor()
        for text, args in statements:
            cursor.execute(text, args or None)
    except pymysql.MySQLError as error:
        # the server's words only: the statement's parameters hold the password
        module.fail_json(msg=f"the replica refused {text.split(' TO ')[0]}: {error.args[-1]}", statements=sent)
    finally:
        connection.close()
    module.exit_json(changed=True, statements=sent)


if __name__ == "__main__":
    main()
