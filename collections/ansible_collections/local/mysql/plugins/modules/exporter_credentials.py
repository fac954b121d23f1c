#!/usr/bin/python
"""Ansible module: a client file (the exporter's, the backups'), with a password made on the host once and kept."""

DOCUMENTATION = r"""
module: exporter_credentials
short_description: Write the metrics exporter's client file, keeping its password across runs
description:
  - Reads the client file (C([client]) user, password, socket) if it exists and keeps its
    password; otherwise makes a random one. Writes the file only when its content, owner or
    mode differ, readable by its owner alone (0600).
  - Returns the password for the account the file logs in with, for the task that creates the
    account (run that task and this one with C(no_log)).
  - Check mode says whether the file would change and writes nothing (before the exporter's
    package made its user, that it would be written).
options:
  path:
    description: The client file.
    type: path
    required: true
  user:
    description: The account name.
    type: str
    required: true
  socket:
    description: The server's socket.
    type: path
    required: true
  owner:
    description: The exporter's system user, who alone may read the file.
    type: str
    required: true
  password:
    description:
      - The password to keep instead (a replication member's, the same on every member, since
        the primary's account replicates to the others); empty makes one on the host once.
    type: str
    default: ""
    no_log: true
  role:
    description: The role named in the file's first line, the one that writes it.
    type: str
    default: mysql_monitor
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Exporter credentials
  local.mysql.exporter_credentials:
    path: /etc/prometheus/mysqld-exporter.cnf
    user: mysqld_exporter
    socket: /run/mysqld/mysqld.sock
    owner: prometheus
  register: credentials
"""

RETURN = r"""
password:
  description: The account's password (run the task with no_log).
  type: str
  returned: success
"""

import configparser
import os
import pwd
import secrets

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.observe import replace_file


def client_file(user: str, password: str, socket: str, role: str) -> str:
    return f"# Written by the {role} role.\n[client]\nuser={user}\npassword={password}\nsocket={socket}\n"


def stored_password(path: str) -> str | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError):
        return None
    return parser.get("client", "password", fallback=None) or None


def main():
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "user": {"type": "str", "required": True},
            "socket": {"type": "path", "required": True},
            "owner": {"type": "str", "required": True},
            "password": {"type": "str", "default": "", "no_log": True},
            "role": {"type": "str", "default": "mysql_monitor"},
        },
        supports_check_mode=True,
    )
    path, owner = module.params["path"], module.params["owner"]
    try:
        account = pwd.getpwnam(owner)
    except KeyError:
        if module.check_mode:
            # the package that makes the user is not installed yet: a run would write the file
            module.exit_json(changed=True, password="")
        module.fail_json(msg=f"no system user {owner} to own {path}")
    password = module.params["password"] or stored_password(path) or secrets.token_urlsafe(24)
    wanted = client_file(module.params["user"], password, module.params["socket"], module.params["role"])
    try:
        with open(path, encoding="utf-8") as handle:
            current = handle.read()
        status = os.stat(path)
        same = current == wanted and (status.st_uid, status.st_mode & 0o777) == (account.pw_uid, 0o600)
    except FileNotFoundError:
        same = False
    if not same and not module.check_mode:
        replace_file(path, wanted, 0o600, (account.pw_uid, account.pw_gid))
    module.exit_json(changed=not same, password=password)


if __name__ == "__main__":
    main()
