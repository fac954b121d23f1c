#!/usr/bin/python
"""Ansible module: read the modes of the server's configuration and datadir and decide what to tighten."""

DOCUMENTATION = r"""
module: config_files_probe
short_description: Stat the server's configuration files, their directories and the datadir
description:
  - Reads the mode, owner and group of each I(directories) entry that exists, of every regular
    C(*.cnf) file directly in it (symbolic links are skipped, their targets are listed where they
    live), and of I(datadir); resolves I(group) to its id.
  - Returns what to change (the hardening file-mode plan), in which nothing gains a permission bit. Changes
    nothing itself; the role applies the plan with C(local.mysql.path_modes).
options:
  directories:
    description: The configuration directories the server reads.
    type: list
    elements: path
    required: true
  files:
    description: Configuration files outside those directories (RedHat's C(/etc/my.cnf)), when they exist.
    type: list
    elements: path
    default: []
  datadir:
    description: The server's datadir.
    type: path
    required: true
  group:
    description: The server's group, which reads the configuration.
    type: str
    required: true
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Read the configuration's modes
  local.mysql.config_files_probe:
    directories: [/etc/mysql, /etc/mysql/conf.d]
    datadir: /var/lib/mysql
    group: mysql
  register: files
"""

RETURN = r"""
gid:
  description: The id of I(group).
  type: int
  returned: success
plan:
  description: Path to {mode, uid, gid, changes, reason} for each path to change.
  type: dict
  returned: success
"""

import grp
import os
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.hardening import file_mode_plan


def stat_of(path: str) -> dict:
    found = os.lstat(path)
    return {
        "mode": stat.S_IMODE(found.st_mode),
        "uid": found.st_uid,
        "gid": found.st_gid,
        "isdir": stat.S_ISDIR(found.st_mode),
    }


def configuration(directories: list[str], files: list[str]) -> dict[str, dict]:
    paths = {path: stat_of(path) for path in files if os.path.isfile(path) and not os.path.islink(path)}
    for directory in directories:
        if not os.path.isdir(directory) or os.path.islink(directory):
            continue
        paths[directory] = stat_of(directory)
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if name.endswith(".cnf") and os.path.isfile(path) and not os.path.islink(path):
                paths[path] = stat_of(path)
    return paths


def main():
    module = AnsibleModule(
        argument_spec={
            "directories": {"type": "list", "elements": "path", "required": True},
            "files": {"type": "list", "elements": "path", "default": []},
            "datadir": {"type": "path", "required": True},
            "group": {"type": "str", "required": True},
        },
        supports_check_mode=True,
    )
    try:
        gid = grp.getgrnam(module.params["group"]).gr_gid
    except KeyError:
        module.fail_json(msg=f"the server's group {module.params['group']!r} does not exist on this host")
    paths = configuration(module.params["directories"], module.params["files"])
    datadir = module.params["datadir"]
    if os.path.isdir(datadir):
        paths[datadir] = stat_of(datadir)
    module.exit_json(changed=False, gid=gid, plan=file_mode_plan(paths, gid, datadir))


if __name__ == "__main__":
    main()
