"""The fleet report callback: what it collects from a run and what it writes."""

from __future__ import annotations

import json
from types import SimpleNamespace

from ansible import constants as C
from ansible.executor.stats import AggregateStats
from ansible_collections.local.mysql.plugins.callback.fleet_report import CallbackModule


class Host:
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


def result(host, **fields):
    return SimpleNamespace(_host=Host(host), _result=fields)


def run(tmp_path, monkeypatch, report_file="fleet-report.json", streams=None):
    monkeypatch.chdir(tmp_path)
    callback = CallbackModule()
    shown = []

    def display(line, stderr=False):
        shown.append(line)
        if streams is not None:
            streams.append("stderr" if stderr else "stdout")

    callback._display = SimpleNamespace(display=display)
    callback.v2_playbook_on_start(SimpleNamespace(_file_name="/somewhere/provision.yml"))
    callback.v2_playbook_on_play_start(SimpleNamespace(vars={"mysql_report_file": report_file} if report_file else {}))
    stats = AggregateStats()
    record = {"flavor": "mysql", "version": "9.7.4", "summary": "mysql 9.7.4, budget 4 GiB"}
    for host in ("db1", "db2", "db3"):
        stats.increment("ok", host)
    stats.increment("changed", "db1")
    callback.v2_runner_on_ok(
        result("db1", ansible_facts={"mysql_report": record, "mysql_rollout_outcome": "restarted"})
    )
    # db2: its restart failed inside the rollout's block (rescued), then the summary failed the run
    callback.v2_runner_on_failed(result("db2", msg="Unable to restart service mysql\nJob failed"))
    callback.v2_runner_on_ok(
        result(
            "db2",
            ansible_facts={"mysql_rollout_outcome": "rolled back", "mysql_rollout_error": "server did not start"},
        )
    )
    callback.v2_runner_on_ok(result("db2", ansible_facts={"mysql_report": record}))
    stats.increment("failures", "db2")
    callback.v2_runner_on_ok(result("db3", ansible_facts={"mysql_rollout_outcome": "not reached"}))
    stats.increment("ok", "db4")
    callback.v2_runner_on_unreachable(result("db4", msg="Failed to connect to the host via ssh: closed"))
    stats.increment("dark", "db4")
    callback.v2_playbook_on_stats(stats)
    return shown


def test_each_host_gets_its_outcome_record_and_error(tmp_path, monkeypatch):
    shown = run(tmp_path, monkeypatch)
    report = json.loads((tmp_path / "fleet-report.json").read_text())
    hosts = report["hosts"]
    assert report["playbook"] == "provision.yml"
    assert {name: entry["outcome"] for name, entry in hosts.items()} == {
        "db1": "restarted",
        "db2": "rolled back",
        "db3": "not reached",
        "db4": "unreachable",
    }
    assert hosts["db1"]["error"] is None and hosts["db1"]["version"] == "9.7.4"
    assert hosts["db1"]["counts"]["changed"] == 1
    assert hosts["db2"]["error"] == "server did not start"
    assert hosts["db4"]["error"] == "Failed to connect to the host via ssh: closed"
    assert shown[0] == "FLEET REPORT (fleet-report.json)"
    assert len(shown) == 1 + 4 and shown[2].startswith("db2") and shown[2].endswith("rolled back: server did not start")


def test_a_playbook_without_a_report_file_gets_no_report(tmp_path, monkeypatch):
    assert run(tmp_path, monkeypatch, report_file=None) == []
    assert list(tmp_path.iterdir()) == []


def test_the_lines_keep_out_of_a_json_stdout(tmp_path, monkeypatch):
    streams = []
    monkeypatch.setattr(C, "DEFAULT_STDOUT_CALLBACK", "ansible.posix.json")
    run(tmp_path, monkeypatch, streams=streams)
    assert streams and set(streams) == {"stderr"}
    streams.clear()
    monkeypatch.setattr(C, "DEFAULT_STDOUT_CALLBACK", "ansible.builtin.default")
    run(tmp_path, monkeypatch, streams=streams)
    assert streams and set(streams) == {"stdout"}
