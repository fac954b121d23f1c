"""What a host's exporters need (module_utils/exporters.py) and exporters_probe as Ansible runs it."""

from __future__ import annotations

import stat

from ansible_collections.local.mysql.plugins.module_utils.exporters import default_args, exporter_actions
from hypothesis import given
from hypothesis import strategies as st
from module_runner import run_module

# Debian's file as the package ships it, and the role's.
DEBIAN_DEFAULT = """# Set the command-line arguments to pass to the server.
# Due to shell escaping, to pass backslashes for regexes, you need to double
# them (\\\\d for \\d). If running under systemd, you need to double them again
# (\\\\\\\\d to mean \\d), and escape newlines too.
ARGS=""
"""
ROLE_DEFAULT = '#\n# Ansible managed\n#\nARGS="--web.listen-address=127.0.0.1:9100 --collector.textfile.directory=/x"\n'


def test_the_args_assignment_is_read_unquoted():
    assert default_args(DEBIAN_DEFAULT) == ""
    assert default_args(ROLE_DEFAULT) == "--web.listen-address=127.0.0.1:9100 --collector.textfile.directory=/x"
    assert default_args("ARGS=--a\nARGS='--b  --c'\n") == "--b --c"
    assert default_args("# no assignment\n") is None
    assert default_args(None) is None
    assert default_args('ARGS="--unterminated\n') is None


def test_a_healthy_host_needs_nothing():
    wanted = {"mysqld": "--a", "node": "--b"}
    assert exporter_actions(wanted, dict(wanted), [], {"mysqld": True, "node": True}) == {
        "install": [],
        "write": [],
        "start": [],
    }


def test_a_fresh_host_needs_everything():
    wanted = {"mysqld": "--a", "node": "--b"}
    actions = exporter_actions(wanted, {"mysqld": None, "node": None}, ["pkg-b", "pkg-a"], {})
    assert actions == {"install": ["pkg-a", "pkg-b"], "write": ["mysqld", "node"], "start": ["mysqld", "node"]}


arguments = st.text(alphabet="-=.:/0123456789abc ", max_size=30)


@given(st.dictionaries(st.sampled_from(["mysqld", "node"]), st.tuples(arguments, arguments, st.booleans()), min_size=1))
def test_only_what_differs_is_written_and_only_what_is_down_is_started(exporters):
    wanted = {key: want for key, (want, _, _) in exporters.items()}
    current = {key: now for key, (_, now, _) in exporters.items()}
    running = {key: up for key, (_, _, up) in exporters.items()}
    actions = exporter_actions(wanted, current, [], running)
    # ``current`` as default_args gives it (words joined by one space): spacing alone is no difference
    assert actions["write"] == sorted(key for key in exporters if " ".join(wanted[key].split()) != current[key])
    spaced = {key: f"  {want}  " for key, want in wanted.items()}
    assert (
        exporter_actions(spaced, {key: " ".join(want.split()) for key, want in wanted.items()}, [], running)["write"]
        == []
    )
    assert actions["start"] == sorted(key for key in exporters if not running[key])


def test_the_probe_reads_the_files_and_changes_nothing(tmp_path):
    (tmp_path / "node-exporter").write_text(ROLE_DEFAULT)
    (tmp_path / "mysqld-exporter").write_text(DEBIAN_DEFAULT)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # stand-ins: dpkg-query knows one package, systemctl says every unit runs and is enabled
    for name, script in {
        "dpkg-query": 'case "$3" in pkg-node) echo installed ;; *) exit 1 ;; esac',
        "systemctl": 'case "$3" in ActiveState) echo active ;; UnitFileState) echo enabled ;; esac',
    }.items():
        tool = bin_dir / name
        tool.write_text(f"#!/bin/sh\n{script}\n")
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    args = {
        "packages": ["pkg-node", "pkg-mysqld"],
        "services": {"node": "node-exporter", "mysqld": "mysqld-exporter"},
        "args": {"node": default_args(ROLE_DEFAULT), "mysqld": "--config.my-cnf=/etc/x.cnf"},
        "defaults_dir": str(tmp_path),
    }
    for check in (False, True):
        result = run_module("exporters_probe", tmp_path, args, check=check, path=f"{bin_dir}:/usr/bin:/bin")
        assert result["changed"] is False, result
        assert result["actions"] == {"install": ["pkg-mysqld"], "write": ["mysqld"], "start": []}
        assert result["args"] == {"node": default_args(ROLE_DEFAULT), "mysqld": ""}
    assert (tmp_path / "mysqld-exporter").read_text() == DEBIAN_DEFAULT
