"""The sysbench_client module with stand-in apt-get, dpkg-deb, dpkg-query and ldd playing a Debian host.

The host has libc6 and mariadb-common; its archive lacks libluajit-5.1-2 (so the alternative
libluajit2-5.1-2 is fetched). What was fetched, how it was unpacked and what ldd was given are
read back from the stand-ins' log.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

from module_runner import run_module

LIB = "usr/lib/x86_64-linux-gnu"
PACKAGES = {
    "sysbench": {
        "depends": "libc6 (>= 2.34), libluajit-5.1-2 (>= 2.1) | libluajit2-5.1-2, libmariadb3 (>= 3.0.0)",
        "files": ["usr/bin/sysbench", "usr/share/sysbench/oltp_read_write.lua"],
    },
    "libmariadb3": {
        "depends": "libc6 (>= 2.34), mariadb-common",
        "files": [f"{LIB}/libmariadb.so.3", f"{LIB}/libmariadb3/plugin/caching_sha2_password.so"],
    },
    "libluajit2-5.1-2": {
        "pre_depends": "multiarch-support",
        "depends": "libc6",
        "files": [f"{LIB}/libluajit-5.1.so.2"],
    },
    "multiarch-support": {"depends": "", "files": []},
}
INSTALLED = ["libc6", "mariadb-common"]
NEEDED = ["libmariadb.so.3", "libluajit-5.1.so.2"]

STAND_IN = f"""#!{sys.executable}
# Stand-in for apt-get, dpkg-deb, dpkg-query and ldd (by the name it is called with).
import json, os, sys
tool, args = os.path.basename(sys.argv[0]), sys.argv[1:]
with open(os.environ["LOG"], "a") as log:
    log.write(json.dumps({{"tool": tool, "args": args, "cwd": os.getcwd(),
                          "ld_library_path": os.environ.get("LD_LIBRARY_PATH")}}) + "\\n")
packages = json.loads(os.environ["PACKAGES"])
if tool == "dpkg-query":
    name = args[-1]
    if name in os.environ["INSTALLED"].split():
        print("ii ", end="")
    elif name not in packages:
        sys.exit("dpkg-query: no packages found matching " + name)
    else:
        print("un ", end="")
elif tool == "apt-get" and args[0] == "download":
    name = args[1]
    if name not in packages:
        sys.exit("E: Can't select candidate version from package " + name + " as it has no candidate")
    with open(name + "_1.0-1_amd64.deb", "w") as deb:
        deb.write(name)
elif tool == "dpkg-deb" and args[0] == "-f":
    package = packages[open(args[1]).read()]
    if package.get("pre_depends"):
        print("Pre-Depends: " + package["pre_depends"])
    print("Depends: " + package["depends"])
elif tool == "dpkg-deb" and args[0] == "-x":
    for name in packages[open(args[1]).read()]["files"]:
        os.makedirs(os.path.dirname(os.path.join(args[2], name)), exist_ok=True)
        open(os.path.join(args[2], name), "w").close()
elif tool == "ldd":
    dirs = (os.environ.get("LD_LIBRARY_PATH") or "").split(":")
    for name in os.environ["NEEDED"].split():
        found = [d for d in dirs if d and os.path.exists(os.path.join(d, name))]
        print("\\t" + name + " => " + (os.path.join(found[0], name) + " (0x0001)" if found else "not found"))
else:
    sys.exit("the stand-in does not do: " + tool + " " + " ".join(args))
"""


def debian_host(tmp_path: Path, packages: dict = PACKAGES, tools=("apt-get", "dpkg-deb", "dpkg-query", "ldd")) -> dict:
    """PATH and environment for run_module: the stand-ins and nothing else."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in tools:
        (bin_dir / tool).write_text(STAND_IN)
        (bin_dir / tool).chmod(0o755)
    env = {
        "LOG": str(tmp_path / "tools.log"),
        "PACKAGES": json.dumps(packages),
        "INSTALLED": " ".join(INSTALLED),
        "NEEDED": " ".join(NEEDED),
    }
    return {"path": f"{bin_dir}:/nonexistent", "env": env}


def calls(tmp_path: Path, tool: str | None = None) -> list[dict]:
    path = tmp_path / "tools.log"
    entries = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [entry for entry in entries if tool in (None, entry["tool"])]


