"""Callback: one line per host at the end of provision.yml or drift.yml, and the same as JSON."""

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_report
type: aggregate
short_description: One report line per host, and a JSON file for CI systems and dashboards
description:
  - Active in a playbook that has a play with the variable C(mysql_report_file) (provision.yml
    and playbooks/drift.yml); other playbooks are left alone.
  - Collects, per host, the fact C(mysql_report) (what the playbook says of the host), the fact
    C(mysql_rollout_outcome) (restarted, rolled back, not reached) and the run's own counts; at
    the end prints one line per host with its outcome (unreachable, rolled back, failed, not
    reached, restarted, changed, unchanged) and writes the same as JSON to C(mysql_report_file),
    relative to the directory ansible-playbook runs in.
  - When the stdout callback writes JSON (C(ansible.posix.json), C(json)), the lines go to
    stderr, so that stdout stays one JSON document.
  - Enabled in the project's ansible.cfg (C(callbacks_enabled)).
author: MySQL tuning toolkit contributors
"""

import json
import os
from datetime import UTC, datetime

from ansible import constants as C
from ansible.plugins.callback import CallbackBase
from ansible_collections.local.mysql.plugins.module_utils import rollout


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "local.mysql.fleet_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.report_file = None
        self.playbook = None
        self.records: dict[str, dict] = {}
        self.rollout: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def v2_playbook_on_start(self, playbook):
        self.playbook = os.path.basename(playbook._file_name)

    def v2_playbook_on_play_start(self, play):
        named = play.vars.get("mysql_report_file")
        if named:
            self.report_file = named

    def v2_runner_on_ok(self, result):
        facts = result._result.get("ansible_facts") or {}
        host = result._host.get_name()
        if isinstance(facts.get("mysql_report"), dict):
            self.records[host] = dict(facts["mysql_report"])
        if facts.get("mysql_rollout_outcome"):
            self.rollout[host] = facts["mysql_rollout_outcome"]
        if facts.get("mysql_rollout_error"):
            self.errors[host] = facts["mysql_rollout_error"]

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not ignore_errors:
            self.errors.setdefault(result._host.get_name(), first_line(result._result.get("msg", "")))

    def v2_runner_on_unreachable(self, result):
        self.errors.setdefault(result._host.get_name(), first_line(result._result.get("msg", "")))

    def v2_playbook_on_stats(self, stats):
        if not self.report_file:
            return
        hosts = {}
        for host in sorted(stats.processed):
            counts = stats.summarize(host)
            entry = dict(self.records.get(host, {}))
            entry["outcome"] = rollout.host_outcome(counts, self.rollout.get(host))
            entry["error"] = self.errors.get(host) if entry["outcome"] not in ("changed", "unchanged") else None
            entry["counts"] = counts
            hosts[host] = entry
        report = {
            "playbook": self.playbook,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "hosts": hosts,
        }
        with open(self.report_file, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2, sort_keys=True)
            handle.write("\n")
        to_stderr = str(C.DEFAULT_STDOUT_CALLBACK).rpartition(".")[2] in ("json", "jsonl")
        self._display.display(f"FLEET REPORT ({self.report_file})", stderr=to_stderr)
        for line in rollout.report_lines(hosts):
            self._display.display(line, stderr=to_stderr)


def first_line(text) -> str:
    return str(text).strip().splitlines()[0] if str(text).strip() else ""
