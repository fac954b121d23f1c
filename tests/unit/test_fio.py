"""fio job, JSON parsing (real fio 3.33/3.39/3.41 output from the lab) and reuse rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ansible_collections.local.mysql.plugins.module_utils.fio import (
    METHOD,
    FioError,
    auto_size,
    job_arguments,
    parse_result,
    reuse_reason,
    space_needed,
)

FIXTURES = Path(__file__).parent / "fixtures" / "fio"
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_parse_real_fio_json(name):
    text = (FIXTURES / name).read_text()
    data = json.loads(text)
    result = parse_result(text)
    expected = sum(job["write"]["iops"] for job in data["jobs"])
    assert result["iops"] == round(expected)
    assert result["fio_version"] == data["fio version"]
    assert result["fio_version"].startswith("fio-3.")
    assert result["jobs"] == len(data["jobs"])
    worst_p99 = max(job["write"]["clat_ns"]["percentile"]["99.000000"] for job in data["jobs"])
    assert result["p99_write_latency_us"] == round(worst_p99 / 1000, 1)


def test_ungrouped_jobs_are_summed():
    text = (FIXTURES / "debiansid-mysql-randwrite-16k-2jobs-no-group.json").read_text()
    jobs = json.loads(text)["jobs"]
    assert len(jobs) == 2
    assert parse_result(text)["iops"] > max(job["write"]["iops"] for job in jobs)


def test_leading_warnings_before_the_json_are_skipped():
    text = (FIXTURES / "debian12-mariadb-randwrite-16k.json").read_text()
    assert parse_result("fio: note: both iodepth >= 1 and synchronous I/O engine\n" + text)["iops"] > 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fio: /nonexistent/dir is not a directory\n", "not JSON"),
        ('{"fio version": "fio-3.33", "jobs": []}', "no jobs"),
        ('{"jobs": [{"error": 5, "write": {"iops": 0}}]}', "error 5"),
        ('{"jobs": [{"error": 0, "write": {"iops": 0}}]}', "no writes"),
    ],
)
def test_unreadable_results_are_errors_not_figures(text, message):
    with pytest.raises(FioError, match=message):
        parse_result(text)


def test_job_is_bounded_direct_16k_random_writes_in_our_directory():
    args = job_arguments("/var/lib/.mysql-io-probe.x", "256M", 20, 32, 1, "/var/lib/.mysql-io-probe.x/r.json")
    assert "--direct=1" in args and "--bs=16k" in args and "--rw=randwrite" in args and "--ioengine=libaio" in args
    assert "--runtime=20" in args and "--time_based" in args and "--size=256M" in args
    assert "--directory=/var/lib/.mysql-io-probe.x" in args
    assert not any(a.startswith("--filename=/dev") for a in args)
    assert "--output-format=json" in args


def test_job_measures_the_sustained_rate_with_the_syncs_innodb_issues():
    args = job_arguments("/var/lib/.p", "4G", 20, 32, 1, "/var/lib/.p/r.json")
    assert "--ramp_time=5" in args  # the first quarter, where a write cache absorbs the burst
    assert "--fdatasync=32" in args
    assert "--ramp_time=2" in job_arguments("/var/lib/.p", "4G", 5, 32, 1, "/var/lib/.p/r.json")


@pytest.mark.parametrize(("free", "size"), [(2 << 30, 1 << 30), (40 << 30, 4 << 30), (1 << 40, 8 << 30)])
def test_auto_size_outgrows_a_write_cache_within_the_free_space(free, size):
    assert auto_size(free) == size


STORED = {
    "iops": 40000,
    "device": "0:39",
    "filesystem": "overlay",
    "measured_at": "2026-11-01T00:00:00+00:00",
    "method": METHOD,
}


@pytest.mark.parametrize(
    ("stored", "device", "filesystem", "remeasure", "keep", "why"),
    [
        (STORED, "0:39", "overlay", False, True, "measured"),
        (STORED, "0:39", "overlay", True, False, "mysql_io_remeasure"),
        (STORED, "253:1", "overlay", False, False, "moved"),
        (STORED, "0:39", "xfs", False, False, "moved"),
        ({**STORED, "measured_at": "2026-01-01T00:00:00+00:00"}, "0:39", "overlay", False, False, "days old"),
        (None, "0:39", "overlay", False, False, "no measurement"),
        ({"iops": None, "fallback": "tmpfs"}, "0:39", "tmpfs", False, False, "no measurement"),
        ({**STORED, "measured_at": "yesterday"}, "0:39", "overlay", False, False, "no valid time"),
        ({k: v for k, v in STORED.items() if k != "method"}, "0:39", "overlay", False, False, "another fio job"),
    ],
)
def test_reuse_rules(stored, device, filesystem, remeasure, keep, why):
    if stored and stored.get("iops") is None:
        stored = {k: v for k, v in stored.items() if k != "iops"}
    kept, reason = reuse_reason(stored, device, filesystem, NOW, 180, remeasure)
    assert kept is keep
    assert why in reason


def test_age_limit_is_the_configured_one():
    recent = {**STORED, "measured_at": (NOW - timedelta(days=10)).isoformat()}
    assert reuse_reason(recent, "0:39", "overlay", NOW, 30, False)[0]
    assert not reuse_reason(recent, "0:39", "overlay", NOW, 5, False)[0]


def test_space_needed_keeps_headroom():
    assert space_needed(256 << 20, 2, 10 << 30) == (512 << 20) + (1 << 30)
    assert space_needed(256 << 20, 1, 1 << 40) == (256 << 20) + (1 << 40) // 20
