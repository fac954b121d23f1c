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
from ansible_collections.local.mysql.plugins.module_utils.observe import FactFileError, load_facts
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
        },
        supports_check_mode=True,
    )
    p = module.params
    try:
        cached = load_facts(p["fact_path"]).get("io")
    except FactFileError as error:
        module.fail_json(msg=str(error))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    keep, why = reuse_reason(cached, p["device"], p["filesystem"], now, p["max_age_days"], p["remeasure"])
    if keep:
        module.exit_json(changed=False, measured=False, io=cached, reason=f"reused: {why}")
    if module.check_mode:
        module.exit_json(changed=True, measured=False, io=cached or {}, reason=f"would measure: {why}")

    base = {"device": p["device"], "filesystem": p["filesystem"], "iops": None}

    def fall_back(reason):
        module.warn(f"fio: {reason}; innodb_io_capacity falls back to the defaults for the disk kind")
        module.exit_json(changed=False, measured=False, io={**base, "fallback": reason}, reason=reason)

    if p["filesystem"] == "tmpfs":
        fall_back("the datadir is on tmpfs: it lives in memory, there is no disk to measure")
    fio = module.get_bin_path("fio")
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
    module.exit_json(changed=True, measured=True, io=io, reason=f"measured: {why}")


if __name__ == "__main__":
    main()
