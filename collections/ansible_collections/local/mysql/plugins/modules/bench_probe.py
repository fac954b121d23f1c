#!/usr/bin/python
"""Ansible module: what the load test needs to know about a host before it creates anything."""

from __future__ import annotations

DOCUMENTATION = r"""
module: bench_probe
short_description: Read the server and the datadir's filesystem before a load test, changing nothing
description:
  - Over the local socket as root - the connections other than this one, the schemas, whether the
    benchmark schema exists and holds the toolkit's marker table, whether the benchmark account
    exists, and the server's variables.
  - The datadir's filesystem's size and free space, and which of the toolkit's configuration
    files (drop-in, its aside copy, the dedicated drop-in) exist.
  - The CPUs this host lets a process run on (for disjoint server and client CPU sets) and
    C(MemTotal), the memory a server that cannot see its cgroup believes it has.
options:
  socket: {description: The server's socket., type: path, required: true}
  schema: {description: The benchmark schema., type: str, required: true}
  user: {description: The benchmark account's name., type: str, required: true}
  datadir: {description: The server's datadir., type: path, required: true}
  settle:
    description: >-
      Seconds to wait for connections other than the server's own and the benchmark's to go
      away (a restart runs the distribution's start-up checks, which connect for a moment).
    type: int
    default: 15
  files:
    description: Name to path of the toolkit's configuration files (dropin, aside, dedicated).
    type: dict
    required: true
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Look at the host before the load test
  local.mysql.bench_probe:
    socket: /run/mysqld/mysqld.sock
    schema: mysql_bench
    user: mysql_bench
    datadir: /var/lib/mysql
    files: {dropin: /etc/mysql/mysql.conf.d/zz-mysql-tuning.cnf}
"""

RETURN = r"""
probe:
  description: >-
    processlist, schemas, schema_exists, marker_present, user_exists, variables, free_bytes,
    filesystem_bytes, files (name to whether it exists), cpus (the CPUs allowed), mem_total and
    binlogs (the binary logs, oldest first; null when binary logging is off).
  type: dict
  returned: success
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.bench import MARKER_TABLE, other_connections
from ansible_collections.local.mysql.plugins.module_utils.host import parse_meminfo
from ansible_collections.local.mysql.plugins.module_utils.live import (
    binary_logs,
    connect_or_fail,
    global_variables,
    table_exists,
)


def mem_total():
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            return parse_meminfo(handle.read())
    except (OSError, ValueError):
        return None


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "schema": {"type": "str", "required": True},
            "user": {"type": "str", "required": True},
            "datadir": {"type": "path", "required": True},
            "files": {"type": "dict", "required": True},
            "settle": {"type": "int", "default": 15},
        },
        supports_check_mode=True,
    )
    params = module.params
    connection = connect_or_fail(module, params["socket"])
    with connection.cursor() as cursor:
        deadline = time.monotonic() + params["settle"]
        while True:
            cursor.execute(
                "SELECT ID, USER, HOST, DB, COMMAND FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()"
            )
            processlist = [dict(zip(("id", "user", "host", "db", "command"), row)) for row in cursor.fetchall()]
            if not other_connections(processlist, params["user"]) or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        cursor.execute("SHOW DATABASES")
        schemas = [row[0] for row in cursor.fetchall()]
        marker_present = table_exists(cursor, params["schema"], MARKER_TABLE)
        cursor.execute("SELECT COUNT(*) FROM mysql.user WHERE User = %s", (params["user"],))
        user_exists = cursor.fetchone()[0] > 0
        variables = global_variables(cursor)
        binlogs = binary_logs(cursor)
    connection.close()
    try:
        stat = os.statvfs(params["datadir"])
    except OSError as error:
        module.fail_json(msg=f"cannot read the datadir's filesystem: {error}")
    probe = {
        "processlist": processlist,
        "schemas": schemas,
        "schema_exists": params["schema"] in schemas,
        "marker_present": marker_present,
        "user_exists": user_exists,
        "variables": variables,
        "free_bytes": stat.f_bavail * stat.f_frsize,
        "filesystem_bytes": stat.f_blocks * stat.f_frsize,
        "files": {name: bool(path) and os.path.exists(path) for name, path in params["files"].items()},
        "cpus": sorted(os.sched_getaffinity(0)),
        "mem_total": mem_total(),
        "binlogs": binlogs,
    }
    module.exit_json(changed=False, probe=probe)


if __name__ == "__main__":
    main()
