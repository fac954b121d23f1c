#!/usr/bin/python
"""Ansible module: write one section of /etc/ansible/facts.d/mysql_tuning.fact."""

from __future__ import annotations

DOCUMENTATION = r"""
module: tuning_fact
short_description: Write one section (host, io, sizing, raid) of the toolkit's local fact file
description:
  - The file is JSON, readable as C(ansible_local.mysql_tuning). Each role owns one section and
    replaces only that one; the others are kept as they are. Supports check mode and diff.
options:
  section:
    description: The section to write.
    type: str
    required: true
    choices: [host, io, sizing, raid]
  data:
    description: The section's new content.
    type: dict
    required: true
  path:
    description: The fact file.
    type: path
    default: /etc/ansible/facts.d/mysql_tuning.fact
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Record the host
  local.mysql.tuning_fact:
    section: host
    data: "{{ probe.host }}"
"""

RETURN = r"""
facts:
  description: The whole file after the write.
  type: dict
  returned: success
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule


def load(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {}
    except ValueError:
        return {}  # a corrupt fact file is rewritten rather than trusted


def main():
    module = AnsibleModule(
        argument_spec={
            "section": {"type": "str", "required": True, "choices": ["host", "io", "sizing", "raid"]},
            "data": {"type": "dict", "required": True},
            "path": {"type": "path", "default": "/etc/ansible/facts.d/mysql_tuning.fact"},
        },
        supports_check_mode=True,
    )
    path, section = module.params["path"], module.params["section"]
    # Round-trip through JSON so that the comparison sees what the file would hold.
    data = json.loads(json.dumps(module.params["data"], sort_keys=True))
    facts = load(path)
    before = facts.get(section)
    changed = before != data
    facts[section] = data
    if changed and not module.check_mode:
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        temporary = f"{path}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(facts, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.chmod(temporary, 0o644)
        module.atomic_move(temporary, path)
    diff = {
        "before_header": f"{path} [{section}]",
        "after_header": f"{path} [{section}]",
        "before": json.dumps(before, indent=2, sort_keys=True) + "\n" if before is not None else "",
        "after": json.dumps(data, indent=2, sort_keys=True) + "\n",
    }
    module.exit_json(changed=changed, facts=facts, diff=diff)


if __name__ == "__main__":
    main()
