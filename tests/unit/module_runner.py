"""Run one of the collection's modules the way Ansible does: a JSON args file, a fresh interpreter.

Check mode and diff are the same private arguments ansible-core passes (``_ansible_check_mode``,
``_ansible_diff``), so a test sees exactly what a play would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
MODULES = ROOT / "collections/ansible_collections/local/mysql/plugins/modules"


def run_module(
    name: str,
    tmp_path: Path,
    args: dict,
    *,
    check: bool = False,
    diff: bool = False,
    path: str | None = None,
    env: dict | None = None,
) -> dict:
    """The module's JSON result; ``path`` replaces PATH (stand-in tools first), ``env`` adds variables."""
    module_args = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    args_file = tmp_path / f"{name}-args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": module_args}))
    environment = {
        "PATH": path if path is not None else os.environ["PATH"],
        "PYTHONPATH": str(ROOT / "collections"),
        **(env or {}),
    }
    done = subprocess.run(
        [sys.executable, str(MODULES / f"{name}.py"), str(args_file)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"{name} printed no JSON: {done.stdout!r} {done.stderr!r}") from None
