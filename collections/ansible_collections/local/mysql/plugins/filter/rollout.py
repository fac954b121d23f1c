"""Filters that carry the rollout's decisions (module_utils/rollout.py) into provision.yml and drift.yml."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils import rollout


def rollout_serial(canary, batch) -> list:
    """Ansible's serial list for the restart play: [canary, batch]."""
    return rollout.serial(canary, batch)


def rollout_stopped_by(hostvars, hosts: list) -> list:
    """The hosts of this rollout whose restart failed (so far)."""
    return rollout.stopped_by({host: hostvars[host].get("mysql_rollout_outcome") for host in hosts})


def restart_plan(restart_needed: dict, deferred: bool) -> dict:
    """Why this host needs a restart, and whether the restart waits for the rollout."""
    reasons = rollout.restart_reasons(restart_needed or {})
    return {"restart_for": reasons, "restart_pending": bool(deferred and reasons)}


class FilterModule:
    def filters(self):
        return {
            "rollout_serial": rollout_serial,
            "rollout_stopped_by": rollout_stopped_by,
            "restart_plan": restart_plan,
            "fleet_record": rollout.fleet_record,
            "drift_record": rollout.drift_record,
        }
