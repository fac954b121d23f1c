#!/usr/bin/python
"""Ansible module: measure the datadir's disk with fio, or reuse the stored measurement."""

from __future__ import annotations

DOCUMENTATION = r"""
module: fio_measure
short_description: Measure sustained 16 KiB random-write IOPS on the datadir's filesystem with fio
description:
  - Reuses the C(io) section of the fact file unless a new measurement is asked for, the
    device or filesystem under the datadir changed, or the measurement is older than
    I(max_age_days).
  - Otherwise runs one bounded fio job (16 KiB random writes, C(direct=1), libaio) on a file in
    a temporary directory of its own on the datadir's filesystem, next to the datadir when
    its parent is on the same filesystem, never on a raw device and never on database files;
    the directory is always removed.
  - When it cannot measure (fio missing, not enough free space, O_DIRECT unsupported as on
    tmpfs, fio failing) it warns, returns no IOPS and says why; it never invents a figure.
  - In check mode it measures nothing and says whether it would.
options:
  datadir:
    description: The server's data directory.
    type: path
    required: true
  device:
    description: major:minor of the datadir's filesystem (from host detection), to notice a move.
    type: str
    required: true
  filesystem:
    description: Filesystem type of the datadir.
    type: str
    required: true
  size:
    description: >-
      Size of the test file per job (bytes or K/M/G), or C(auto) - a tenth of the free space within
      1..8 GiB, larger than the write cache of a RAID controller or hypervisor.
    type: str
    default: auto
  runtime:
    description: Seconds of measurement; the first quarter (at least 2 s) is a ramp-up left out.
    type: int
    default: 20
  iodepth:
    description: Outstanding IOs per job.
    type: int
    default: 32
  numjobs:
    description: Parallel jobs.
    type: int
    default: 1
  remeasure:
    description: Measure even when a stored result still holds.
    type: bool
    default: false
  max_age_days:
    description: Re-measure when the stored result is older than this.
    type: int
    default: 180
  fact_path:
    description: The fact file holding the stored result (default C(/etc/ansible/facts.d/mysql_tuning.fact)).
    type: path
  ask_for_fio:
    description:
      - When a measurement is due and fio is missing, return C(needs_fio) instead of falling back, so
        that fio is installed only on hosts that will use it.
    type: bool
    default: false
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Measure the datadir's disk
  local.mysql.fio_measure:
    datadir: /var/lib/mysql
    device: "253:1"
    filesystem: xfs
  register: io
"""

RETURN = r"""
io:
  description: The C(io) section to store; C(iops) is null when nothing could be measured.
  type: dict
  returned: always
measured:
  description: Whether fio ran now.
  type: bool
  returned: always
needs_fio:
  description: A measurement is due and fio is missing (only with I(ask_for_fio)).
  type: bool
  returned: success
record:
  description: Whether the fact file's C(io) section differs from the returned C(io).
  type: bool
  returned: success
reason:
  description: Why it measured, reused, or fell back.
  type: str
  returned: always
"""

import os
import shutil
import tempfile
from datetime import datetime, timezone

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.fio import (
    METHOD,
    SYNC_EVERY,
    FioError,
    auto_size,
    job_arguments,
    parse_result,
    ramp_seconds,
    reuse_reason,
    space_needed,
)
from ansible_collections.local.mysql.plugins.module_utils.observe import FactFileError, load_facts, section_differs
from ansible_collections.local.mysql.plugins.module_utils.sizes import SizingError, parse_size


def probe_parent(datadir):
    """A directory on the datadir's filesystem that is not the datadir: its parent if it shares the device."""
    parent = os.path.dirname(datadir.rstrip("/")) or "/"
    if os.stat(parent).st_dev == os.stat(datadir).st_dev:
        return parent
    return datadir  # the datadir is a mount point: a hidden directory of our own inside it


