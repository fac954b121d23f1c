"""The server_dropin module end to end, with a stand-in server binary that answers as the real
checker did (captured in tests/unit/fixtures) and logs the file it was asked to check."""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

import pytest
from module_runner import run_module

FIXTURES = Path(__file__).parent / "fixtures"
OLD = "[mysqld]\nmax_connections = 100\n"
NEW = "[mysqld]\nmax_connections = 385\n"

# Stand-in for mysqld/mariadbd: logs its arguments and the file it checks, then says what the
# real server said (a captured reply) with the real exit code.
FAKE_SERVER = """#!/bin/sh
for arg in "$@"; do
  case $arg in --defaults-file=*) file=${arg#--defaults-file=} ;; esac
done
{ echo "args: $*"; echo "file: $file"; cat "$file"; } >> "$CHECKER_LOG"
cat "$REPLY" >&2
exit "$REPLY_RC"
"""


class Checker:
    """A drop-in directory, a stand-in server and the checker's log."""

    def __init__(self, tmp_path: Path, reply: str = "mariadb-clean.txt", rc: int = 0):
        self.tmp_path = tmp_path
        self.confdir = tmp_path / "conf.d"
        self.confdir.mkdir()
        self.dest = self.confdir / "zz-mysql-tuning.cnf"
        self.daemon = tmp_path / "sbin" / "mysqld"
        self.daemon.parent.mkdir()
        self.daemon.write_text(FAKE_SERVER)
        self.daemon.chmod(0o755)
        self.log = tmp_path / "checker.log"
        self.env = {"CHECKER_LOG": str(self.log), "REPLY": str(FIXTURES / reply), "REPLY_RC": str(rc)}

    def run(self, content=NEW, flavor="mysql", check=False, diff=False, daemon=None, **more):
        args = {"dest": str(self.dest), "content": content, "flavor": flavor, "daemon": str(daemon or self.daemon)}
        args.update(more)
        return run_module("server_dropin", self.tmp_path, args, check=check, diff=diff, env=self.env)

    def checked(self) -> list[tuple[str, str, str]]:
        """(arguments, file, content) of each check the server was asked for."""
        if not self.log.exists():
            return []
        runs = self.log.read_text().split("args: ")[1:]
        return [
            (run.split("\n", 1)[0], run.split("file: ", 1)[1].split("\n", 1)[0], run.split("\n", 2)[2]) for run in runs
        ]


def test_installs_the_checked_file_and_keeps_the_last_good_one(tmp_path):
    checker = Checker(tmp_path)
    checker.dest.write_text(OLD)
    result = checker.run()
    assert result["changed"] is True, result
    assert checker.dest.read_text() == NEW
    assert result["backup"] == f"{checker.dest}.last-good"
    assert Path(result["backup"]).read_text() == OLD
    [(args, path, content)] = checker.checked()
    assert "--validate-config" in args and "--user=mysql" in args
    assert content == NEW
    assert Path(path).parent == checker.confdir and not path.endswith(".cnf"), "no !includedir may read the candidate"
    assert sorted(p.name for p in checker.confdir.iterdir()) == ["zz-mysql-tuning.cnf", "zz-mysql-tuning.cnf.last-good"]


def test_the_new_file_and_the_last_good_one_get_the_mode_asked_for(tmp_path):
    checker = Checker(tmp_path)
    checker.dest.write_text(OLD)
    checker.dest.chmod(0o644)
    group = grp.getgrgid(os.getgid()).gr_name
    checker.run(mode="0640", group=group)
    for path in (checker.dest, Path(f"{checker.dest}.last-good")):
        found = path.stat()
        assert (stat.S_IMODE(found.st_mode), found.st_gid) == (0o640, os.getgid()), path
    # a first drop-in too (no file in place to take the mode from)
    checker.dest.unlink()
    checker.run(mode="0600", group=group)
    assert stat.S_IMODE(checker.dest.stat().st_mode) == 0o600
    # the same text: only the mode is brought back, and the server is not asked again
    checks = len(checker.checked())
    result = checker.run(mode="0640", group=group)
    assert result["changed"] is True and stat.S_IMODE(checker.dest.stat().st_mode) == 0o640
    assert len(checker.checked()) == checks
    assert checker.run(mode="0640", group=group)["changed"] is False


