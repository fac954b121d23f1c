#!/usr/bin/python
"""Ansible module: give many paths their mode, owner and group in one call."""

DOCUMENTATION = r"""
module: path_modes
short_description: Set the mode, owner and group of each listed path
description:
  - One call for a whole plan (C(config_files_probe)'s), where a loop of C(ansible.builtin.file)
    would cost one round trip per path on every host.
  - A path that does not exist is an error; symbolic links are not followed. Supports check mode
    and diff.
options:
  paths:
    description: Path to {mode, uid, gid}; the mode an octal string or a number.
    type: dict
    required: true
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Tighten the configuration files
  local.mysql.path_modes:
    paths:
      /etc/mysql/my.cnf.fallback: {mode: "0640", uid: 0, gid: 111}
"""

RETURN = r"""
changed_paths:
  description: The paths whose mode, owner or group changed (or would, in check mode).
  type: list
  elements: str
  returned: success
"""

import os

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={"paths": {"type": "dict", "required": True}}, supports_check_mode=True)
    changed_paths, diffs = [], []
    for path, wanted in sorted(module.params["paths"].items()):
        if not os.path.lexists(path):
            module.fail_json(msg=f"path_modes: {path} does not exist")
        mode = wanted["mode"]
        mode = int(mode, 8) if isinstance(mode, str) else int(mode)
        diff = {"before": {"path": path}, "after": {"path": path}}
        changed = module.set_mode_if_different(path, mode, False, diff)
        changed = module.set_owner_if_different(path, int(wanted["uid"]), changed, diff)
        changed = module.set_group_if_different(path, int(wanted["gid"]), changed, diff)
        if changed:
            changed_paths.append(path)
            diffs.append({"before_header": path, "after_header": path, **diff})
    module.exit_json(changed=bool(changed_paths), changed_paths=changed_paths, diff=diffs)


if __name__ == "__main__":
    main()
