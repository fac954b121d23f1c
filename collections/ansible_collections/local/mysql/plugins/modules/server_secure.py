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
  remove_passwordless:
    description:
      - Also drop the accounts anyone can log in as (an empty authentication string under a
        password plugin); socket-authenticated, locked and the servers' own accounts and
        root@localhost are kept. Only whether the string is empty is read, never the string.
    type: bool
    default: false
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
accounts:
  description: The accounts the server keeps (user, host), for the name-resolution decision.
  type: list
  elements: dict
  returned: success
removed:
  description: What was dropped (in check mode, what would be).
  type: list
  elements: str
  returned: success
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.hardening import passwordless
from ansible_collections.local.mysql.plugins.module_utils.live import connect_or_fail, pymysql
from ansible_collections.local.mysql.plugins.module_utils.secure import removals

# Whether each account has a password, never the hash. MariaDB keeps accounts in
# mysql.global_priv (its mysql.user view shows no lock); its roles are no logins.
MYSQL_ACCOUNTS = "SELECT User, Host, plugin, authentication_string = '', account_locked = 'Y' FROM mysql.user"
MARIADB_ACCOUNTS = (
    "SELECT User, Host, IFNULL(JSON_VALUE(Priv, '$.plugin'), ''),"
    " IFNULL(JSON_VALUE(Priv, '$.authentication_string'), '') = '',"
    " IFNULL(JSON_VALUE(Priv, '$.account_locked'), 'false') = 'true'"
    " FROM mysql.global_priv WHERE IFNULL(JSON_VALUE(Priv, '$.is_role'), 'false') <> 'true'"
)


def read_accounts(cursor) -> list[dict]:
    cursor.execute("SHOW TABLES FROM mysql LIKE 'global_priv'")
    cursor.execute(MARIADB_ACCOUNTS if cursor.fetchall() else MYSQL_ACCOUNTS)
    return [
        {
            "user": str(user),
            "host": str(host),
            "plugin": str(plugin or ""),
            "authentication_string_empty": bool(empty),
            "locked": bool(locked),
        }
        for user, host, plugin, empty, locked in cursor.fetchall()
    ]


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "local_hosts": {"type": "list", "elements": "str", "default": ["localhost", "127.0.0.1", "::1"]},
            "remove_passwordless": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    connection = connect_or_fail(module, module.params["socket"])
    try:
        cursor = connection.cursor()
        found = read_accounts(cursor)
        accounts = [(account["user"], account["host"]) for account in found]
        cursor.execute("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")
        databases = [str(row[0]) for row in cursor.fetchall()]
        cursor.execute("SELECT @@datadir, @@ssl_cert")
        datadir, ssl_cert = cursor.fetchone()
        datadir = str(datadir).rstrip("/") or "/"
        anyone = passwordless(found) if module.params["remove_passwordless"] else []
        planned = removals(accounts, databases, module.params["local_hosts"], anyone)
        if not module.check_mode:
            for removal in planned:
                cursor.execute(removal["statement"], removal["args"] or None)
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"securing the server failed: {error}")
    finally:
        connection.close()
    removed = [removal["what"] for removal in planned]
    # the name-resolution decision reads the accounts that stay
    gone = {tuple(removal["args"]) for removal in planned if removal["args"]}
    kept = [{"user": user, "host": host} for user, host in accounts if (user, host) not in gone]
    result = {
        "changed": bool(planned),
        "removed": removed,
        "accounts": kept,
        "datadir": datadir,
        "ssl_cert": str(ssl_cert or ""),
    }
    if module._diff:
        result["diff"] = {"before": "".join(f"{what}\n" for what in removed), "after": ""}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
