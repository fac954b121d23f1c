#!/usr/bin/python
"""Ansible module: read the kernel and block-device settings a database host needs and decide what to change."""

DOCUMENTATION = r"""
module: os_probe
short_description: Read swappiness, AIO and listen limits, THP, IO schedulers and NUMA, and plan the changes
description:
  - Reads C(vm.swappiness), C(fs.aio-max-nr), C(fs.aio-nr) and C(net.core.somaxconn) under C(/proc/sys),
    transparent huge pages, each block device's scheduler and rotational flag, the NUMA nodes, and the
    toolkit's sysctl drop-in, udev rules and THP unit; changes nothing; safe in check mode.
  - Whether C(/proc/sys) and C(/sys) are writable comes from the mount holding them in
    C(/proc/self/mountinfo) (a container mounts both read-only); without it, from C(statvfs).
    Permission bits cannot tell, as root may write where the mode says not.
  - Returns the decision of C(os_tuning.plan) for the server's inputs.
options:
  root:
    description: The host's root; tests point it at a captured tree.
    type: path
    default: /
  socket:
    description:
      - The server's socket; when it answers, its C(back_log) and InnoDB IO threads are read
        from it and win over the options below (which stand in before the server runs).
    type: path
  back_log:
    description: The server's C(back_log); C(net.core.somaxconn) is raised to at least it.
    type: int
    default: 151
  innodb_read_io_threads:
    description: The server's C(innodb_read_io_threads), for C(fs.aio-max-nr).
    type: int
    default: 4
  innodb_write_io_threads:
    description: The server's C(innodb_write_io_threads), for C(fs.aio-max-nr).
    type: int
    default: 4
  instances:
    description: How many servers run on the host.
    type: int
    default: 1
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Read the host's kernel settings and plan the changes
  local.mysql.os_probe:
    back_log: 151
    innodb_read_io_threads: 8
    innodb_write_io_threads: 4
  register: os_tuning
"""

RETURN = r"""
observed:
  description:
    - The raw texts read (C(sysctl), C(thp), C(devices)), C(numa_nodes), C(kernel_writable), C(sys_writable)
      and the state of each toolkit file (text, mode, owner; null when missing).
  type: dict
  returned: success
plan:
  description:
    - C(settings) (name to C(current), C(wanted), C(reason), C(applies)), C(files) (path to the text the
      toolkit wants), C(write) (the paths whose content, mode or owner differs) and C(notices).
  type: dict
  returned: success
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils import live
from ansible_collections.local.mysql.plugins.module_utils.host import FileSystem
from ansible_collections.local.mysql.plugins.module_utils.observe import file_state, read_only
from ansible_collections.local.mysql.plugins.module_utils.os_tuning import (
    AIO_IN_USE_KEY,
    SYSCTL_FILE,
    SYSCTL_KEYS,
    THP_DIR,
    THP_FILES,
    THP_UNIT_FILE,
    UDEV_FILE,
    plan,
    writable_by_mounts,
)
from ansible_collections.local.mysql.plugins.module_utils.refusal import must_be

INPUTS = ("back_log", "innodb_read_io_threads", "innodb_write_io_threads", "instances")
# the inputs the running server answers for itself
LIVE_INPUTS = ("back_log", "innodb_read_io_threads", "innodb_write_io_threads")


def writable(fs, path):
    """The mount table's word; statvfs where it has none (a tree without proc/self/mountinfo)."""
    decided = writable_by_mounts(path, fs.read("/proc/self/mountinfo"))
    if decided is not None:
        return decided
    return fs.exists(path) and not read_only(fs.under_root(path))


def live_inputs(socket) -> dict:
    """The running server's own figures for the decisions, {} when it does not answer."""
    if not socket or live.pymysql is None:
        return {}
    try:
        connection = live.connect(socket)
    except live.pymysql.MySQLError:
        return {}
    with connection, connection.cursor() as cursor:
        shown = live.global_variables(cursor)
    return {name: int(shown[name]) for name in LIVE_INPUTS if str(shown.get(name, "")).isdigit()}


def probe(root):
    fs = FileSystem(root)
    keys = (*SYSCTL_KEYS, AIO_IN_USE_KEY)
    return {
        "sysctl": {key: fs.read("/proc/sys/" + key.replace(".", "/")) for key in keys},
        "thp": {name: fs.read(f"{THP_DIR}/{name}") for name in THP_FILES},
        "devices": {
            name: {
                "scheduler": fs.read(f"/sys/block/{name}/queue/scheduler"),
                "rotational": fs.read(f"/sys/block/{name}/queue/rotational"),
            }
            for name in fs.listdir("/sys/block")
        },
        "numa_nodes": fs.listdir("/sys/devices/system/node"),
        "kernel_writable": writable(fs, "/proc/sys"),
        "sys_writable": writable(fs, "/sys"),
        "udev": os.path.isdir(fs.under_root(os.path.dirname(UDEV_FILE))),
        "files": {path: file_state(fs.under_root(path)) for path in (SYSCTL_FILE, UDEV_FILE, THP_UNIT_FILE)},
    }


def main():
    module = AnsibleModule(
        argument_spec={
            "root": {"type": "path", "default": "/"},
            "socket": {"type": "path"},
            "back_log": {"type": "int", "default": 151},
            "innodb_read_io_threads": {"type": "int", "default": 4},
            "innodb_write_io_threads": {"type": "int", "default": 4},
            "instances": {"type": "int", "default": 1},
        },
        supports_check_mode=True,
    )
    params = module.params
    inputs = {name: params[name] for name in INPUTS}
    inputs.update(live_inputs(params["socket"]))
    for name, value in inputs.items():
        if value < 1:
            module.fail_json(msg=must_be(name, value, "at least 1"))
    observed = probe(params["root"])
    module.exit_json(changed=False, observed=observed, plan=plan(observed, inputs))


if __name__ == "__main__":
    main()
