#!/usr/bin/python
"""Ansible module: read the toolkit's fact file, or write one of its sections."""

from __future__ import annotations

DOCUMENTATION = r"""
module: tuning_fact
short_description: Read the toolkit's local fact file, or write one section (host, io, sizing, raid, backup)
description:
  - The file is JSON, readable as C(ansible_local.mysql_tuning). Each role owns one section and
    replaces only that one; the others are kept as they are. Supports check mode and diff.
  - Without I(section) and I(data) it only reads. A file that is not valid JSON fails the task
    with the same message wherever the toolkit reads it.
options:
  section:
    description: The section to write.
    type: str
    choices: [host, io, sizing, raid, backup, os]
  data:
    description: The section's new content.
    type: dict
  path:
    description: The fact file (default C(/etc/ansible/facts.d/mysql_tuning.fact)).
    type: path
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

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.observe import (
    SECTIONS,
    FactFileError,
    as_recorded,
    facts_text,
    load_facts,
    save_facts,
    section_differs,
)


def main():
    module = AnsibleModule(
        argument_spec={
            "section": {"type": "str", "choices": list(SECTIONS)},
            "data": {"type": "dict"},
            "path": {"type": "path"},
        },
        required_together=[["section", "data"]],
        supports_check_mode=True,
    )
    path, section = module.params["path"], module.params["section"]
    try:
        facts = load_facts(path)
    except FactFileError as error:
        module.fail_json(msg=str(error))
    if section is None:
        module.exit_json(changed=False, facts=facts)
    data = as_recorded(module.params["data"])
    before = facts.get(section)
    changed = section_differs(facts, section, data)
    facts[section] = data
    if changed and not module.check_mode:
        save_facts(path, facts, module.atomic_move)
    header = f"{path or 'the fact file'} [{section}]"
    diff = {
        "before_header": header,
        "after_header": header,
        "before": facts_text(before) if before is not None else "",
        "after": facts_text(data),
    }
    module.exit_json(changed=changed, facts=facts, diff=diff)


if __name__ == "__main__":
    main()
