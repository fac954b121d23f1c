"""fio: the job the roles run, reading its JSON, and when a stored result still holds.

Pure functions; the ``fio_measure`` module does the I/O.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

BLOCK_SIZE = "16k"  # InnoDB's page: innodb_io_capacity counts 16 KiB page writes per second
# The job below, numbered: a result measured by another job is measured again.
METHOD = 2
# InnoDB writes a batch of pages with O_DIRECT, then syncs the file: fio syncs every this many writes.
SYNC_EVERY = 32
# "auto" size: a tenth of the free space within 1..8 GiB, larger than the write cache a RAID
# controller or a hypervisor keeps (typically 1-8 GiB), so the sustained rate is the disk's.
AUTO_SIZE_SHARE, AUTO_SIZE_MIN, AUTO_SIZE_MAX = 0.10, 1 << 30, 8 << 30


class FioError(ValueError):
    """fio's output cannot be read as a measurement."""


def auto_size(free_bytes: int) -> int:
    """The test file for ``mysql_io_size: auto``: a tenth of the free space within 1..8 GiB."""
    return int(min(AUTO_SIZE_MAX, max(AUTO_SIZE_MIN, free_bytes * AUTO_SIZE_SHARE)))


def ramp_seconds(runtime: int) -> int:
    """Seconds left out at the start, while a write cache absorbs the first burst: a quarter."""
    return max(2, runtime // 4)


def job_arguments(directory: str, size: str, runtime: int, iodepth: int, numjobs: int, output: str) -> list[str]:
    """Sustained 16 KiB random writes with O_DIRECT and a sync every SYNC_EVERY writes, as InnoDB
    flushes pages, on a file of our own in ``directory``, past a ramp-up of a quarter of the run."""
    return [
        "--name=mysql-io-probe",
        f"--directory={directory}",
        "--rw=randwrite",
        f"--bs={BLOCK_SIZE}",
        "--direct=1",
        "--ioengine=libaio",
        f"--iodepth={iodepth}",
        f"--numjobs={numjobs}",
        f"--size={size}",
        f"--runtime={runtime}",
        "--time_based",
        f"--ramp_time={ramp_seconds(runtime)}",
        f"--fdatasync={SYNC_EVERY}",
        "--group_reporting",
        "--end_fsync=1",
        "--output-format=json",
        f"--output={output}",
    ]


def parse_result(text: str) -> dict:
    """IOPS and p99 write latency from fio 3.x ``--output-format=json``.

    With ``group_reporting`` there is one job entry; without it, jobs are summed.
    """
    try:
        data = json.loads(text[text.index("{") :] if "{" in text else text)
    except ValueError as error:
        raise FioError(f"fio's output is not JSON: {error}") from error
    jobs = data.get("jobs") or []
    if not jobs:
        raise FioError("fio's JSON has no jobs")
    errors = [job.get("error", 0) for job in jobs if job.get("error")]
    if errors:
        raise FioError(f"fio reported error {errors[0]} in a job")
    writes = [job.get("write") or {} for job in jobs]
    iops = sum(float(write.get("iops", 0)) for write in writes)
    if iops <= 0:
        raise FioError("fio measured no writes")
    percentiles = [(write.get("clat_ns") or {}).get("percentile") or {} for write in writes]
    p99 = max((float(p.get("99.000000", 0)) for p in percentiles), default=0.0)
    return {
        "iops": round(iops),
        "p99_write_latency_us": round(p99 / 1000, 1),
        "fio_version": data.get("fio version", "unknown"),
        "jobs": len(jobs),
    }


def reuse_reason(cached: dict | None, device: str, filesystem: str, now: datetime, max_age_days: int,
                 remeasure: bool) -> tuple[bool, str]:  # fmt: skip
    """(keep the stored result?, why) for the ``io`` section of the fact file."""
    if remeasure:
        return False, "a new measurement was asked for (mysql_io_remeasure)"
    if not cached or "iops" not in cached:
        return False, "no measurement stored yet"
    if cached.get("method") != METHOD:
        return False, f"the stored measurement used another fio job (method {cached.get('method', 1)}, now {METHOD})"
    if cached.get("device") != device or cached.get("filesystem") != filesystem:
        return False, (
            f"the datadir moved from {cached.get('device')} ({cached.get('filesystem')}) to {device} ({filesystem})"
        )
    try:
        measured = datetime.fromisoformat(cached["measured_at"])
    except (KeyError, TypeError, ValueError):
        return False, "the stored measurement has no valid time"
    age = now - measured
    if age > timedelta(days=max_age_days):
        return False, f"the stored measurement is {age.days} days old (mysql_io_max_age_days={max_age_days})"
    return True, f"measured {measured.isoformat()} on {device} ({filesystem})"


def space_needed(size_bytes: int, numjobs: int, filesystem_bytes: int) -> int:
    """The test files plus headroom: 1 GiB or 5 % of the filesystem, whichever is more."""
    return size_bytes * numjobs + max(1 << 30, filesystem_bytes // 20)
