"""The application's databases (module_utils/databases.py): what is created, altered, dropped or refused."""

from __future__ import annotations

import pytest
from ansible_collections.local.mysql.plugins.module_utils import inputs
from ansible_collections.local.mysql.plugins.module_utils.databases import (
    Database,
    DatabaseError,
    default_collations,
    listed,
    plan,
    record,
)
from hypothesis import given
from hypothesis import strategies as st

# as MySQL 9.7 and MariaDB 11.8 report them
MYSQL_DEFAULTS = default_collations([("utf8mb4", "utf8mb4_0900_ai_ci"), ("latin1", "latin1_swedish_ci")])
MARIADB_DEFAULTS = default_collations(
    [("utf8mb4", "utf8mb4_general_ci"), ("latin1", "latin1_swedish_ci")],
    "utf8mb3=utf8mb3_uca1400_ai_ci,ucs2=ucs2_uca1400_ai_ci,utf8mb4=utf8mb4_uca1400_ai_ci",
)
COLLATIONS = {
    "utf8mb4_0900_ai_ci": "utf8mb4",
    "utf8mb4_bin": "utf8mb4",
    "utf8mb4_general_ci": "utf8mb4",
    "utf8mb4_uca1400_ai_ci": "utf8mb4",
    "latin1_swedish_ci": "latin1",
}


def test_mariadbs_character_set_collations_override_the_compiled_default():
    assert MYSQL_DEFAULTS["utf8mb4"] == "utf8mb4_0900_ai_ci"
    assert MARIADB_DEFAULTS["utf8mb4"] == "utf8mb4_uca1400_ai_ci"
    assert MARIADB_DEFAULTS["latin1"] == "latin1_swedish_ci"


def test_a_missing_database_is_created_with_utf8mb4_and_the_servers_default_collation():
    steps = plan(
        listed([{"name": "appdb"}]), {"mysql": ("utf8mb4", "utf8mb4_0900_ai_ci")}, MYSQL_DEFAULTS, COLLATIONS, False
    )
    assert [(step.action, step.statement) for step in steps] == [
        ("create", "CREATE DATABASE `appdb` CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci")
    ]
    assert record(listed([{"name": "appdb"}]), MARIADB_DEFAULTS, COLLATIONS) == {
        "appdb": {"charset": "utf8mb4", "collation": "utf8mb4_uca1400_ai_ci"}
    }


def test_a_database_as_listed_gets_no_statement_and_a_changed_collation_is_altered():
    live = {"appdb": ("utf8mb4", "utf8mb4_0900_ai_ci")}
    assert plan(listed([{"name": "appdb"}]), live, MYSQL_DEFAULTS, COLLATIONS, False) == []
    steps = plan(listed([{"name": "appdb", "collation": "utf8mb4_bin"}]), live, MYSQL_DEFAULTS, COLLATIONS, False)
    assert [(step.action, step.differs) for step in steps] == [
        ("alter", ("collation utf8mb4_0900_ai_ci -> utf8mb4_bin",))
    ]
    assert steps[0].statement == "ALTER DATABASE `appdb` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"


def test_absent_is_refused_without_the_flag_whatever_else_the_list_asks():
    databases = listed([{"name": "newdb"}, {"name": "olddb", "state": "absent"}])
    live = {"olddb": ("utf8mb4", "utf8mb4_0900_ai_ci")}
    with pytest.raises(DatabaseError, match=r"^mysql_server_databases: .*mysql_server_databases_allow_drop.*olddb"):
        plan(databases, live, MYSQL_DEFAULTS, COLLATIONS, False)
    steps = plan(databases, live, MYSQL_DEFAULTS, COLLATIONS, True)
    assert [(step.name, step.action) for step in steps] == [("newdb", "create"), ("olddb", "drop")]
    # gone already: nothing to drop
    assert [step.action for step in plan(databases, {}, MYSQL_DEFAULTS, COLLATIONS, True)] == ["create"]


def test_a_character_set_or_collation_the_server_lacks_is_refused_before_any_step():
    with pytest.raises(
        DatabaseError, match=r"^mysql_server_databases\.b\.charset='klingon': must be one the server has \(.*utf8mb4"
    ):
        plan([Database("a"), Database("b", charset="klingon")], {}, MYSQL_DEFAULTS, COLLATIONS, False)
    with pytest.raises(
        DatabaseError,
        match=r"^mysql_server_databases\.a\.collation='utf8mb4_uca1400_ai_ci': must be a collation of utf8mb4",
    ):
        plan(
            listed([{"name": "a", "collation": "utf8mb4_uca1400_ai_ci"}]),
            {},
            MYSQL_DEFAULTS,
            {"utf8mb4_0900_ai_ci": "utf8mb4"},
            False,
        )


@pytest.mark.parametrize(
    ("entries", "words"),
    [
        ([{"name": "app-db"}], "letters, digits"),
        ([{"name": "a" * 65}], "letters, digits"),
        ([{"name": "`x`"}], "letters, digits"),
        ([{"name": "mysql"}], "belongs to the server"),
        ([{"name": "Sys"}], "belongs to the server"),
        ([{"name": "appdb"}, {"name": "APPDB"}], "twice"),
        ([{"name": "appdb", "charset": "utf8mb4; DROP"}], "character set"),
        ([{"name": "appdb", "collation": "latin1_bin"}], "a collation of utf8mb4"),
    ],
)
def test_bad_lists_are_refused_with_the_variable_named(entries, words):
    problem = inputs.error("mysql_server_databases", entries)
    assert problem.startswith("mysql_server_databases=") and words in problem
    with pytest.raises(DatabaseError):
        listed(entries)


def test_the_preflight_refuses_absent_unless_drop_is_allowed():
    absent = [{"name": "appdb", "state": "absent"}]
    both = {"mysql_server_databases": absent, "mysql_server_databases_allow_drop": False}
    assert [problem.split("=")[0] for problem in inputs.errors(both)] == ["mysql_server_databases"]
    assert inputs.errors({**both, "mysql_server_databases_allow_drop": True}) == []


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=12).filter(
    lambda name: name not in ("mysql", "sys")
)
states = st.sampled_from(["present", "absent"])
charset_of = st.sampled_from(
    [("utf8mb4", "utf8mb4_0900_ai_ci"), ("utf8mb4", "utf8mb4_bin"), ("latin1", "latin1_swedish_ci")]
)


@given(
    wanted=st.dictionaries(names, st.tuples(states, charset_of), max_size=6),
    live=st.dictionaries(names, charset_of, max_size=6),
    allow_drop=st.booleans(),
)
def test_applying_the_plan_brings_the_server_to_the_list_and_never_touches_the_unlisted(wanted, live, allow_drop):
    databases = [
        Database(name, charset=charset, collation=collation, state=state)
        for name, (state, (charset, collation)) in wanted.items()
    ]
    absent = any(db.state == "absent" for db in databases)
    try:
        steps = plan(databases, live, MYSQL_DEFAULTS, COLLATIONS, allow_drop)
    except DatabaseError:
        assert absent and not allow_drop
        return
    server = dict(live)
    for step in steps:
        if step.action == "drop":
            del server[step.name]
        else:
            charset, collation = step.statement.split("CHARACTER SET ")[1].split(" COLLATE ")
            server[step.name] = (charset, collation)
    for db in databases:
        assert server.get(db.name) == (None if db.state == "absent" else (db.charset, db.collation))
    for name in set(live) - set(wanted):
        assert server[name] == live[name]
    # a second plan against the result has nothing to do
    assert plan(databases, server, MYSQL_DEFAULTS, COLLATIONS, allow_drop) == []