def main():
    module = AnsibleModule(
        argument_spec={
            "datadir": {"type": "path", "required": True},
            "device": {"type": "str", "required": True},
            "filesystem": {"type": "str", "required": True},
            "size": {"type": "str", "default": "auto"},
            "runtime": {"type": "int", "default": 20},
            "iodepth": {"type": "int", "default": 32},
            "numjobs": {"type": "int", "default": 1},
            "remeasure": {"type": "bool", "default": False},
            "max_age_days": {"type": "int", "default": 180},
            "fact_path": {"type": "path"},
            "ask_for_fio": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    p = module.params
    try:
        recorded = load_facts(p["fact_path"])
    except FactFileError as error:
        module.fail_json(msg=str(error))
    cached = recorded.get("io")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    keep, why = reuse_reason(cached, p["device"], p["filesystem"], now, p["max_age_days"], p["remeasure"])

    def finish(changed, measured, io, reason, needs_fio=False):
        record = section_differs(recorded, "io", io)
        module.exit_json(changed=changed, measured=measured, needs_fio=needs_fio, record=record, io=io, reason=reason)

    if keep:
        finish(False, False, cached, f"reused: {why}")

    base = {"device": p["device"], "filesystem": p["filesystem"], "iops": None}

    def fall_back(reason):
        module.warn(f"fio: {reason}; innodb_io_capacity falls back to the defaults for the disk kind")
        finish(False, False, {**base, "fallback": reason}, reason)

    if p["filesystem"] == "tmpfs":
        fall_back("the datadir is on tmpfs: it lives in memory, there is no disk to measure")
    fio = module.get_bin_path("fio")
    if not fio and p["ask_for_fio"]:
        # the role installs fio only when a measurement is due, then asks again
        finish(False, False, cached or {}, f"fio needed: {why}", needs_fio=True)
    if module.check_mode:
        finish(True, False, cached or {}, f"would measure: {why}")
    if not fio:
        fall_back("fio is not installed and could not be installed")
    parent = probe_parent(p["datadir"])
    stat = os.statvfs(parent)
    free, total = stat.f_bavail * stat.f_frsize, stat.f_blocks * stat.f_frsize
    try:
        size = auto_size(free) if p["size"] == "auto" else parse_size(p["size"])
    except SizingError as error:
        module.fail_json(msg=f"mysql_io_size: {error}")
    need = space_needed(size, p["numjobs"], total)
    if free < need:
        fall_back(f"not enough free space on {parent}: {free} bytes free, {need} needed")

    workdir = tempfile.mkdtemp(prefix=".mysql-io-probe.", dir=parent)
    output = os.path.join(workdir, "result.json")
    try:
        command = [fio, *job_arguments(workdir, str(size), p["runtime"], p["iodepth"], p["numjobs"], output)]
        rc, _out, err = module.run_command(command)
        text = ""
        if os.path.exists(output):
            with open(output, encoding="utf-8") as handle:
                text = handle.read()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if rc != 0:
        if "direct" in err.lower() and ("support" in err.lower() or "invalid" in err.lower()):
            fall_back(f"O_DIRECT (direct=1) is not supported on {p['filesystem']}: {err.strip()[-300:]}")
        fall_back(f"fio failed with exit code {rc}: {err.strip()[-300:]}")
    try:
        result = parse_result(text)
    except FioError as error:
        fall_back(str(error))
    io = {
        **base,
        **result,
        "measured_at": now.isoformat(),
        "method": METHOD,
        "parameters": {
            "rw": "randwrite",
            "bs": "16k",
            "direct": 1,
            "ioengine": "libaio",
            "iodepth": p["iodepth"],
            "numjobs": p["numjobs"],
            "size": size,
            "size_asked": p["size"],
            "runtime": p["runtime"],
            "ramp_time": ramp_seconds(p["runtime"]),
            "fdatasync": SYNC_EVERY,
            "directory": parent,
        },
    }
    finish(True, True, io, f"measured: {why}")


if __name__ == "__main__":
    main()
