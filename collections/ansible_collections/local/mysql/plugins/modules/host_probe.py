#!/usr/bin/python
"""Ansible module: what the sizing needs to know about the host."""

from __future__ import annotations

DOCUMENTATION = r"""
module: host_probe
short_description: Detect memory budget, CPUs and the datadir's disk and filesystem
description:
  - Reads /proc and /sys only; changes nothing; safe in check mode.
  - Memory is the smaller of MemTotal and the cgroup (v1 or v2) memory limit; CPUs the smaller
    of the CPUs this process may run on and the cgroup CPU quota. Overrides win and are recorded
    as such.
  - The disk kind comes from the whole disks under the datadir's filesystem, through
    partitions, device-mapper (LVM, dm-crypt) and md RAID. A datadir that does not exist yet is
    probed through its nearest existing parent.
options:
  datadir:
    description: The server's data directory.
    type: path
    required: true
  memory:
    description: Memory override in bytes or with K/M/G/T; empty to detect.
    type: str
    default: ""
  cpus:
    description: CPU count override; 0 to detect.
    type: int
    default: 0
  disk:
    description: Disk kind override.
    type: str
    default: auto
    choices: [auto, hdd, ssd, nvme]
  logdir:
    description: The server's log directory, whose file system bounds the slow log's rotation.
    type: path
    default: /var/log
  fact_path:
    description: The fact file C(record) compares with (default C(/etc/ansible/facts.d/mysql_tuning.fact)).
    type: path
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Detect the host
  local.mysql.host_probe:
    datadir: /var/lib/mysql
  register: host
"""

RETURN = r"""
host:
  description: Each detected value with the inputs it came from (the fact file's C(host) section).
  type: dict
  returned: success
datadir_free:
  description: Free bytes on the datadir's filesystem now; not stored, as it changes all the time.
  type: int
  returned: success
datadir_size:
  description: Bytes of the datadir's filesystem.
  type: int
  returned: success
logdir_size:
  description: Bytes of the log directory's filesystem.
  type: int
  returned: success
record:
  description: Whether the fact file's C(host) section differs from what was detected.
  type: bool
  returned: success
recorded:
  description: The fact file's sections as this run found them, so that later roles write only what changed.
  type: dict
  returned: success
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.host import FileSystem, detect, existing_parent
from ansible_collections.local.mysql.plugins.module_utils.observe import FactFileError, load_facts, section_differs
from ansible_collections.local.mysql.plugins.module_utils.sizes import SizingError, parse_size


def main():
    module = AnsibleModule(
        argument_spec={
            "datadir": {"type": "path", "required": True},
            "memory": {"type": "str", "default": ""},
            "cpus": {"type": "int", "default": 0},
            "disk": {"type": "str", "default": "auto", "choices": ["auto", "hdd", "ssd", "nvme"]},
            "logdir": {"type": "path", "default": "/var/log"},
            "fact_path": {"type": "path"},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        recorded = load_facts(params["fact_path"])
    except FactFileError as error:
        module.fail_json(msg=str(error))
    fs = FileSystem()
    try:
        host = detect(fs, params["datadir"], len(os.sched_getaffinity(0)))
    except ValueError as error:
        module.fail_json(msg=f"host detection failed: {error}")
    if params["memory"]:
        try:
            override = parse_size(params["memory"])
        except SizingError as error:
            module.fail_json(msg=f"mysql_host_memory: {error}")
        host["memory"] = {"value": override, "inputs": {"detected": host["memory"]["value"]}, "source": "override"}
    if params["cpus"]:
        host["cpus"] = {"value": params["cpus"], "inputs": {"detected": host["cpus"]["value"]}, "source": "override"}
    if params["disk"] != "auto":
        host["disk"] = {"value": params["disk"], "inputs": {"detected": host["disk"]["value"]}, "source": "override"}
    stat = os.statvfs(existing_parent(params["datadir"], os.path.exists))
    logs = os.statvfs(existing_parent(params["logdir"], os.path.exists))
    module.exit_json(
        changed=False,
        host=host,
        datadir_free=stat.f_bavail * stat.f_frsize,
        datadir_size=stat.f_blocks * stat.f_frsize,
        logdir_size=logs.f_blocks * logs.f_frsize,
        record=section_differs(recorded, "host", host),
        recorded=recorded,
    )


if __name__ == "__main__":
    main()
