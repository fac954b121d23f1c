#!/usr/bin/python
"""Ansible module: write the toolkit's state as metrics for node_exporter's textfile collector."""

DOCUMENTATION = r"""
module: toolkit_metrics
short_description: Export what the fact file records (sizing, fio, RAID) and the drift found, as Prometheus metrics
description:
  - Reads the fact file and, where a RAID controller was recorded, the learn timer's next and
    last trigger; turns them with the drift rows given into the text exposition format
    (module_utils/metrics.py) and writes it to I(path) for node_exporter's textfile collector.
  - Writes only when the content differs (it holds no time of writing), through a temporary
    file in the same directory, so the collector never reads half a file. Check mode reports
    whether it would change; diff mode shows the lines.
options:
  path:
    description: The .prom file in the textfile collector's directory.
    type: path
    required: true
  drift:
    description: The drift rows (drift_probe's C(differences)); omitted, no drift series are written.
    type: list
    elements: dict
  fact_path:
    description: The fact file (default the toolkit's).
    type: path
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Export the toolkit's state
  local.mysql.toolkit_metrics:
    path: /var/lib/prometheus/node-exporter/mysql_toolkit.prom
    drift: "{{ drift.differences }}"
"""

RETURN = r"""
metrics:
  description: Number of samples written.
  type: int
  returned: success
"""


from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.metrics import toolkit_metrics
from ansible_collections.local.mysql.plugins.module_utils.observe import (
    FactFileError,
    load_facts,
    read_text,
    replace_file,
    timer_triggers,
)

LEARN_TIMER = "mysql-raid-learn.timer"


def main():
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "drift": {"type": "list", "elements": "dict"},
            "fact_path": {"type": "path"},
        },
        supports_check_mode=True,
    )
    path = module.params["path"]
    try:
        facts = load_facts(module.params["fact_path"])
    except FactFileError as error:
        module.fail_json(msg=str(error))
    raid = facts.get("raid") or {}
    timer = timer_triggers(module.run_command, LEARN_TIMER) if raid.get("controllers") else None
    text = toolkit_metrics(facts, module.params["drift"], timer)
    current = read_text(path)
    changed = current != text
    if changed and not module.check_mode:
        replace_file(path, text, 0o644)
    result = {"changed": changed, "metrics": sum(1 for line in text.splitlines() if line and not line.startswith("#"))}
    if module._diff:
        result["diff"] = {"before_header": path, "after_header": path, "before": current or "", "after": text}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