@pytest.mark.parametrize(
    ("flavor", "reply", "rc", "words"),
    [
        ("mysql", "mysql-9.7-unknown-variable.txt", 1, "unknown variable 'no_such_var=1'"),
        ("mariadb", "mariadb-10.11-adjusted-and-removed.txt", 0, "adjusted to"),
    ],
)
@pytest.mark.parametrize("check", [False, True])
def test_a_refused_file_leaves_the_one_in_place(tmp_path, flavor, reply, rc, words, check):
    checker = Checker(tmp_path, reply, rc)
    checker.dest.write_text(OLD)
    result = checker.run(flavor=flavor, check=check)
    assert result["failed"] is True
    assert any(words in refusal for refusal in result["refusals"]) and words in result["msg"]
    assert checker.dest.read_text() == OLD
    assert [p.name for p in checker.confdir.iterdir()] == ["zz-mysql-tuning.cnf"]
    [(args, path, _content)] = checker.checked()
    assert not Path(path).exists(), "the refused candidate must be removed"
    assert ("--verbose --help" in args) == (flavor == "mariadb")


def test_check_mode_checks_a_copy_of_its_own_and_changes_nothing(tmp_path):
    checker = Checker(tmp_path)
    checker.dest.write_text(OLD)
    result = checker.run(check=True)
    assert result["changed"] is True and result["checked"] is True
    assert checker.dest.read_text() == OLD
    assert [p.name for p in checker.confdir.iterdir()] == ["zz-mysql-tuning.cnf"]
    [(_args, path, content)] = checker.checked()
    assert content == NEW
    assert Path(path).parent != checker.confdir, "check mode must not write next to the live drop-in"
    assert not Path(path).exists(), "the checked copy must be removed"


def test_check_mode_before_the_server_is_installed_says_it_did_not_check(tmp_path):
    checker = Checker(tmp_path)
    result = checker.run(check=True, daemon=tmp_path / "sbin" / "not-installed")
    assert result["changed"] is True and result["checked"] is False
    assert any("not checked" in str(warning) for warning in result["warnings"])
    assert not checker.dest.exists()


@pytest.mark.parametrize("check", [True, False])
def test_diff_mode_shows_the_file_in_place_and_the_new_one(tmp_path, check):
    checker = Checker(tmp_path)
    checker.dest.write_text(OLD)
    result = checker.run(check=check, diff=True)
    assert result["diff"]["before"] == OLD and result["diff"]["after"] == NEW
    assert result["diff"]["before_header"] == str(checker.dest)


def test_diff_mode_for_a_new_file_and_no_diff_without_diff_mode(tmp_path):
    checker = Checker(tmp_path)
    assert checker.run(check=True, diff=True)["diff"]["before"] == ""
    assert "diff" not in checker.run(check=True)


def test_the_same_content_is_neither_checked_nor_written(tmp_path):
    checker = Checker(tmp_path)
    checker.dest.write_text(NEW)
    result = checker.run(content=NEW.rstrip("\n"))
    assert result["changed"] is False
    assert checker.checked() == []
    assert not Path(f"{checker.dest}.last-good").exists()


def test_the_log_directory_is_made_and_corrected_even_when_the_file_is_unchanged(tmp_path):
    checker = Checker(tmp_path)
    checker.dest.write_text(NEW)
    logs = tmp_path / "log" / "mysql"
    wanted = {"path": str(logs), "owner": "root", "group": "root", "mode": "2750"}

    def run(check=False):
        args = {"dest": str(checker.dest), "content": NEW, "flavor": "mysql", "daemon": str(checker.daemon)}
        return run_module("server_dropin", tmp_path, {**args, "directories": [wanted]}, check=check, env=checker.env)

    assert run(check=True)["changed"] is True and not logs.exists(), "check mode makes nothing"
    assert run()["changed"] is True and oct(logs.stat().st_mode & 0o7777) == "0o2750"
    assert run()["changed"] is False
    logs.chmod(0o777)
    assert run()["changed"] is True and oct(logs.stat().st_mode & 0o7777) == "0o2750"
    assert checker.checked() == [], "an unchanged drop-in is not checked again"
