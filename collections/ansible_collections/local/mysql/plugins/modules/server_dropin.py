#!/usr/bin/python
"""Ansible module: install a my.cnf drop-in only after the server's own checker accepts it."""

from __future__ import annotations

DOCUMENTATION = r"""
module: server_dropin
short_description: Check a my.cnf drop-in with the server's own checker, keep the last good one, install it
description:
  - Writes I(content) to a candidate file next to I(dest) and runs the server's checker on it
    (MySQL C(--validate-config); MariaDB C(--verbose --help), whose warnings about adjusted
    values and removed options count as refusals). On refusal the play fails with the server's
    words and I(dest) is untouched.
  - On success the file in place is kept as C(DEST.last-good) and the candidate moved over it.
  - Check mode changes nothing, but still has the server check the new file (written to a
    temporary file of its own and removed, never to I(dest)), so a refused value shows in check mode.
  - Diff mode shows the file in place and the new one.
options:
  dest:
    description: The drop-in's path.
    type: path
    required: true
  content:
    description: The drop-in's full text.
    type: str
    required: true
  flavor:
    description: The server flavor.
    type: str
    required: true
    choices: [mysql, mariadb]
  daemon:
    description: The server binary that checks the file.
    type: path
    required: true
  user:
    description: The account the server runs as.
    type: str
    default: mysql
  group:
    description: The drop-in's group (root owns it); the server's when only it may read the file.
    type: str
    default: root
  mode:
    description: The drop-in's mode (octal string), also that of its last good copy.
    type: str
    default: "0644"
  directories:
    description:
      - Directories the drop-in names (the slow-query log's), made or corrected (owner, group, mode)
        before the server checks the file, whether or not the file changes.
    type: list
    elements: dict
    default: []
    suboptions:
      path: {description: The directory., type: path, required: true}
      owner: {description: Its owner., type: str, required: true}
      group: {description: Its group., type: str, required: true}
      mode: {description: Its mode (octal string)., type: str, required: true}
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Install the tuning drop-in
  local.mysql.server_dropin:
    dest: /etc/mysql/mysql.conf.d/zz-mysql-tuning.cnf
    content: "{{ lookup('ansible.builtin.template', 'tuning.cnf.j2') }}"
    flavor: mysql
    daemon: /usr/sbin/mysqld
"""

RETURN = r"""
backup:
  description: Path of the previous file kept as the last good one, or empty when there was none.
  type: str
  returned: changed
refusals:
  description: What the server's checker refused.
  type: list
  returned: failure
checked:
  description: In check mode, whether the server's checker ran (not before the server is installed).
  type: bool
  returned: check mode, changed
"""

import grp
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.serverconfig import refusals

BACKUP_SUFFIX = ".last-good"


def read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def restrict(path, params):
    """root's, the configured group and mode."""
    os.chown(path, 0, grp.getgrnam(params["group"]).gr_gid)
    os.chmod(path, int(params["mode"], 8))


def write(path, content, params):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(content)
    restrict(path, params)


def checker_command(params, path):
    command = [params["daemon"], f"--defaults-file={path}", f"--user={params['user']}"]
    return [*command, "--validate-config"] if params["flavor"] == "mysql" else [*command, "--verbose", "--help"]


def check(module, candidate, content, dest):
    """Write ``content`` to ``candidate`` and have the server check it; fail (removing it) if refused."""
    write(candidate, content, module.params)
    rc, out, err = module.run_command(checker_command(module.params, candidate), environ_update={"LC_ALL": "C"})
    refused = refusals(rc, err + out if module.params["flavor"] == "mariadb" else err)
    if refused:
        os.unlink(candidate)
        module.fail_json(
            msg=f"the server refuses the new {dest} (left unchanged): " + " | ".join(refused),
            refusals=refused,
        )


def ensure_directories(module, directories) -> bool:
    """Make each directory or correct its owner, group and mode; in check mode only say so."""
    changed = False
    for directory in directories:
        if not os.path.isdir(directory["path"]):
            changed = True
            if module.check_mode:
                continue
            os.makedirs(directory["path"])
        changed = module.set_fs_attributes_if_different(module.load_file_common_arguments(directory), changed)
    return changed


def main():
    module = AnsibleModule(
        argument_spec={
            "dest": {"type": "path", "required": True},
            "content": {"type": "str", "required": True},
            "flavor": {"type": "str", "required": True, "choices": ["mysql", "mariadb"]},
            "daemon": {"type": "path", "required": True},
            "user": {"type": "str", "default": "mysql"},
            "group": {"type": "str", "default": "root"},
            "mode": {"type": "str", "default": "0644"},
            "directories": {
                "type": "list",
                "elements": "dict",
                "default": [],
                "options": {
                    "path": {"type": "path", "required": True},
                    "owner": {"type": "str", "required": True},
                    "group": {"type": "str", "required": True},
                    "mode": {"type": "str", "required": True},
                },
            },
        },
        supports_check_mode=True,
    )
    dest, content = module.params["dest"], module.params["content"]
    if not content.endswith("\n"):
        content += "\n"
    directories_changed = ensure_directories(module, module.params["directories"])
    current = read(dest)
    if current == content:
        # the same text, but who may read it follows the configured owner, group and mode
        access = {"path": dest, "owner": "root", "group": module.params["group"], "mode": module.params["mode"]}
        changed = module.set_fs_attributes_if_different(module.load_file_common_arguments(access), directories_changed)
        module.exit_json(changed=changed, backup="")
    shown = {}
    if module._diff:
        shown["diff"] = {"before_header": dest, "after_header": dest, "before": current or "", "after": content}
    if module.check_mode:
        # The server's checker runs in check mode too, on a file of its own outside the server's
        # configuration; before the server is installed there is nothing to check with.
        if not os.path.exists(module.params["daemon"]):
            module.warn(f"{module.params['daemon']} is not installed yet: the new {dest} is not checked")
            module.exit_json(changed=True, backup="", checked=False, **shown)
        handle, candidate = tempfile.mkstemp(prefix="mysql-tuning-", suffix=".candidate")
        os.close(handle)
        check(module, candidate, content, dest)
        os.unlink(candidate)
        module.exit_json(changed=True, backup="", checked=True, **shown)

    # Not *.cnf, so that no !includedir picks the candidate up.
    candidate = os.path.join(os.path.dirname(dest), f".{os.path.basename(dest)}.candidate")
    check(module, candidate, content, dest)
    backup = ""
    if current is not None:
        backup = dest + BACKUP_SUFFIX
        write(backup, current, module.params)
    module.atomic_move(candidate, dest)
    # atomic_move gives the new file the old one's mode, or the umask's for a first one
    restrict(dest, module.params)
    module.exit_json(changed=True, backup=backup, **shown)


if __name__ == "__main__":
    main()
