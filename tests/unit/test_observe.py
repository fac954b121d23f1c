"""The observe layer: the fact file read one way, host files parsed one way; and the limits decision."""

from __future__ import annotations

import json
import os
import resource

import pytest
from ansible_collections.local.mysql.plugins.module_utils import limits, observe
from ansible_collections.local.mysql.plugins.module_utils.sizes import binary_size
from hypothesis import given
from hypothesis import strategies as st

LIMITS = """Limit                     Soft Limit           Hard Limit           Units
Max processes             unlimited            unlimited            processes
Max open files            16384                524288               files
Max locked memory         8388608              8388608              bytes
"""


def test_open_files_limits_reads_soft_and_hard():
    assert observe.open_files_limits(LIMITS) == (16384, 524288)
    unlimited = LIMITS.replace("16384                524288", "unlimited            unlimited")
    assert observe.open_files_limits(unlimited) == (observe.UNLIMITED_FILES, observe.UNLIMITED_FILES)
    assert observe.open_files_limits("") is None
    assert observe.open_files_limits(None) is None


def test_the_running_service_limit_is_its_main_process_own():
    # systemctl names this test's process as the service's main process: its soft limit is known
    calls = []

    def run_command(argv):
        calls.append(argv)
        return 0, f"{os.getpid()}\n", ""

    assert observe.process_open_files(run_command, "mariadb") == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert calls == [["systemctl", "show", "--property", "MainPID", "--value", "mariadb"]]
    assert observe.process_open_files(lambda argv: (0, "0\n", ""), "mariadb") is None
    assert observe.process_open_files(lambda argv: (1, "", "no such unit"), "mariadb") is None


def test_the_last_assignment_in_a_unit_wins_as_in_systemd():
    text = "[Service]\nLimitNOFILE=1024\n# LimitNOFILE=9\nLimitNOFILE = 65535\n"
    assert observe.unit_setting(text, "LimitNOFILE") == "65535"
    assert (
        observe.unit_setting("[Timer]\nOnCalendar=Sun *-*-01..07 03:00:00\n", "OnCalendar") == "Sun *-*-01..07 03:00:00"
    )
    assert observe.unit_setting(None, "LimitNOFILE") is None


def test_a_missing_fact_file_is_an_unprovisioned_host(tmp_path):
    assert observe.load_facts(str(tmp_path / "none.fact")) == {}


@pytest.mark.parametrize("text", ['{"host": ', "[1, 2]", "\x00garbage"])
def test_a_corrupt_fact_file_is_refused_with_one_message(tmp_path, text):
    path = tmp_path / "mysql_tuning.fact"
    path.write_text(text)
    with pytest.raises(observe.FactFileError, match="move it aside") as refused:
        observe.load_facts(str(path))
    assert str(path) in str(refused.value)
    assert path.read_text() == text, "a corrupt file must be left for the administrator to look at"


def test_saving_writes_every_section_readably(tmp_path):
    path = tmp_path / "facts.d" / "mysql_tuning.fact"
    moves = []

    def atomic_move(source, destination):
        moves.append(destination)
        (tmp_path / "facts.d" / "mysql_tuning.fact.tmp").rename(destination)

    observe.save_facts(str(path), {"io": {"iops": 1}, "host": {}}, atomic_move)
    assert moves == [str(path)]
    assert json.loads(path.read_text()) == {"io": {"iops": 1}, "host": {}}
    assert observe.load_facts(str(path)) == {"io": {"iops": 1}, "host": {}}


@given(
    st.integers(1024, 1 << 20),
    st.one_of(st.none(), st.integers(1024, 1 << 20)),
    st.dictionaries(st.sampled_from(limits.KERNEL_KEYS), st.one_of(st.none(), st.integers(0, 1 << 21))),
    st.booleans(),
)
def test_the_limits_decision(nofile, pid1_hard, kernel, writable):
    decided = limits.plan(nofile, pid1_hard, kernel, writable)
    assert (decided["refusal"] is not None) == (pid1_hard is not None and nofile > pid1_hard)
    if decided["refusal"]:
        assert decided["refusal"].startswith(f"mysql_limits_nofile={nofile}: must be at most {pid1_hard}")
    # only settings below the target are raised, to the target, and never through a read-only /proc/sys
    for key, value in decided["kernel"].items():
        assert writable and kernel[key] is not None and kernel[key] < nofile and value == nofile
    below = [key for key, now in kernel.items() if now is not None and now < nofile]
    assert len(decided["kernel"]) == (len(below) if writable else 0)
    assert (decided["kernel_note"] is not None) == (not writable and bool(kernel))


def test_files_are_written_only_when_content_mode_or_owner_differ():
    text = limits.unit_text(16384)
    good = {"text": text, "mode": 0o644, "uid": 0, "gid": 0}
    assert limits.files_to_write({"/u": text}, {"/u": good}) == {}
    for drift in ({"text": text.replace("16384", "1024")}, {"mode": 0o666}, {"uid": 1000}):
        assert limits.files_to_write({"/u": text}, {"/u": {**good, **drift}}) == {"/u": text}
    assert limits.files_to_write({"/u": text}, {"/u": None}) == {"/u": text}


def test_the_login_limits_file_names_each_domain_soft_and_hard():
    text = limits.pam_text(["*", "mysql"], 16384)
    assert observe.parse_pam_limits(text) == {
        ("*", "soft"): "16384",
        ("*", "hard"): "16384",
        ("mysql", "soft"): "16384",
        ("mysql", "hard"): "16384",
    }
    assert observe.unit_setting(limits.unit_text(16384), "LimitNOFILE") == "16384"


def test_a_section_differs_only_when_the_file_would_change():
    recorded = {"sizing": {"variables": {"max_connections": 151}, "ratio": 0.6}}
    assert not observe.section_differs(recorded, "sizing", {"ratio": 0.6, "variables": {"max_connections": 151}})
    assert observe.section_differs(recorded, "sizing", {"ratio": 0.6, "variables": {"max_connections": 152}})
    assert observe.section_differs(recorded, "io", {})
    # what JSON cannot tell apart is the same record: a tuple is written as a list
    assert not observe.section_differs({"host": {"disks": ["sda"]}}, "host", {"disks": ("sda",)})


def test_sizes_are_printed_as_binary_units():
    assert binary_size(4 * 1024**3) == "4 GiB"
    assert binary_size(48 * 1024**2) == "48 MiB"
    assert binary_size(512) == "512 B"


def test_timer_triggers_read_as_epoch_seconds_and_zero_when_none():
    # as systemd 252 (bookworm) prints them with TZ=UTC; a timer that never fired says n/a
    answers = {"NextElapseUSecRealtime": (0, "Sun 2026-12-06 03:00:00 UTC\n", ""), "LastTriggerUSec": (0, "n/a\n", "")}

    def run_command(argv, environ_update=None):
        assert argv[:2] == ["systemctl", "show"] and argv[-1] == "mysql-raid-learn.timer"
        assert environ_update == {"TZ": "UTC"}
        return answers[argv[argv.index("--property") + 1]]

    assert observe.timer_triggers(run_command, "mysql-raid-learn.timer") == {"next": 1796526000, "last": 0}
    failing = observe.timer_triggers(lambda argv, environ_update=None: (1, "", "no such unit"), "x.timer")
    assert failing == {"next": 0, "last": 0}
