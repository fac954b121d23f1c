#!/usr/bin/python
"""Ansible module: a lab container's memory cgroup, read from the Docker engine's host."""

from __future__ import annotations

DOCUMENTATION = r"""
module: container_memory
short_description: Read (and reset) the peak memory of a Docker container's cgroup from the engine's host
description:
  - Run on the Docker engine's host (C(delegate_to) the controller in the lab). Inside a container
    on a cgroup v1 host the memory hierarchy is not mounted, so the container's peak memory and
    its OOM kills can only be read from outside.
  - With I(reset), sets the cgroup v1 peak back to the current usage first (cgroup v2's
    C(memory.peak) cannot be reset this way and is reported as it is).
  - Returns C(memory=null) when the host is not a Docker container (I(connection) is not
    C(community.docker.docker)) or no memory cgroup of the container is visible; never fails for that.
options:
  connection: {description: How the host is reached (its ansible_connection)., type: str, required: true}
  container: {description: The container's name or id (its ansible_host)., type: str, required: true}
  reset: {description: Reset the peak before reading., type: bool, default: false}
  root:
    description: Where the engine host's file system is read (C(/sys/fs/cgroup) below it); tests point it elsewhere.
    type: path
    default: /
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Reset the container's memory peak before the storm
  local.mysql.container_memory:
    connection: community.docker.docker
    container: bench-mysql
    reset: true
  delegate_to: localhost
"""

RETURN = r"""
memory:
  description: cgroup, peak, limit and oom_kills of the container's memory cgroup, or null.
  type: dict
  returned: always
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.host import FileSystem, container_memory

DOCKER_CONNECTION = "community.docker.docker"


def main():
    module = AnsibleModule(
        argument_spec={
            "connection": {"type": "str", "required": True},
            "container": {"type": "str", "required": True},
            "reset": {"type": "bool", "default": False},
            "root": {"type": "path", "default": "/"},
        },
        supports_check_mode=True,
    )
    docker = module.get_bin_path("docker")
    if module.params["connection"] != DOCKER_CONNECTION or not docker:
        module.exit_json(changed=False, memory=None)
    rc, out, _err = module.run_command([docker, "inspect", "--format", "{{.Id}}", module.params["container"]])
    if rc != 0:
        module.exit_json(changed=False, memory=None)
    fs = FileSystem()
    fs.root = module.params["root"]
    memory = container_memory(fs, out.strip())
    # check mode says a reset would happen without writing it
    changed = bool(module.params["reset"] and memory and memory["reset_file"])
    if changed and not module.check_mode:
        with open(os.path.join(fs.root, memory["reset_file"].lstrip("/")), "w", encoding="utf-8") as handle:
            handle.write("0")
        memory = container_memory(fs, out.strip())
    module.exit_json(changed=changed, memory=memory)


if __name__ == "__main__":
    main()
