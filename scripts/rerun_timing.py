#!/usr/bin/env python3
"""Time runs of provision.yml: the README's re-run figure and its fleet table.

    scripts/rerun_timing.py [INVENTORY] [RUNS]        (make rerun-timing INVENTORY=... RUNS=...)
One run first settles the hosts; then RUNS timed runs, each of which must change nothing (so no
fio measurement, no restart, no write). Prints each run's wall time, then median, min and max.

    scripts/rerun_timing.py --fleet 1,4,8 [RUNS]      (make fleet-timing RUNS=...)
For each size, a fresh fleet of SSH lab hosts (scripts/lab-fleet): the first run's wall time,
then RUNS healthy re-runs. The fleet is removed at the end.
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
FLEET = str(ROOT / "scripts" / "lab-fleet")


def provision(inventory: str) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run(
        [PLAYBOOK, "-i", inventory, "provision.yml"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.monotonic() - start
    if done.returncode:
        sys.exit(f"provision.yml failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    return seconds, done.stdout


def reruns(inventory: str, runs: int) -> list[float]:
    """Wall times of RUNS runs that must each change nothing."""
    times = []
    for number in range(1, runs + 1):
        seconds, output = provision(inventory)
        changed = [int(count) for count in re.findall(r"\schanged=(\d+)", output)]
        if any(changed):
            sys.exit(f"run {number} changed something (changed={changed}): not a healthy re-run")
        times.append(seconds)
        print(f"run {number}: {seconds:.2f} s, {len(changed)} host(s), changed=0", flush=True)
    return times


def spread(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, {len(times)} runs)"


def fleet(sizes: list[int], runs: int) -> None:
    rows = []
    try:
        for size in sizes:
            subprocess.run([FLEET, "down"], check=True, capture_output=True)
            subprocess.run([FLEET, "up", str(size)], check=True, capture_output=True)
            first, _ = provision("inventories/fleet")
            print(f"{size} host(s): first run {first:.1f} s", flush=True)
            rows.append((size, first, reruns("inventories/fleet", runs)))
    finally:
        subprocess.run([FLEET, "down"], check=False, capture_output=True)
    print("| hosts | first run | healthy re-run |")
    print("|---|---|---|")
    for size, first, times in rows:
        print(f"| {size} | {first:.0f} s | {spread(times)} |")


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--fleet"]:
        sizes = [int(size) for size in args[1].split(",")]
        fleet(sizes, int(args[2]) if len(args) > 2 and args[2] else 3)
        return
    inventory = args[0] if args else "inventories/lab"
    runs = int(args[1]) if len(args) > 1 else 5
    provision(inventory)
    print(f"healthy re-run of provision.yml on {inventory}: {spread(reruns(inventory, runs))}")


if __name__ == "__main__":
    main()
