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
  companions:
    description: "Flavor to the other packages it needs (client, driver); with I(packages), what C(missing) lists."
    type: dict
    default: {}
  services:
    description: "Flavor to its systemd unit, for C(running)."
    type: dict
    default: {}
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
missing: {description: The chosen flavor's packages not installed, type: list, returned: success}
running: {description: Whether the chosen flavor's unit is active and enabled, type: bool, returned: success}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.flavor import (
    FlavorError,
    choose_flavor,
    installed_server,
    parse_apt_installed,
    parse_apt_policy,
    parse_repoquery,
    parse_rpm_installed,
    upstream_version,
)
from ansible_collections.local.mysql.plugins.module_utils.observe import systemctl_show


def package_state(module, names):
    """(candidate versions, installed packages) of ``names`` from the package manager."""
    apt_cache = module.get_bin_path("apt-cache")
    if apt_cache:
        rc, out, _err = module.run_command([apt_cache, "policy", *names], environ_update={"LC_ALL": "C"})
        return (parse_apt_policy(out), parse_apt_installed(out)) if rc == 0 else ({}, set())
    dnf = module.get_bin_path("dnf")
    if dnf:
        rc, out, _err = module.run_command([dnf, "-q", "repoquery", "--qf", "%{name} %{version}\n", *names])
        _rc, listed, _err = module.run_command(["rpm", "-q", "--qf", "%{NAME}\n", *names])
        return (parse_repoquery(out) if rc == 0 else {}), parse_rpm_installed(listed, names)
    return {}, set()


def main():
    module = AnsibleModule(
        argument_spec={
            "requested": {"type": "str", "default": "auto", "choices": ["auto", "mysql", "mariadb"]},
            "packages": {"type": "dict", "required": True},
            "preference": {"type": "list", "elements": "str", "default": ["mariadb", "mysql"]},
            "companions": {"type": "dict", "default": {}},
            "services": {"type": "dict", "default": {}},
        },
        supports_check_mode=True,
    )
    packages = module.params["packages"]
    installed = installed_server(module)
    companions = module.params["companions"]
    every_package = sorted(set(packages.values()).union(*(set(names) for names in companions.values())))
    candidates, present = package_state(module, every_package)
    available = {flavor: package in candidates for flavor, package in packages.items()}
    try:
        flavor = choose_flavor(
            module.params["requested"], installed[0] if installed else None, available, module.params["preference"]
        )
    except FlavorError as error:
        module.fail_json(msg=str(error), installed=installed, candidates=candidates)
    version = installed[1] if installed else upstream_version(candidates.get(packages[flavor], ""))
    missing = [name for name in [packages[flavor], *companions.get(flavor, [])] if name not in present]
    service = module.params["services"].get(flavor)
    running = bool(service) and all(
        systemctl_show(module.run_command, service, prop) == state
        for prop, state in (("ActiveState", "active"), ("UnitFileState", "enabled"))
    )
    module.exit_json(
        changed=False,
        flavor=flavor,
        installed=bool(installed),
        version=version,
        candidates=candidates,
        missing=missing,
        running=running,
    )


if __name__ == "__main__":
    main()
