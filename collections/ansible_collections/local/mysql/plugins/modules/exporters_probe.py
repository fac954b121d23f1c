#!/usr/bin/python
"""Ansible module: read the exporters' packages, arguments and units, and say what they need."""

DOCUMENTATION = r"""
module: exporters_probe
short_description: Read the Prometheus exporters' state on a host and say what they need
description:
  - Reads whether the exporters' packages are installed, the C(ARGS) assignment in each
    exporter's /etc/default file and whether each unit is active and enabled, and decides (in
    C(module_utils/exporters.py)) what the role must do; on a healthy host, nothing.
  - Reads only; changes nothing, in check mode or not.
options:
  packages:
    description: The exporters' packages.
    type: list
    elements: str
    required: true
  services:
    description: Exporter key (such as C(mysqld), C(node)) to its systemd unit.
    type: dict
    required: true
  args:
    description: Exporter key to the arguments its /etc/default file must assign to C(ARGS).
    type: dict
    required: true
  defaults_dir:
    description: Where the units' environment files are.
    type: path
    default: /etc/default
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Read the exporters' packages, arguments and units
  local.mysql.exporters_probe:
    packages: [prometheus-mysqld-exporter, prometheus-node-exporter]
    services: {mysqld: prometheus-mysqld-exporter, node: prometheus-node-exporter}
    args:
      mysqld: --config.my-cnf=/etc/prometheus/mysqld-exporter.cnf --web.listen-address=127.0.0.1:9104
      node: --web.listen-address=127.0.0.1:9100
  register: exporters
"""

RETURN = r"""
actions:
  description:
    - C(install) the packages missing, C(write) the exporter keys whose arguments differ,
      C(start) the keys not active and enabled.
  type: dict
  returned: always
args:
  description: Exporter key to the C(ARGS) its file assigns now (null without a file or assignment).
  type: dict
  returned: always
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.exporters import default_args, exporter_actions
from ansible_collections.local.mysql.plugins.module_utils.observe import read_text, systemctl_show


def installed(module, package: str) -> bool:
    dpkg = module.get_bin_path("dpkg-query")
    if dpkg:
        rc, out, _err = module.run_command([dpkg, "--show", "--showformat=${db:Status-Status}", package])
        return rc == 0 and out.strip() == "installed"
    rc, _out, _err = module.run_command(["rpm", "--query", package])
    return rc == 0


def main():
    module = AnsibleModule(
        argument_spec={
            "packages": {"type": "list", "elements": "str", "required": True},
            "services": {"type": "dict", "required": True},
            "args": {"type": "dict", "required": True},
            "defaults_dir": {"type": "path", "default": "/etc/default"},
        },
        supports_check_mode=True,
    )
    services = {key: str(unit) for key, unit in module.params["services"].items()}
    wanted = {key: str(args) for key, args in module.params["args"].items()}
    current = {
        key: default_args(read_text(os.path.join(module.params["defaults_dir"], unit)))
        for key, unit in services.items()
    }
    running = {
        key: systemctl_show(module.run_command, unit, "ActiveState") == "active"
        and systemctl_show(module.run_command, unit, "UnitFileState") == "enabled"
        for key, unit in services.items()
    }
    missing = [package for package in module.params["packages"] if not installed(module, package)]
    module.exit_json(changed=False, actions=exporter_actions(wanted, current, missing, running), args=current)


if __name__ == "__main__":
    main()
