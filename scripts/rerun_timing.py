#!/usr/bin/env python3
"""Time healthy re-runs of provision.yml: the README's re-run figure.

One run first settles the hosts; then RUNS timed runs, each of which must change nothing (so no
fio measurement, no restart, no write). Prints each run's wall time, then median, min and max.
    scripts/rerun_timing.py [INVENTORY] [RUNS]      (make rerun-timing INVENTORY=... RUNS=...)
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAYBOOK = str(Path(sys.executable).parent / "ansible-playbook")


def provision(inventory: str) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run(
        [PLAYBOOK, "-i", inventory, "provision.yml"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.monotonic() - start
    if done.returncode:
        sys.exit(f"provision.yml failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    return seconds, done.stdout


def main() -> None:
    inventory = sys.argv[1] if len(sys.argv) > 1 else "inventories/lab"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    provision(inventory)
    times = []
    for number in range(1, runs + 1):
        seconds, output = provision(inventory)
        changed = [int(count) for count in re.findall(r"\schanged=(\d+)", output)]
        if any(changed):
            sys.exit(f"run {number} changed something (changed={changed}): not a healthy re-run")
        hosts = len(changed)
        times.append(seconds)
        print(f"run {number}: {seconds:.2f} s, {hosts} host(s), changed=0")
    print(
        f"healthy re-run of provision.yml on {inventory}: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}, {runs} runs)"
    )


if __name__ == "__main__":
    main()
