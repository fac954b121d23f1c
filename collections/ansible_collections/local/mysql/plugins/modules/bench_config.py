#!/usr/bin/python
"""Ansible module: put the server's configuration files in the state of one compared configuration."""

from __future__ import annotations

DOCUMENTATION = r"""
module: bench_config
short_description: Switch between the stock, tuned and rival configurations for a load test
description:
  - C(stock) moves the toolkit's drop-in aside (to I(aside), a name the server does not read)
    and writes I(dedicated) with I(content), the host's listening addresses and TLS, kept so
    that applications still reach the server; C(tuned) puts the drop-in back and removes
    I(dedicated); a rival (C(dedicated), C(dedicated-budget)) is stock whose I(content) adds the
    rival's own settings (C(local.mysql.rivals.dropin)); a search's C(candidate) is a whole
    tuned drop-in with one knob moved (C(local.mysql.search.dropin)). The actions are decided by
    C(local.mysql.bench.file_actions).
  - Only moves and writes files; the role restarts the server. Supports check mode.
options:
  configuration:
    description: The configuration wanted.
    type: str
    required: true
    choices: [stock, tuned, dedicated, dedicated-budget, candidate]
  dropin: {description: The toolkit's drop-in., type: path, required: true}
  aside: {description: Where the drop-in waits while another configuration is measured., type: path, required: true}
  dedicated: {description: The drop-in of stock and the rival configurations., type: path, required: true}
  content: {description: What that drop-in holds (empty for tuned)., type: str, default: ""}
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Measure the server as shipped
  local.mysql.bench_config:
    configuration: stock
    dropin: /etc/mysql/mysql.conf.d/zz-mysql-tuning.cnf
    aside: /etc/mysql/mysql.conf.d/zz-mysql-tuning.cnf.bench-aside
    dedicated: /etc/mysql/mysql.conf.d/zz-mysql-bench-dedicated.cnf
"""

RETURN = r"""
actions: {description: What was done (or would be in check mode)., type: list, returned: success}
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.bench import file_actions
from ansible_collections.local.mysql.plugins.module_utils.observe import read_text, replace_file


def main():
    module = AnsibleModule(
        argument_spec={
            "configuration": {
                "type": "str",
                "required": True,
                "choices": ["stock", "tuned", "dedicated", "dedicated-budget", "candidate"],
            },
            "dropin": {"type": "path", "required": True},
            "aside": {"type": "path", "required": True},
            "dedicated": {"type": "path", "required": True},
            "content": {"type": "str", "default": ""},
        },
        supports_check_mode=True,
    )
    dropin, aside, dedicated, content = (module.params[name] for name in ("dropin", "aside", "dedicated", "content"))
    actions = file_actions(
        module.params["configuration"], os.path.exists(dropin), os.path.exists(aside), read_text(dedicated), content
    )
    if not module.check_mode:
        for action in actions:
            if action == "remove stale aside copy":
                os.remove(aside)
            elif action == "move drop-in back":
                os.replace(aside, dropin)
            elif action == "move drop-in aside":
                os.replace(dropin, aside)
            elif action == "write rival drop-in":
                replace_file(dedicated, content, 0o644)
            elif action == "remove rival drop-in":
                os.remove(dedicated)
    module.exit_json(changed=bool(actions), actions=actions)


if __name__ == "__main__":
    main()
