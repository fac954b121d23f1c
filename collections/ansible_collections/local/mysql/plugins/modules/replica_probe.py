#!/usr/bin/python
"""Ansible module: a replica's status and what it needs next."""

from __future__ import annotations

DOCUMENTATION = r"""
module: replica_probe
short_description: Read a replica's status and decide what it needs (nothing, a start, a new source, a seed, a DBA)
description:
  - Reads the replica status (MySQL's C(SHOW REPLICA STATUS), MariaDB's C(SHOW SLAVE STATUS)),
    the server's executed GTIDs and whether it is read-only. Changes nothing; safe in check mode.
  - The decision is C(local.mysql.replica.decide) - a replica never configured is seeded from its
    source, one replicating from the named source is left alone, one stopped on an error is
    reported with the server's words and not seeded again unless I(reseed).
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
  source:
    description:
      - Where the inventory says the replica reads from (C(host), C(port), C(user)).
      - Without it only the status is read (what the server replicates from now), no decision.
    type: dict
  reseed:
    description: Seed the replica again from its source whatever its state (its data is replaced).
    type: bool
    default: false
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Read the replica
  local.mysql.replica_probe:
    socket: /run/mysqld/mysqld.sock
    flavor: mysql
    source: {host: 198.18.0.11, port: 3306, user: repl}
  register: replica
"""

RETURN = r"""
status:
  description: The status in the same names for both flavors (configured, source_host, io_running, ...).
  type: dict
  returned: success
decision:
  description: C(action) (none, start, repoint, seed, report) and C(reason).
  type: dict
  returned: when I(source) is given
gtid_executed:
  description: The server's executed GTIDs (MariaDB C(gtid_current_pos)).
  type: str
  returned: success
"""

from dataclasses import asdict

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.live import connect_or_fail, pymysql
from ansible_collections.local.mysql.plugins.module_utils.replica import STATUS_STATEMENT, Source, decide, status

EXECUTED = {"mysql": "SELECT @@GLOBAL.gtid_executed", "mariadb": "SELECT @@GLOBAL.gtid_current_pos"}


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "flavor": {"type": "str", "required": True, "choices": ["mysql", "mariadb"]},
            "source": {"type": "dict"},
            "reseed": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    flavor = module.params["flavor"]
    connection = connect_or_fail(module, module.params["socket"])
    try:
        cursor = connection.cursor(pymysql.cursors.DictCursor)
        cursor.execute(STATUS_STATEMENT[flavor])
        row = cursor.fetchone()
        cursor.execute(EXECUTED[flavor] + " AS executed")
        executed = str(cursor.fetchone()["executed"] or "").replace("\n", "")
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"cannot read the replica status: {error}")
    finally:
        connection.close()
    current = status(row, flavor)
    result = {"changed": False, "status": asdict(current), "gtid_executed": executed}
    given = module.params["source"]
    if given:
        source = Source(str(given["host"]), int(given["port"]), str(given["user"]))
        result["decision"] = asdict(decide(current, source, module.params["reseed"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
