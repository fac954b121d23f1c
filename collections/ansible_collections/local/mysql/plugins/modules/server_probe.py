#!/usr/bin/python
"""Ansible module: which MySQL/MariaDB server the host runs, or which one it will get."""

from __future__ import annotations

DOCUMENTATION = r"""
module: server_probe
short_description: Detect the installed MySQL/MariaDB server and decide the flavor to manage
description:
  - Runs the server binary with C(--version) when one is installed, asks the package manager
    which server packages it can install, and decides the flavor with
    C(local.mysql.flavor.choose_flavor). Changes nothing; safe in check mode.
options:
  requested:
    description: The user's choice, C(auto) or a flavor.
    type: str
    default: auto
    choices: [auto, mysql, mariadb]
  packages:
    description: "Flavor to the package that provides its server, for example C({mariadb: mariadb-server})."
    type: dict
    required: true
  preference:
    description: Flavors tried in this order when nothing is installed and I(requested=auto).
    type: list
    elements: str
    default: [mariadb, mysql]
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Decide the flavor
  local.mysql.server_probe:
    requested: auto
    packages: {mariadb: mariadb-server, mysql: mysql-server}
"""

RETURN = r"""
flavor: {description: The flavor to manage, type: str, returned: success}
installed: {description: Whether a server binary is installed, type: bool, returned: success}
version: {description: Installed X.Y.Z version, else the candidate package version, type: str, returned: success}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.flavor import (
    FlavorError,
    choose_flavor,
    installed_server,
    parse_apt_policy,
    parse_repoquery,
    upstream_version,
)


def package_candidates(module, names):
    apt_cache = module.get_bin_path("apt-cache")
    if apt_cache:
        rc, out, _err = module.run_command([apt_cache, "policy", *names], environ_update={"LC_ALL": "C"})
        return parse_apt_policy(out) if rc == 0 else {}
    dnf = module.get_bin_path("dnf")
    if dnf:
        rc, out, _err = module.run_command([dnf, "-q", "repoquery", "--qf", "%{name} %{version}\n", *names])
        return parse_repoquery(out) if rc == 0 else {}
    return {}


def main():
    module = AnsibleModule(
        argument_spec={
            "requested": {"type": "str", "default": "auto", "choices": ["auto", "mysql", "mariadb"]},
            "packages": {"type": "dict", "required": True},
            "preference": {"type": "list", "elements": "str", "default": ["mariadb", "mysql"]},
        },
        supports_check_mode=True,
    )
    packages = module.params["packages"]
    installed = installed_server(module)
    candidates = package_candidates(module, list(packages.values()))
    available = {flavor: package in candidates for flavor, package in packages.items()}
    try:
        flavor = choose_flavor(
            module.params["requested"], installed[0] if installed else None, available, module.params["preference"]
        )
    except FlavorError as error:
        module.fail_json(msg=str(error), installed=installed, candidates=candidates)
    version = installed[1] if installed else upstream_version(candidates.get(packages[flavor], ""))
    module.exit_json(changed=False, flavor=flavor, installed=bool(installed), version=version, candidates=candidates)


if __name__ == "__main__":
    main()
