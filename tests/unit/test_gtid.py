"""GTID sets and positions (module_utils/gtid.py): what a replica lacks of its source."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.gtid import (
    mariadb_missing,
    mariadb_position,
    merge,
    missing,
    mysql_missing,
    mysql_set,
    replay_stop,
    subtract,
)
from hypothesis import given
from hypothesis import strategies as st

A = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
B = "4f22ab58-82db-22f2-af44-d91bb0530673"


def test_mysql_sets_read_as_the_server_prints_them():
    assert mysql_set(f"{A.upper()}:1-5:7,\n{B}:1-3") == {A: [(1, 5), (7, 7)], B: [(1, 3)]}
    assert mysql_set(f"{A}:1-5:tag1:1-2") == {A: [(1, 5)], f"{A}:tag1": [(1, 2)]}
    assert mysql_set("") == {}


def test_a_replica_that_executed_everything_misses_nothing_and_one_behind_misses_the_rest():
    source = f"{A}:1-100,{B}:1-5"
    assert mysql_missing(source, source) == 0
    assert mysql_missing(source, f"{A}:1-90,{B}:1-5") == 10
    assert mysql_missing(source, f"{A}:1-100") == 5
    # the replica's own transactions do not count against it here
    assert mysql_missing(source, f"{A}:1-100,{B}:1-5,{A[:-1]}9:1-3") == 0
    assert missing("mysql", source, "") == 105


def test_mariadb_positions_compare_per_domain():
    assert mariadb_position("0-1-100, 1-2-50") == {0: 100, 1: 50}
    assert mariadb_missing("0-1-100", "0-1-100") == 0
    assert mariadb_missing("0-1-100,1-2-50", "0-2-97") == 53
    assert missing("mariadb", "0-1-100", "0-1-120") == 0


intervals = st.lists(st.tuples(st.integers(1, 200), st.integers(0, 20)).map(lambda p: (p[0], p[0] + p[1])), max_size=6)


@given(have=intervals, gone=intervals)
def test_subtracting_leaves_exactly_the_numbers_not_taken(have, gone):
    numbers = {n for low, high in merge(have) for n in range(low, high + 1)}
    taken = {n for low, high in merge(gone) for n in range(low, high + 1)}
    left = {n for low, high in subtract(merge(have), merge(gone)) for n in range(low, high + 1)}
    assert left == numbers - taken


def test_a_replay_stops_before_the_named_transaction_on_each_flavor():
    assert replay_stop("mysql", f"{A.upper()}:42", f"{A}:1-40") == ([f"--exclude-gtids={A}:42-{2**63 - 2}"], "")
    tagged, problem = replay_stop("mysql", f"{A}:nightly:7", f"{A}:1-40")
    assert problem == "" and tagged == [f"--exclude-gtids={A}:nightly:7-{2**63 - 2}"], "a tagged GTID is its own source"
    assert replay_stop("mariadb", "0-1-42", "0-1-40") == (["--stop-position=0-1-41"], "")
    assert replay_stop("mariadb", "1-2-42", "0-1-900") == (["--stop-position=1-2-41"], ""), "another domain"


def test_a_replay_bound_the_backup_already_holds_or_of_the_other_flavor_is_refused():
    held = replay_stop("mysql", f"{A}:30", f"{A}:1-40,{B}:1-3")[1]
    assert held.startswith(f"mysql_restore_until '{A}:30': the backup holds that transaction already")
    assert replay_stop("mysql", f"{B}:4", f"{A}:1-40,{B}:1-3")[1] == ""
    assert "the backup holds" in replay_stop("mariadb", "0-1-40", "0-1-40")[1]
    assert "on MariaDB a GTID is domain-server-sequence" in replay_stop("mariadb", f"{A}:4", "0-1-40")[1]
    assert "on MySQL a GTID is source_uuid[:tag]:N" in replay_stop("mysql", "0-1-40", f"{A}:1-40")[1]


@given(st.integers(1, 10**6), st.integers(1, 10**6))
def test_a_mariadb_replay_keeps_exactly_the_transactions_before_the_bound(held, bound):
    stop, problem = replay_stop("mariadb", f"0-1-{bound}", f"0-1-{held}")
    assert bool(problem) == (held >= bound)
    if not problem:
        assert stop == [f"--stop-position=0-1-{bound - 1}"] and bound - 1 >= held
