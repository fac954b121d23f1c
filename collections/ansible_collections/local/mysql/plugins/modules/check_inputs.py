#!/usr/bin/python
"""Documentation of the check_inputs action (plugins/action/check_inputs.py); it runs on the controller."""

DOCUMENTATION = r"""
module: check_inputs
short_description: Check roles' inputs on the controller before any host is changed
description:
  - Checks each named role's own inputs (C(<role>_*)) against the role's argument spec (type,
    choices, sub-options) and then against the accepted ranges of C(module_utils/inputs.py),
    including the rules between two inputs.
  - Fails on the first problem with one message that names that variable, its value (never for
    inputs that hold passwords) and what is accepted.
  - Calendar expressions are parsed by the controller's C(systemd-analyze calendar) when it has one.
  - Runs on the controller only; contacts no host; changes nothing.
options:
  roles:
    description: The roles whose inputs are checked, as they will run.
    type: list
    elements: str
    required: true
  fleet:
    description:
      - The number of hosts in the run; a canary or batch of more hosts (C(mysql_rollout_*)) is refused.
      - Without it those inputs are checked only for their form.
    type: int
  scrape:
    description:
      - The database hosts this (monitoring) host's Prometheus will scrape; each one's exporters
        must listen where this host reaches them (not on loopback, unless it is this host). A
        refusal names the exporter's listen variable.
    type: list
    elements: str
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Check each role's inputs
  local.mysql.check_inputs:
    roles: [mysql_server, mysql_host, mysql_limits, mysql_io, mysql_tune, mysql_raid, mysql_rollout]
    fleet: "{{ ansible_play_hosts_all | length }}"

- name: Check the monitoring inputs and that every database host can be scraped
  local.mysql.check_inputs:
    roles: [mysql_monitor]
    scrape: "{{ groups['mysql_servers'] }}"
"""

RETURN = r"""
msg:
  description: How many inputs were accepted.
  type: str
  returned: success
"""
