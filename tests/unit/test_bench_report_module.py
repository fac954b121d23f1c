"""The bench_report module on sysbench output captured in the lab: three files written, none in check mode."""

from __future__ import annotations

import json
from pathlib import Path

from ansible_collections.local.mysql.plugins.module_utils.bench_readings import parse_sysbench
from module_runner import run_module

FIXTURES = Path(__file__).parent / "fixtures" / "bench"
READ_WRITE = "sysbench-1.0.20-bookworm-mariadb-10.11-oltp_read_write.txt"
JOIN = "sysbench-1.0.20-bookworm-mariadb-10.11-oltp_join.txt"
DENIED = "sysbench-1.0.20-sid-mysql-9.7-access-denied.txt"
META = {
    "host": "db1",
    "server": {"flavor": "mariadb", "version": "10.11.14"},
    "host_facts": {"memory": 4 << 30, "cpus": 2, "disk": "ssd"},
    "dataset": {"tables": 2, "table_size": 10000, "estimated_bytes": 5 << 20, "formula": "requested"},
    "settings": {"threads": 2, "time": 3, "warmup": 1, "rounds": 1, "skipped_configurations": []},
    "command": "make bench",
    "started": "20261123T100000Z",
    "finished": "20261123T100100Z",
}


def run(fixture: str, configuration: str, workload: str, started: float, **extra) -> dict:
    """One run as the role hands it over (bench_sysbench's registered result)."""
    return {
        "step": {"configuration": configuration, "round": 1, "workload": workload},
        "output": (FIXTURES / fixture).read_text(),
        "samples": [{"t": 1.0, "cpu_busy_pct": 80.0, "server_rss": 700 << 20}],
        "variables": {"innodb_buffer_pool_size": str(2 << 30)},
        "started": started,
        **extra,
    }


RUNS = [
    run(READ_WRITE, "stock", "oltp_read_write", 1000.0),
    run(READ_WRITE, "tuned", "oltp_read_write", 1030.5, server_pid={"before": "7", "after": "7"}),
    run(JOIN, "tuned", "oltp_join", 1061.25),
]


def test_writes_json_markdown_and_chart_into_a_new_directory(tmp_path):
    dest = tmp_path / "bench-results" / "db1" / "20261123T100000Z"
    result = run_module("bench_report", tmp_path, {"dest": str(dest), "meta": META, "runs": RUNS})
    assert result["changed"] is True
    assert result["report"] == {name: str(dest / f"report.{name}") for name in ("json", "md", "png")}
    report = json.loads((dest / "report.json").read_text())
    assert report["host"] == "db1" and len(report["runs"]) == 3
    assert [r["offset"] for r in report["runs"]] == [0.0, 30.5, 61.25], "offsets count from the first run"
    assert report["runs"][1]["server_pid"] == {"before": "7", "after": "7"} and report["runs"][0]["server_pid"] is None
    assert report["runs"][2]["tps"] == parse_sysbench((FIXTURES / JOIN).read_text())["tps"]
    assert result["verdict_line"] in (dest / "report.md").read_text()
    assert (dest / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result["summary"][0] == f"report: {dest}/report.md (report.json, report.png)"


def test_compares_the_configurations_of_each_workload(tmp_path):
    result = run_module("bench_report", tmp_path, {"dest": str(tmp_path / "r"), "meta": META, "runs": RUNS})
    assert set(result["compare"]) == {"oltp_read_write", "oltp_join"}
    assert set(result["compare"]["oltp_read_write"]["configurations"]) == {"stock", "tuned"}
    assert result["compare"]["oltp_read_write"]["ratios"] == {"tuned/stock": 1.0}, "the same output both times"
    assert result["compare"]["oltp_join"]["ratios"] == {}


def test_check_mode_reports_but_writes_no_file(tmp_path):
    dest = tmp_path / "r"
    result = run_module("bench_report", tmp_path, {"dest": str(dest), "meta": META, "runs": RUNS}, check=True)
    assert result["changed"] is True
    assert set(result["compare"]) == {"oltp_read_write", "oltp_join"} and result["verdict_line"]
    assert not dest.exists()


def test_no_run_is_refused(tmp_path):
    result = run_module("bench_report", tmp_path, {"dest": str(tmp_path / "r"), "meta": META, "runs": []})
    assert result["failed"] is True and result["msg"] == "no measured run to report"
    assert not (tmp_path / "r").exists()


def test_a_run_without_statistics_is_shown_as_failed_with_what_sysbench_said(tmp_path):
    runs = [*RUNS, run(DENIED, "tuned", "oltp_point_select", 1100.0)]
    result = run_module("bench_report", tmp_path, {"dest": str(tmp_path / "r"), "meta": META, "runs": runs})
    assert result.get("failed") is not True, result
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    failed = [r for r in report["runs"] if r["failed"]]
    assert len(failed) == 1 and failed[0]["failure"].startswith(
        "sysbench printed no statistics: FATAL: unable to connect"
    )
    assert "FAILED: sysbench printed no statistics" in (tmp_path / "r" / "report.md").read_text()
    assert "FAIL (1 run(s) failed)" in result["verdict_line"]
