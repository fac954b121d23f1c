#!/usr/bin/python
"""Ansible module: give the server's threads back every CPU after a load test pinned them."""

from __future__ import annotations

DOCUMENTATION = r"""
module: bench_affinity
short_description: Let every thread of the server's main process run on every CPU the host allows
description:
  - A load test with disjoint CPU sets pins the server's threads to some CPUs
    (C(local.mysql.bench_sysbench)'s I(server_cpus)); a restart undoes that, and so does this
    module, for a server that is not restarted after the test.
  - Changes nothing when the threads already have every CPU, or the unit has no main process.
    Supports check mode.
options:
  service: {description: The server's systemd unit., type: str, required: true}
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Give the server every CPU back
  local.mysql.bench_affinity:
    service: mysql
"""

RETURN = r"""
cpus: {description: The CPUs the threads may run on now (or would, in check mode)., type: list, returned: success}
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.host import pin_threads


def main():
    module = AnsibleModule(argument_spec={"service": {"type": "str", "required": True}}, supports_check_mode=True)
    rc, out, _err = module.run_command(
        ["systemctl", "show", "--property", "MainPID", "--value", module.params["service"]]
    )
    pid = out.strip() if rc == 0 else ""
    cpus = sorted(os.sched_getaffinity(0))
    if pid in ("", "0"):
        module.exit_json(changed=False, cpus=cpus)
    if module.check_mode:
        tasks = os.listdir(f"/proc/{pid}/task")
        changed = any(os.sched_getaffinity(int(task)) != set(cpus) for task in tasks)
        module.exit_json(changed=changed, cpus=cpus)
    module.exit_json(changed=pin_threads(pid, cpus), cpus=cpus)


if __name__ == "__main__":
    main()
