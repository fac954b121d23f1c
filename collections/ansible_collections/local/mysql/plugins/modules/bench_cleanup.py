#!/usr/bin/python
"""Ansible module: remove what a load test created: its connections, its marked schema, its account."""

from __future__ import annotations

DOCUMENTATION = r"""
module: bench_cleanup
short_description: Drop the load test's schema (only when it holds the toolkit's marker) and account
description:
  - Only when the schema holds the toolkit's marker table (the role creates the marker before
    the account and drops the account before the schema, so an account of ours never outlives
    its marker) - ends the account's connections (a run stopped midway may have left sysbench
    behind), drops every account of that name, then the schema. A schema or account the
    toolkit did not make is never touched. Idempotent; supports check mode.
options:
  socket: {description: The server's socket., type: path, required: true}
  schema: {description: The benchmark schema., type: str, required: true}
  user: {description: The benchmark account's name., type: str, required: true}
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Clean up after the load test
  local.mysql.bench_cleanup:
    socket: /run/mysqld/mysqld.sock
    schema: mysql_bench
    user: mysql_bench
"""

RETURN = r"""
actions: {description: What was done (or would be in check mode)., type: list, returned: success}
"""

import contextlib
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.bench import MARKER_TABLE
from ansible_collections.local.mysql.plugins.module_utils.live import connect_or_fail, pymysql, table_exists


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "schema": {"type": "str", "required": True},
            "user": {"type": "str", "required": True},
        },
        supports_check_mode=True,
    )
    schema, user = module.params["schema"], module.params["user"]
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", schema):
        module.fail_json(msg=f"not a benchmark schema name: {schema!r}")
    connection = connect_or_fail(module, module.params["socket"])
    actions = []
    with connection.cursor() as cursor:
        marked = table_exists(cursor, schema, MARKER_TABLE)
        sessions, hosts = [], []
        if marked:
            cursor.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = %s", (user,))
            sessions = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT Host FROM mysql.user WHERE User = %s", (user,))
            hosts = [row[0] for row in cursor.fetchall()]
            if sessions:
                actions.append(f"end {len(sessions)} connection(s) of {user}")
            actions += [f"drop account {user}@{host}" for host in hosts]
            actions.append(f"drop schema {schema}")
        if not module.check_mode:
            for session in sessions:
                with contextlib.suppress(pymysql.MySQLError):  # it may have ended by itself meanwhile
                    cursor.execute(f"KILL {int(session)}")
            for host in hosts:
                cursor.execute("DROP USER %s@%s", (user, host))
            if marked:
                cursor.execute(f"DROP DATABASE `{schema}`")
    connection.close()
    module.exit_json(changed=bool(actions), actions=actions)


if __name__ == "__main__":
    main()
