#!/usr/bin/python
"""Ansible module: remove many files in one call."""

DOCUMENTATION = r"""
module: paths_absent
short_description: Remove the listed files and symbolic links where they exist
description:
  - One call for a role's whole set of units and scripts, where a loop of C(ansible.builtin.file)
    would cost one round trip per file on every host.
  - Refuses a directory (nothing here removes a tree). Supports check mode and diff.
options:
  paths:
    description: The files to remove.
    type: list
    elements: path
    required: true
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Remove the units
  local.mysql.paths_absent:
    paths: [/etc/systemd/system/mysql-backup.timer, /etc/systemd/system/mysql-backup.service]
"""

RETURN = r"""
removed:
  description: The paths removed (or that would be, in check mode).
  type: list
  elements: str
  returned: success
"""

import os

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec={"paths": {"type": "list", "elements": "path", "required": True}},
        supports_check_mode=True,
    )
    present = [path for path in module.params["paths"] if os.path.lexists(path)]
    directories = [path for path in present if os.path.isdir(path) and not os.path.islink(path)]
    if directories:
        module.fail_json(msg=f"paths_absent: {', '.join(directories)} is a directory; only files are removed")
    if not module.check_mode:
        for path in present:
            os.unlink(path)
    module.exit_json(
        changed=bool(present),
        removed=present,
        diff=[
            {"before_header": path, "after_header": path, "before": "present\n", "after": "absent\n"}
            for path in present
        ],
    )


if __name__ == "__main__":
    main()
