#!/usr/bin/python
"""Ansible module: read the open-files limits that bound the server and decide what to change."""

DOCUMENTATION = r"""
module: limits_probe
short_description: Read PID 1's and the kernel's open-files limits and the toolkit's limit files
description:
  - Reads the hard C(Max open files) of PID 1 (systemd cannot grant a service more), C(fs.nr_open)
    and C(fs.file-max) and whether C(/proc/sys) is writable, and the toolkit's limit files.
  - Returns the decision for the target limit; fails, changing nothing, when PID 1 cannot grant it.
options:
  nofile:
    description: The target open-files limit.
    type: int
    required: true
  kernel:
    description: Whether the kernel's limits are managed.
    type: bool
    default: true
  unit_dropin:
    description: The toolkit's drop-in for the unit (C(LimitNOFILE)).
    type: path
  pam_file:
    description: The toolkit's limits.d file for login sessions.
    type: path
  domains:
    description: The limits.d domains that get the limit.
    type: list
    elements: str
    default: []
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Read the limits
  local.mysql.limits_probe:
    nofile: 65535
  register: limits
"""

RETURN = r"""
observed:
  description: PID 1's hard limit, the kernel's settings and whether they are writable.
  type: dict
  returned: success
plan:
  description:
    - C(kernel) (settings to raise), C(kernel_note),
      C(write) (path to content of each file of I(unit_dropin) and I(pam_file) that differs, or is not root's 0644).
  type: dict
  returned: success
"""


from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.limits import (
    KERNEL_KEYS,
    files_to_write,
    pam_text,
    plan,
    unit_text,
)
from ansible_collections.local.mysql.plugins.module_utils.observe import (
    file_state,
    open_files_limits,
    read_only,
    read_text,
    sysctl,
)


def main():
    module = AnsibleModule(
        argument_spec={
            "nofile": {"type": "int", "required": True},
            "kernel": {"type": "bool", "default": True},
            "unit_dropin": {"type": "path"},
            "pam_file": {"type": "path"},
            "domains": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    params = module.params
    pid1 = open_files_limits(read_text("/proc/1/limits"))
    observed = {
        "pid1_hard": pid1[1] if pid1 else None,
        "kernel": {key: sysctl(key) for key in KERNEL_KEYS} if params["kernel"] else {},
        "kernel_writable": not read_only("/proc/sys"),
    }
    decision = plan(params["nofile"], observed["pid1_hard"], observed["kernel"], observed["kernel_writable"])
    if decision["refusal"]:
        module.fail_json(msg=decision["refusal"], observed=observed)
    wanted = {}
    if params["unit_dropin"]:
        wanted[params["unit_dropin"]] = unit_text(params["nofile"])
    if params["pam_file"]:
        wanted[params["pam_file"]] = pam_text(params["domains"], params["nofile"])
    decision["write"] = files_to_write(wanted, {path: file_state(path) for path in wanted})
    module.exit_json(changed=False, observed=observed, plan=decision)


if __name__ == "__main__":
    main()
