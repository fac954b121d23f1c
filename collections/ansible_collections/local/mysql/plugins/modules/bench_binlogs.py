#!/usr/bin/python
"""Ansible module: purge the binary logs a load test wrote, unless a replica may still need them."""

from __future__ import annotations

DOCUMENTATION = r"""
module: bench_binlogs
short_description: Purge the binary logs a load test wrote when no replica is connected
description:
  - Lists the server's binary logs and its connected replicas (binlog dump threads), decides
    with C(local.mysql.binlog.bench_purge) against the logs listed when the test began, and
    runs C(PURGE BINARY LOGS TO) the log being written. Reports what it purged, read back from
    the server, or why it kept them. Supports check mode.
options:
  socket: {description: The server's socket., type: path, required: true}
  before:
    description: The binary logs when the test began, oldest first; null when binary logging was off.
    type: list
    elements: str
  busy_host:
    description: Whether the test was allowed on a host in use (keeps the logs from before it).
    type: bool
    default: false
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Purge the benchmark's binary logs
  local.mysql.bench_binlogs:
    socket: /run/mysqld/mysqld.sock
    before: [binlog.000001, binlog.000002]
"""

RETURN = r"""
purged: {description: The binary logs removed (or that would be in check mode)., type: list, returned: success}
note: {description: What was purged or why nothing was., type: str, returned: success}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.binlog import bench_purge
from ansible_collections.local.mysql.plugins.module_utils.live import (
    binary_logs,
    connect_or_fail,
    pymysql,
    replica_connections,
)


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "before": {"type": "list", "elements": "str"},
            "busy_host": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    connection = connect_or_fail(module, module.params["socket"])
    try:
        with connection.cursor() as cursor:
            after = binary_logs(cursor)
            decision = bench_purge(
                module.params["before"], after, replica_connections(cursor), module.params["busy_host"]
            )
            purged = []
            if decision["purge_to"]:
                purged = after[: after.index(decision["purge_to"])]
                if not module.check_mode:
                    cursor.execute("PURGE BINARY LOGS TO %s", (decision["purge_to"],))
                    left = binary_logs(cursor) or []
                    purged = [name for name in purged if name not in left]
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"purging the benchmark's binary logs: {error}")
    finally:
        connection.close()
    module.exit_json(changed=bool(purged), purged=purged, note=decision["note"])


if __name__ == "__main__":
    main()
