#!/usr/bin/python
"""Ansible module: remove what a fresh server ships that nobody should keep."""

DOCUMENTATION = r"""
module: server_secure
short_description: Remove anonymous accounts, root from other hosts and the test database
description:
  - Connects as root over the local socket (socket authentication), reads the accounts and
    schemas, and drops anonymous accounts, root accounts for hosts other than I(local_hosts),
    and the C(test) database, as C(mysql_secure_installation) would.
  - One connection for the whole check; nothing is sent when nothing is to be removed. Check
    mode reports what a run would drop and drops nothing; diff mode lists it.
  - Also returns the running server's own data directory (C(@@datadir)), the one host
    detection probes and fio measures beside, whatever the OS layout's default says, and the
    certificate file it presents (C(@@ssl_cert)).
options:
  socket:
    description: The server's socket.
    type: path
    required: true
  local_hosts:
    description: Hosts root may keep an account for.
    type: list
    elements: str
    default: [localhost, 127.0.0.1, "::1"]
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Secure the server
  local.mysql.server_secure:
    socket: /run/mysqld/mysqld.sock
"""

RETURN = r"""
datadir:
  description: The running server's data directory, without a trailing slash.
  type: str
  returned: success
ssl_cert:
  description: The running server's certificate file (empty when it has none configured).
  type: str
  returned: success
removed:
  description: What was dropped (in check mode, what would be).
  type: list
  elements: str
  returned: success
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.live import connect_or_fail, pymysql
from ansible_collections.local.mysql.plugins.module_utils.secure import removals


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "local_hosts": {"type": "list", "elements": "str", "default": ["localhost", "127.0.0.1", "::1"]},
        },
        supports_check_mode=True,
    )
    connection = connect_or_fail(module, module.params["socket"])
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT User, Host FROM mysql.user")
        accounts = [(str(user), str(host)) for user, host in cursor.fetchall()]
        cursor.execute("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")
        databases = [str(row[0]) for row in cursor.fetchall()]
        cursor.execute("SELECT @@datadir, @@ssl_cert")
        datadir, ssl_cert = cursor.fetchone()
        datadir = str(datadir).rstrip("/") or "/"
        planned = removals(accounts, databases, module.params["local_hosts"])
        if not module.check_mode:
            for removal in planned:
                cursor.execute(removal["statement"], removal["args"] or None)
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"securing the server failed: {error}")
    finally:
        connection.close()
    removed = [removal["what"] for removal in planned]
    result = {"changed": bool(planned), "removed": removed, "datadir": datadir, "ssl_cert": str(ssl_cert or "")}
    if module._diff:
        result["diff"] = {"before": "".join(f"{what}\n" for what in removed), "after": ""}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
