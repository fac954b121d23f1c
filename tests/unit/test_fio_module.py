"""The fio_measure module end to end, with a stand-in fio that replays captured output.

Each way of not measuring must warn, say why and return no IOPS; a measurement must come
from fio's JSON and leave no file behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
MODULE = ROOT / "collections/ansible_collections/local/mysql/plugins/modules/fio_measure.py"
CAPTURED = Path(__file__).parent / "fixtures" / "fio" / "debian13-mariadb-randwrite-16k.json"

FAKE_FIO = """#!/bin/sh
# Stand-in for fio: writes the captured JSON to --output, or fails like fio does.
for arg in "$@"; do
  case $arg in --output=*) out=${arg#--output=} ;; --directory=*) dir=${arg#--directory=} ;; esac
done
echo "$@" > "$LOG"
/bin/ls -a "$dir" >> "$LOG"
case $MODE in
  ok) /bin/cp "$CAPTURED" "$out" ;;
  nodirect) echo "fio: looks like your file system does not support direct=1/buffered=0" >&2; exit 1 ;;
  garbage) echo "not json" > "$out" ;;
esac
"""


def run_module(tmp_path: Path, mode: str | None, **params) -> dict:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    if mode:
        fio = bin_dir / "fio"
        fio.write_text(FAKE_FIO)
        fio.chmod(0o755)
    datadir = tmp_path / "lib" / "mysql"
    datadir.mkdir(parents=True, exist_ok=True)
    args = {
        "datadir": str(datadir),
        "device": "0:99",
        "filesystem": "ext4",
        "fact_path": str(tmp_path / "mysql_tuning.fact"),
        "runtime": 5,
        **params,
    }
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    env = {
        "PATH": f"{bin_dir}:/nonexistent",
        "PYTHONPATH": str(ROOT / "collections"),
        "MODE": mode or "",
        "CAPTURED": str(CAPTURED),
        "LOG": str(tmp_path / "fio.log"),
    }
    result = subprocess.run([sys.executable, str(MODULE), str(args_file)], capture_output=True, text=True, env=env)
    return json.loads(result.stdout)


def assert_fell_back(result, why):
    assert result["io"]["iops"] is None
    assert why in result["io"]["fallback"] and why in result["reason"]
    assert any(why in str(warning) for warning in result.get("warnings", []))
    assert result["measured"] is False


def test_measures_from_fio_json_and_cleans_up(tmp_path):
    result = run_module(tmp_path, "ok")
    assert result["measured"] is True and result["changed"] is True
    expected = json.loads(CAPTURED.read_text())["jobs"][0]["write"]["iops"]
    assert result["io"]["iops"] == round(expected)
    assert result["io"]["fio_version"] == "fio-3.39"
    log = (tmp_path / "fio.log").read_text()
    assert "--direct=1" in log and "--bs=16k" in log
    probe_dir = log.split("--directory=")[1].split()[0]
    assert Path(probe_dir).parent == tmp_path / "lib", "the probe must sit beside the datadir, not in it"
    assert not Path(probe_dir).exists(), "the probe directory must be removed"
    assert os.listdir(tmp_path / "lib" / "mysql") == []


def test_reuses_a_stored_measurement(tmp_path):
    first = run_module(tmp_path, "ok")
    (tmp_path / "mysql_tuning.fact").write_text(json.dumps({"io": first["io"]}))
    (tmp_path / "fio.log").unlink()
    again = run_module(tmp_path, "ok")
    assert again["changed"] is False and again["measured"] is False
    assert again["io"] == first["io"]
    assert not (tmp_path / "fio.log").exists(), "fio ran again"


def test_check_mode_measures_nothing(tmp_path):
    result = run_module(tmp_path, "ok", _ansible_check_mode=True)
    assert result["changed"] is True and result["measured"] is False
    assert "would measure" in result["reason"]
    assert not (tmp_path / "fio.log").exists()


def test_fio_missing(tmp_path):
    assert_fell_back(run_module(tmp_path, None), "fio is not installed")


def test_tmpfs(tmp_path):
    assert_fell_back(run_module(tmp_path, "ok", filesystem="tmpfs"), "tmpfs")


def test_not_enough_free_space(tmp_path):
    assert_fell_back(run_module(tmp_path, "ok", size="1000T"), "not enough free space")


def test_direct_io_unsupported(tmp_path):
    assert_fell_back(run_module(tmp_path, "nodirect"), "O_DIRECT (direct=1) is not supported")


def test_fio_output_that_is_not_a_measurement(tmp_path):
    assert_fell_back(run_module(tmp_path, "garbage"), "not JSON")


def test_a_missing_fio_is_asked_for_only_when_a_measurement_is_due(tmp_path):
    asked = run_module(tmp_path, None, ask_for_fio=True)
    assert asked["needs_fio"] is True and asked["changed"] is False and not asked.get("warnings")
    (tmp_path / "mysql_tuning.fact").write_text(json.dumps({"io": run_module(tmp_path, "ok")["io"]}))
    (tmp_path / "bin" / "fio").unlink()
    reused = run_module(tmp_path, None, ask_for_fio=True)
    assert reused["needs_fio"] is False and reused["measured"] is False, "a stored figure needs no fio"
