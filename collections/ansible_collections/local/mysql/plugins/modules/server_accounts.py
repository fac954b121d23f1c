#!/usr/bin/python
"""Ansible module: the application accounts, as listed, and no others of the toolkit's."""

DOCUMENTATION = r"""
module: server_accounts
short_description: Create, correct and (when asked) remove the application accounts
description:
  - Connects as root over the local socket and reads every listed account (authentication,
    TLS requirement, connection limit, grants). An account that differs is corrected with
    C(ALTER USER) and its grants are replaced; one that is missing is created.
  - The accounts this module created are recorded in the fact file's C(accounts) section under
    I(owner). One no longer listed is dropped with I(remove_unlisted), else kept and reported in
    C(kept). An account the module did not create for this owner is never touched unless listed.
  - Passwords are compared with the stored hash (C(caching_sha2_password) and
    C(mysql_native_password)), so a healthy run sends nothing. Check mode reports what a run
    would do; diff mode lists the accounts and what differs, never a password.
options:
  socket:
    description: The server's socket.
    type: path
    required: true
  users:
    description: The accounts, one entry per name with its host patterns.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Account name.
        type: str
        required: true
      password:
        description: Account password.
        type: str
        required: true
      hosts:
        description: Host patterns; each makes one account.
        type: list
        elements: str
        default: [localhost]
      priv:
        description: Privileges as C(schema.table:PRIV,PRIV/schema2.*:PRIV).
        type: str
        default: ""
      require_tls:
        description: Refuse the account's connections without TLS.
        type: bool
        default: false
      max_user_connections:
        description: Connections the account may hold at once (0 is no limit of its own).
        type: int
        default: 0
  remove_unlisted:
    description: Drop the accounts this module created before and the list no longer names.
    type: bool
    default: false
  owner:
    description: Whose accounts these are (a role); each owner's list is compared with its own record only.
    type: str
    default: mysql_server
  path:
    description: The fact file (default the toolkit's).
    type: path
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Application accounts
  local.mysql.server_accounts:
    socket: /run/mysqld/mysqld.sock
    users:
      - name: shop
        password: "{{ vault_shop_password }}"
        hosts: [198.18.0.%]
        priv: "shop.*:SELECT,INSERT,UPDATE,DELETE"
        require_tls: true
        max_user_connections: 200
  no_log: true
"""

RETURN = r"""
created:
  description: Accounts created (name@host).
  type: list
  elements: str
  returned: success
altered:
  description: Accounts corrected, each with what differed.
  type: dict
  returned: success
dropped:
  description: Accounts the module had created, no longer listed, dropped.
  type: list
  elements: str
  returned: success
kept:
  description: Accounts the module had created, no longer listed, kept (remove_unlisted is false).
  type: list
  elements: str
  returned: success
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.access import (
    AccessError,
    Current,
    account_statements,
    expand,
    parse_grants,
    unlisted,
)
from ansible_collections.local.mysql.plugins.module_utils.live import connect_or_fail, pymysql
from ansible_collections.local.mysql.plugins.module_utils.observe import FactFileError, load_facts, save_facts

SECTION = "accounts"
TLS_REQUIRED = ("ANY", "X509", "SPECIFIED")


def read_current(cursor, name: str, host: str, row) -> Current:
    plugin, stored, ssl_type, limit = row
    cursor.execute("SHOW GRANTS FOR %s@%s", (name, host))
    return Current(
        plugin=str(plugin or ""),
        stored=stored if isinstance(stored, bytes) else str(stored or "").encode(),
        require_tls=str(ssl_type or "").upper() in TLS_REQUIRED,
        max_user_connections=int(limit or 0),
        grants=parse_grants([str(line[0]) for line in cursor.fetchall()]),
    )


def main():
    user_options = {
        "name": {"type": "str", "required": True},
        "password": {"type": "str", "required": True, "no_log": True},
        "hosts": {"type": "list", "elements": "str", "default": ["localhost"]},
        "priv": {"type": "str", "default": ""},
        "require_tls": {"type": "bool", "default": False},
        "max_user_connections": {"type": "int", "default": 0},
    }
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "users": {"type": "list", "elements": "dict", "required": True, "options": user_options},
            "remove_unlisted": {"type": "bool", "default": False},
            "owner": {"type": "str", "default": "mysql_server"},
            "path": {"type": "path"},
        },
        supports_check_mode=True,
    )
    try:
        facts = load_facts(module.params["path"])
        listed = expand(module.params["users"])
    except (FactFileError, AccessError, ValueError) as error:
        module.fail_json(msg=f"mysql_server_users: {error}")
    owner = module.params["owner"]
    recorded = list((facts.get(SECTION) or {}).get(owner) or [])

    connection = connect_or_fail(module, module.params["socket"])
    created, altered, dropped = [], {}, []
    try:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT User, Host, plugin, authentication_string, ssl_type, max_user_connections FROM mysql.user"
        )
        rows = {f"{user}@{host}": (str(user), str(host), rest) for user, host, *rest in cursor.fetchall()}
        work = []
        for account in listed:
            found = rows.get(account.key)
            current = read_current(cursor, found[0], found[1], found[2]) if found else None
            statements, differs = account_statements(account, current)
            if statements:
                work.append((account.key, statements))
                if current is None:
                    created.append(account.key)
                else:
                    altered[account.key] = differs
        leftovers = unlisted(listed, recorded, list(rows))
        if module.params["remove_unlisted"]:
            for key in leftovers:
                name, _, host = key.rpartition("@")
                work.append((key, [("DROP USER %s@%s", [name, host])]))
                dropped.append(key)
        refused, touched = None, {key for key, _ in work} if module.check_mode else set()
        for key, statements in [] if module.check_mode else work:
            try:
                for statement, args in statements:
                    cursor.execute(statement, args)
                    touched.add(key)
            except pymysql.MySQLError as error:
                # the server's words only: the statement holds the password
                refused = f"mysql_server_users: {key}: the server refused it: {error.args[-1]}"
                break
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"reading the accounts failed: {error}")
    finally:
        connection.close()
    created = [key for key in created if key in touched]
    dropped = [key for key in dropped if key in touched]

    # The record: what this module created and the server still has, less what it dropped. Kept
    # even when the server refused a statement, so that an account created before it stays known.
    keep = [key for key in recorded if key in rows and key not in dropped] + created
    record = sorted(set(keep))
    record_changed = record != sorted(recorded)
    if record_changed and not module.check_mode:
        facts[SECTION] = {**(facts.get(SECTION) or {}), owner: record}
        save_facts(module.params["path"], facts, module.atomic_move)
    if refused:
        module.fail_json(msg=refused, created=created, dropped=dropped)
    kept = [] if module.params["remove_unlisted"] else leftovers
    result = {
        "changed": bool(created or altered or dropped or record_changed),
        "created": created,
        "altered": altered,
        "dropped": dropped,
        "kept": kept,
    }
    if module._diff:
        before = [f"{key}: {', '.join(differs)} differ\n" for key, differs in altered.items()] + [
            f"{key}\n" for key in dropped
        ]
        after = [f"{key}: created\n" for key in created] + [f"{key}: corrected\n" for key in altered]
        result["diff"] = {
            "before_header": "accounts",
            "after_header": "accounts",
            "before": "".join(before),
            "after": "".join(after),
        }
    if kept:
        module.warn(
            f"accounts this toolkit created and mysql_server_users no longer lists are kept: {', '.join(kept)} "
            "(set mysql_server_remove_unlisted_users to true to drop them)"
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
