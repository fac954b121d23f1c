"""A fleet rollout: which hosts restart, in which batches, when to stop, and what each host got.

provision.yml changes every host at once where no restart is involved; a host whose new values
need a restart waits for its batch (a canary first). The first batch with a failed host stops the
rollout: the hosts after it keep their previous configuration. These functions decide; the
playbook and the fleet report callback only carry their answers.
"""

from __future__ import annotations

import re

from ansible_collections.local.mysql.plugins.module_utils.sizes import binary_size

PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*%")

# What happened to a host, worst first: the report shows the first that applies.
OUTCOMES = ("unreachable", "rolled back", "failed", "not reached", "restarted", "changed", "unchanged")
# Outcomes that stop the rollout for every later batch.
STOPS = ("rolled back", "failed")
BATCH_WORDS = "a whole number of hosts >= 1 or a percentage such as '25%' (more than 0 %, at most 100 %)"


def batch_words(value) -> str | None:
    """None when ``value`` is a batch size Ansible's serial takes: a count >= 1 or a percentage in (0, 100]."""
    if isinstance(value, bool):
        return BATCH_WORDS
    if isinstance(value, int) and value >= 1:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and int(text) >= 1:
            return None
        match = PERCENT.fullmatch(text)
        if match and 0 < float(match.group(1)) <= 100:
            return None
    return BATCH_WORDS


def fits_fleet(value, fleet: int) -> str | None:
    """None when a canary or batch of ``value`` hosts is no larger than the fleet."""
    counted = batch_words(value) is None and not PERCENT.fullmatch(str(value).strip())
    if fleet >= 1 and counted and int(value) > fleet:
        return f"at most {fleet}, the number of hosts in this run"
    return None


def serial(canary, batch) -> list:
    """Ansible's ``serial`` list for the restart play: the canary, then batches of ``batch``."""
    text = str(batch).strip()
    return [int(canary), text if PERCENT.fullmatch(text) else int(text)]


def restart_reasons(restart_needed: dict) -> dict:
    """Why this host needs a restart: each value only a restart applies, live -> intended (reason).

    A new LimitNOFILE shows here too: the server's open_files_limit (read-only) follows it.
    """
    return {name: f"{entry[1]} -> {entry[0]} ({entry[2]})" for name, entry in sorted(restart_needed.items())}


def stopped_by(outcomes: dict) -> list[str]:
    """The hosts whose failure stops the rollout (host name to outcome, as far as the rollout got)."""
    return sorted(host for host, outcome in outcomes.items() if outcome in STOPS)


def host_outcome(stats: dict, rollout: str | None) -> str:
    """One host's outcome from the run's counts (``unreachable``, ``failures``, ``changed``) and its rollout."""
    found = []
    if stats.get("unreachable"):
        found.append("unreachable")
    if rollout:
        found.append(rollout)
    if stats.get("failures"):
        found.append("failed")
    found.append("changed" if stats.get("changed") else "unchanged")
    return min(found, key=OUTCOMES.index)


def replication_record(place: dict | None, status: dict | None) -> dict | None:
    """A member's role, source (or replicas) and, on a replica read after its start, its state and lag."""
    if not place or place.get("role", "none") == "none":
        return None
    record = {"role": place["role"], "source": place.get("source", ""), "replicas": list(place.get("replicas", []))}
    if place["role"] == "replica":
        words = f"replica of {record['source']}"
        if status:
            running = status.get("io_running") == "Yes" and status.get("sql_running") == "Yes"
            record.update(running=running, seconds_behind=status.get("seconds_behind"))
            if running:
                words += f", {status.get('seconds_behind')} s behind"
            else:
                words += f", not replicating (IO {status.get('io_running')}, SQL {status.get('sql_running')})"
    else:
        words = f"primary of {', '.join(record['replicas'])}" if record["replicas"] else "primary, no replica"
    record["summary"] = words
    return record


def fleet_record(server: dict, sizing: dict | None, place: dict | None = None, status: dict | None = None) -> dict:
    """What the fleet report says of a provisioned host: server, budget, the values that matter most,
    and its place in replication."""
    record = {"flavor": server.get("flavor"), "version": server.get("version")}
    words = [f"{server.get('flavor')} {server.get('version')}"]
    if sizing:
        values = sizing["variables"]
        record.update(
            memory_budget=sizing["memory_budget"],
            buffer_pool=values["innodb_buffer_pool_size"],
            max_connections=values["max_connections"],
            io_capacity=values["innodb_io_capacity"],
        )
        words += [
            f"budget {binary_size(sizing['memory_budget'])}",
            f"pool {binary_size(values['innodb_buffer_pool_size'])}",
            f"max_connections {values['max_connections']}",
            f"io_capacity {values['innodb_io_capacity']}",
        ]
    replication = replication_record(place, status)
    if replication:
        record["replication"] = replication
        words.append(replication["summary"])
    record["summary"] = ", ".join(words)
    return record


def drift_record(differences: list) -> dict:
    """What the drift report says of a host: how many differences, in which areas."""
    areas = sorted({row["area"] for row in differences})
    summary = f"{len(differences)} difference{'s' if len(differences) != 1 else ''}"
    return {
        "differences": len(differences),
        "areas": areas,
        "summary": summary + (f" ({', '.join(areas)})" if areas else ""),
    }


def report_lines(hosts: dict) -> list[str]:
    """One aligned line per host (name to its report entry): name, summary, outcome, and an error if any."""
    width = max((len(name) for name in hosts), default=0)
    summary_width = max((len(entry.get("summary") or "") for entry in hosts.values()), default=0)
    lines = []
    for name in sorted(hosts):
        entry = hosts[name]
        line = f"{name.ljust(width)}  {(entry.get('summary') or '-').ljust(summary_width)}  {entry['outcome']}"
        if entry.get("error"):
            line += f": {entry['error']}"
        lines.append(line)
    return lines
