#!/usr/bin/python
"""Ansible module (run on the controller): write a host's load-test report."""

from __future__ import annotations

DOCUMENTATION = r"""
module: bench_report
short_description: Write report.json, report.md and report.png for one host's load test
description:
  - Parses every run's sysbench output and samples with C(local.mysql.bench), compares the
    configurations (median, spread, ratios), judges the latency targets, and writes the
    three files into I(dest). Runs on the controller (delegated to localhost), since the
    chart needs matplotlib, a controller requirement.
options:
  dest: {description: Directory for the report; created., type: path, required: true}
  meta:
    description: >-
      host, server, host_facts, dataset, settings, command, started, finished; mode, scenario,
      cpus, and for the capacity search capacity (cap, p95_bound_ms) and disk_iops (what fio measured).
    type: dict
    required: true
  runs:
    description: >-
      Each measured run - step (round, configuration, workload, threads, phase), output, samples,
      variables, started, and failure (why it did not finish) for a run shown as failed.
    type: list
    elements: dict
    required: true
author: MySQL tuning toolkit contributors
requirements: [matplotlib]
"""

EXAMPLES = r"""
- name: Write the report
  local.mysql.bench_report:
    dest: bench-results/db1/20261123T101500
    meta: "{{ meta }}"
    runs: "{{ runs }}"
  delegate_to: localhost
"""

RETURN = r"""
report: {description: Paths of the three files., type: dict, returned: success}
compare: {description: Per workload and configuration, median TPS, spread and ratios., type: dict, returned: success}
verdict_line: {description: The latency targets judged., type: str, returned: success}
summary: {description: Lines for the play's output., type: list, returned: success}
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.bench import (
    BenchError,
    build_report,
    run_record,
    summary_lines,
)
from ansible_collections.local.mysql.plugins.module_utils.bench_page import markdown


def main():
    module = AnsibleModule(
        argument_spec={
            "dest": {"type": "path", "required": True},
            "meta": {"type": "dict", "required": True},
            "runs": {"type": "list", "elements": "dict", "required": True},
        },
        supports_check_mode=True,
    )
    raw = module.params["runs"]
    if not raw:
        module.fail_json(msg="no measured run to report")
    first = min(run["started"] for run in raw)
    try:
        runs = [
            {
                **run_record(
                    run["step"],
                    run["output"],
                    run["samples"],
                    run["variables"],
                    round(run["started"] - first, 2),
                    run.get("failure"),
                ),
                "server_pid": run.get("server_pid"),
                "cgroup": run.get("cgroup"),
                "cgroup_before": run.get("cgroup_before"),
            }
            for run in raw
        ]
    except BenchError as error:
        module.fail_json(msg=str(error))
    report = build_report(module.params["meta"], runs)
    dest = module.params["dest"]
    paths = {name: os.path.join(dest, f"report.{name}") for name in ("json", "md", "png")}
    if not module.check_mode:
        from ansible_collections.local.mysql.plugins.module_utils.bench_chart import draw

        os.makedirs(dest, exist_ok=True)
        with open(paths["json"], "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2, sort_keys=True)
            handle.write("\n")
        with open(paths["md"], "w", encoding="utf-8") as handle:
            handle.write(markdown(report))
        draw(report, paths["png"])
    module.exit_json(
        changed=True,
        report=paths,
        compare=report["compare"],
        verdict_line=report["verdict_line"],
        summary=summary_lines(report, dest),
    )


if __name__ == "__main__":
    main()