def test_fetches_the_package_and_only_what_the_host_lacks_then_unpacks_privately(tmp_path):
    client = tmp_path / "client"
    result = run_module("sysbench_client", tmp_path, {"path": str(client)}, **debian_host(tmp_path))
    assert result["changed"] is True, result
    root = client / "root"
    assert result["binary"] == str(root / "usr/bin/sysbench") and Path(result["binary"]).exists()
    assert result["packages"] == [
        "libluajit2-5.1-2_1.0-1_amd64.deb",
        "libmariadb3_1.0-1_amd64.deb",
        "multiarch-support_1.0-1_amd64.deb",
        "sysbench_1.0-1_amd64.deb",
    ]
    apt = calls(tmp_path, "apt-get")
    assert all(call["args"][0] == "download" and call["cwd"] == str(client / "debs") for call in apt)
    assert [call["args"][1] for call in apt] == [
        "sysbench",
        "libluajit-5.1-2",
        "libluajit2-5.1-2",
        "libmariadb3",
        "multiarch-support",
    ], "installed packages are not fetched; an alternative only when the first is not available"
    unpacked = [call["args"] for call in calls(tmp_path, "dpkg-deb") if call["args"][0] == "-x"]
    assert len(unpacked) == 4 and all(args[2] == str(root) for args in unpacked)
    assert result["environment"] == {
        "LD_LIBRARY_PATH": str(root / LIB),
        "LUA_PATH": f"{root}/usr/share/sysbench/?.lua;;",
        "MARIADB_PLUGIN_DIR": str(root / LIB / "libmariadb3/plugin"),
    }
    assert [call["ld_library_path"] for call in calls(tmp_path, "ldd")] == [str(root / LIB)]
    assert stat.S_IMODE(client.stat().st_mode) == 0o700


def test_an_unpacked_client_is_reused_without_running_anything(tmp_path):
    host = debian_host(tmp_path)
    first = run_module("sysbench_client", tmp_path, {"path": str(tmp_path / "client")}, **host)
    (tmp_path / "tools.log").unlink()
    again = run_module("sysbench_client", tmp_path, {"path": str(tmp_path / "client")}, **host)
    assert again["changed"] is False and again["packages"] == []
    assert again["binary"] == first["binary"] and again["environment"] == first["environment"]
    assert calls(tmp_path) == []


def test_check_mode_would_unpack_but_creates_and_runs_nothing(tmp_path):
    client = tmp_path / "client"
    result = run_module("sysbench_client", tmp_path, {"path": str(client)}, check=True, **debian_host(tmp_path))
    assert result["changed"] is True and result["binary"] == str(client / "root/usr/bin/sysbench")
    assert not client.exists() and calls(tmp_path) == []


def test_absent_removes_the_directory_and_check_mode_only_says_so(tmp_path):
    client = tmp_path / "client"
    (client / "root/usr/bin").mkdir(parents=True)
    checked = run_module("sysbench_client", tmp_path, {"path": str(client), "state": "absent"}, check=True)
    assert checked["changed"] is True and client.exists()
    removed = run_module("sysbench_client", tmp_path, {"path": str(client), "state": "absent"})
    assert removed["changed"] is True and not client.exists()
    again = run_module("sysbench_client", tmp_path, {"path": str(client), "state": "absent"})
    assert again["changed"] is False


def test_a_package_the_archive_does_not_have_fails_saying_what_apt_said(tmp_path):
    packages = {name: entry for name, entry in PACKAGES.items() if name != "libmariadb3"}
    result = run_module("sysbench_client", tmp_path, {"path": str(tmp_path / "c")}, **debian_host(tmp_path, packages))
    assert result["failed"] is True
    assert result["msg"].startswith("cannot download libmariadb3 for sysbench: libmariadb3: E: Can't select")


def test_a_library_ldd_cannot_find_fails_naming_it(tmp_path):
    packages = {**PACKAGES, "libmariadb3": {**PACKAGES["libmariadb3"], "files": [f"{LIB}/libmariadb3/plugin/x.so"]}}
    result = run_module("sysbench_client", tmp_path, {"path": str(tmp_path / "c")}, **debian_host(tmp_path, packages))
    assert result["failed"] is True
    assert result["msg"] == f"the unpacked {tmp_path}/c/root/usr/bin/sysbench cannot find ['libmariadb.so.3']"


def test_a_host_without_apt_is_refused_before_creating_anything(tmp_path):
    host = debian_host(tmp_path, tools=("dpkg-deb", "dpkg-query", "ldd"))
    result = run_module("sysbench_client", tmp_path, {"path": str(tmp_path / "c")}, **host)
    assert result["failed"] is True and result["msg"].startswith("apt-get is missing")
    assert not os.path.exists(tmp_path / "c") and calls(tmp_path) == []
