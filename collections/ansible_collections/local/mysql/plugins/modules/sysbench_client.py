#!/usr/bin/python
"""Ansible module: sysbench from the distribution's packages, unpacked into a private directory."""

from __future__ import annotations

DOCUMENTATION = r"""
module: sysbench_client
short_description: Unpack the distribution's sysbench and the libraries it lacks into a private directory
description:
  - Debian's sysbench needs libmariadb3, whose package cannot be installed beside MySQL's
    server, and a load test should leave no package behind on a database host. So the package
    and each dependency the host does not already have are downloaded with C(apt-get download)
    and unpacked with C(dpkg-deb -x) under I(path); the host's package database is not touched.
  - Returns the environment that makes the unpacked binary find its libraries, Lua scripts and
    client authentication plugins. C(ldd) must resolve every library or the module fails.
  - I(state=absent) removes the directory.
options:
  path:
    description: Private directory; created, and removed with I(state=absent).
    type: path
    required: true
  state:
    description: Whether the client is there.
    type: str
    default: present
    choices: [present, absent]
  package:
    description: The package to unpack.
    type: str
    default: sysbench
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Unpack sysbench
  local.mysql.sysbench_client:
    path: /var/tmp/mysql-bench/client
  register: client
"""

RETURN = r"""
binary: {description: The sysbench binary, type: str, returned: state=present}
environment: {description: LD_LIBRARY_PATH, LUA_PATH and MARIADB_PLUGIN_DIR for it, type: dict, returned: state=present}
packages: {description: Package files unpacked, type: list, returned: state=present}
"""

import glob
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.bench import ldd_missing, library_dirs
from ansible_collections.local.mysql.plugins.module_utils.unpack import Unpacker, argument_spec, exit_if_absent


def environment(root):
    files = [os.path.join(base, name) for base, _dirs, names in os.walk(root) for name in names]
    plugins = glob.glob(os.path.join(root, "usr/lib/*/libmariadb3/plugin"))
    return {
        "LD_LIBRARY_PATH": ":".join(library_dirs(files)),
        "LUA_PATH": os.path.join(root, "usr/share/sysbench/?.lua") + ";;",
        "MARIADB_PLUGIN_DIR": plugins[0] if plugins else "",
    }


def main():
    module = AnsibleModule(argument_spec=argument_spec("sysbench"), supports_check_mode=True)
    exit_if_absent(module)
    path = module.params["path"]

    unpacker = Unpacker(module, path)
    binary = os.path.join(unpacker.root, "usr/bin", module.params["package"])
    if os.path.exists(binary):
        module.exit_json(changed=False, binary=binary, environment=environment(unpacker.root), packages=[])
    if module.check_mode:
        module.exit_json(changed=True, binary=binary, environment={}, packages=[])
    for tool in unpacker.missing_tools():
        module.fail_json(msg=f"{tool} is missing: unpacking sysbench is implemented for Debian-family hosts")
    os.makedirs(unpacker.debs, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    unpacker.fetch(module.params["package"])
    unpacker.unpack()
    env = environment(unpacker.root)
    rc, out, err = module.run_command(["ldd", binary], environ_update={"LD_LIBRARY_PATH": env["LD_LIBRARY_PATH"]})
    missing = ldd_missing(out)
    if rc != 0 or missing:
        module.fail_json(msg=f"the unpacked {binary} cannot find {missing or err.strip()}")
    module.exit_json(
        changed=True,
        binary=binary,
        environment=env,
        packages=sorted(os.path.basename(d) for d in unpacker.fetched.values()),
    )


if __name__ == "__main__":
    main()
