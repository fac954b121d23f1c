#!/usr/bin/python
"""Ansible module: seed a MySQL replica with a clone of its source."""

from __future__ import annotations

DOCUMENTATION = r"""
module: replica_clone
short_description: Replace a MySQL replica's data with a clone of its source (CLONE INSTANCE FROM)
description:
  - Runs C(CLONE INSTANCE FROM) with the replication account (the source grants it
    C(BACKUP_ADMIN)); both servers load the clone plugin from the tuning drop-in. The replica's
    data is replaced by the source's, with the source's executed GTIDs, and the server restarts.
  - Waits for the server to come back (starting its unit when nothing restarted it within
    I(restart_wait) seconds) and reads C(performance_schema.clone_status); anything but
    C(Completed) fails with the clone's own error.
  - In check mode it reports what it would do and sends nothing. The password is C(no_log).
options:
  socket:
    description: The replica's socket.
    type: path
    required: true
  service:
    description: The replica's systemd unit.
    type: str
    required: true
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
  restart_wait:
    description: Seconds to wait for the server to restart by itself before starting its unit.
    type: int
    default: 60
  timeout:
    description: Seconds the server has to answer again after the clone.
    type: int
    default: 600
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Seed the replica from its source
  local.mysql.replica_clone:
    socket: /run/mysqld/mysqld.sock
    service: mysql
    source: {host: 198.18.0.11, port: 3306, user: repl}
    password: "{{ mysql_replication_password }}"
"""

RETURN = r"""
state:
  description: The clone's state as the server records it (C(Completed)).
  type: str
  returned: success
gtid_executed:
  description: The replica's executed GTIDs after the clone (the source's at its end).
  type: str
  returned: success
"""

import contextlib
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.live import connect, connect_or_fail, connect_tcp, pymysql
from ansible_collections.local.mysql.plugins.module_utils.replica import Source, clone_failure, clone_statements


def answering(socket: str):
    try:
        return connect(socket)
    except pymysql.MySQLError:
        return None


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "service": {"type": "str", "required": True},
            "source": {"type": "dict", "required": True},
            "password": {"type": "str", "required": True, "no_log": True},
            "tls": {"type": "bool", "default": True},
            "restart_wait": {"type": "int", "default": 60},
            "timeout": {"type": "int", "default": 600},
        },
        supports_check_mode=True,
    )
    params = module.params
    given = params["source"]
    source = Source(str(given["host"]), int(given["port"]), str(given["user"]))
    if module.check_mode:
        module.exit_json(changed=True, state="not run (check mode)", gtid_executed="")
    try:
        donor = connect_tcp(source.host, source.port, source.user, params["password"], params["tls"])
        try:
            cursor = donor.cursor()
            cursor.execute("SELECT @@GLOBAL.gtid_executed")
            source_before = str(cursor.fetchone()[0] or "")
        finally:
            donor.close()
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"cannot reach the source {source.host}:{source.port} as {source.user}: {error}")
    connection = connect_or_fail(module, params["socket"])
    try:
        cursor = connection.cursor()
        # the data is replaced and the server restarts on its drop-in, super_read_only ON again
        cursor.execute("SET GLOBAL super_read_only = OFF")
        for text, args in clone_statements(source, params["password"], params["tls"]):
            cursor.execute(text, args)
    except pymysql.MySQLError as error:
        # the server ends the session when it restarts after the clone: that is the clone working
        if error.args and error.args[0] not in (2013, 3707):
            module.fail_json(msg=f"the clone from {source.host}:{source.port} failed: {error.args[-1]}")
    finally:
        # the session may be gone with the server's restart
        with contextlib.suppress(pymysql.MySQLError):
            connection.close()

    deadline = time.monotonic() + params["timeout"]
    started = time.monotonic() + params["restart_wait"]
    back = None
    while back is None and time.monotonic() < deadline:
        time.sleep(2)
        back = answering(params["socket"])
        if back is None and time.monotonic() > started:
            module.run_command(["systemctl", "start", params["service"]])
            started = deadline
    if back is None:
        module.fail_json(msg=f"the server did not answer within {params['timeout']} s after the clone")
    try:
        cursor = back.cursor()
        cursor.execute("SELECT STATE, ERROR_NO, ERROR_MESSAGE FROM performance_schema.clone_status")
        recorded = cursor.fetchone()
        cursor.execute("SELECT @@GLOBAL.gtid_executed")
        executed = str(cursor.fetchone()[0] or "").replace("\n", "")
    finally:
        back.close()
    failure = clone_failure(tuple(recorded) if recorded else None, source_before, executed)
    if failure:
        module.fail_json(msg=f"the clone from {source.host} {failure}")
    module.exit_json(changed=True, state="Completed", gtid_executed=executed)


if __name__ == "__main__":
    main()
