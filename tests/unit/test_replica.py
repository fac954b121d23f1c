"""What a replica needs next (module_utils/replica.py), from each flavor's status row."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.replica import ACTIONS, Source, Status, decide, status
from hypothesis import given
from hypothesis import strategies as st

WANTED = Source("198.18.0.11", 3306, "repl")
MYSQL_RUNNING = {
    "Source_Host": "198.18.0.11",
    "Source_Port": 3306,
    "Source_User": "repl",
    "Replica_IO_Running": "Yes",
    "Replica_SQL_Running": "Yes",
    "Last_IO_Error": "",
    "Last_SQL_Error": "",
    "Auto_Position": 1,
    "Seconds_Behind_Source": 0,
}
MARIADB_RUNNING = {
    "Master_Host": "198.18.0.11",
    "Master_Port": 3306,
    "Master_User": "repl",
    "Slave_IO_Running": "Yes",
    "Slave_SQL_Running": "Yes",
    "Last_IO_Error": "",
    "Last_SQL_Error": "",
    "Using_Gtid": "Slave_Pos",
    "Seconds_Behind_Master": 3,
}


def test_a_replica_replicating_from_its_source_is_left_alone_on_both_flavors():
    assert decide(status(MYSQL_RUNNING, "mysql"), WANTED).action == "none"
    mariadb = status(MARIADB_RUNNING, "mariadb")
    assert mariadb.auto_position and mariadb.seconds_behind == 3
    assert decide(mariadb, WANTED) == decide(mariadb, WANTED) and decide(mariadb, WANTED).action == "none"


def test_a_replica_never_configured_is_seeded_and_one_stopped_cleanly_is_started():
    assert status(None, "mysql") == Status(configured=False)
    assert decide(status(None, "mariadb"), WANTED).action == "seed"
    stopped = {**MYSQL_RUNNING, "Replica_IO_Running": "No", "Replica_SQL_Running": "No", "Seconds_Behind_Source": None}
    assert decide(status(stopped, "mysql"), WANTED).action == "start"


def test_a_replica_stopped_on_an_error_is_reported_with_the_servers_words_and_not_seeded():
    broken = {**MYSQL_RUNNING, "Replica_SQL_Running": "No", "Last_SQL_Error": "Error 'Duplicate entry' on query"}
    decision = decide(status(broken, "mysql"), WANTED)
    assert decision.action == "report" and "Duplicate entry" in decision.reason
    assert decide(status(broken, "mysql"), WANTED, reseed=True).action == "seed"


def test_a_replica_of_another_source_or_without_gtid_positioning_is_pointed_at_the_inventorys():
    moved = decide(status({**MARIADB_RUNNING, "Master_Host": "198.18.0.12"}, "mariadb"), WANTED)
    assert moved.action == "repoint" and "198.18.0.12" in moved.reason
    by_file = decide(status({**MARIADB_RUNNING, "Using_Gtid": "No"}, "mariadb"), WANTED)
    assert by_file.action == "repoint" and "without GTID" in by_file.reason


def test_a_replica_still_connecting_without_an_error_is_left_to_retry():
    connecting = {**MYSQL_RUNNING, "Replica_IO_Running": "Connecting"}
    assert decide(status(connecting, "mysql"), WANTED).action == "none"
    refused = {**connecting, "Last_IO_Error": "Access denied for user 'repl'"}
    assert decide(status(refused, "mysql"), WANTED).action == "report"


running = st.sampled_from(["Yes", "No", "Connecting"])


@given(io=running, sql=running, io_error=st.sampled_from(["", "boom"]), sql_error=st.sampled_from(["", "bang"]),
       host=st.sampled_from(["198.18.0.11", "198.18.0.12"]), reseed=st.booleans())  # fmt: skip
def test_every_state_gets_one_action_and_only_a_request_or_a_new_replica_is_seeded(
    io, sql, io_error, sql_error, host, reseed
):
    row = {**MYSQL_RUNNING, "Source_Host": host, "Replica_IO_Running": io, "Replica_SQL_Running": sql,
           "Last_IO_Error": io_error, "Last_SQL_Error": sql_error}  # fmt: skip
    decision = decide(status(row, "mysql"), WANTED, reseed)
    assert decision.action in ACTIONS and decision.reason
    assert (decision.action == "seed") == reseed
    if decision.action == "none":
        assert sql == "Yes" and io != "No"


def test_the_statements_follow_the_servers_words_and_keep_the_password_a_parameter():
    from ansible_collections.local.mysql.plugins.module_utils.replica import clone_statements, source_statements

    mysql = source_statements("mysql", (9, 7, 4), WANTED, "pw", tls=True)
    assert [text for text, _ in mysql][0::2] == ["STOP REPLICA", "START REPLICA"]
    assert (
        mysql[1][0].startswith("CHANGE REPLICATION SOURCE TO SOURCE_HOST=%s")
        and "SOURCE_AUTO_POSITION=1" in mysql[1][0]
    )
    assert "SOURCE_SSL=1" in mysql[1][0] and mysql[1][1] == ["198.18.0.11", 3306, "repl", "pw"]
    old = source_statements("mysql", (8, 0, 20), WANTED, "pw", tls=False)
    assert old[0][0] == "STOP SLAVE" and old[1][0].startswith("CHANGE MASTER TO MASTER_HOST=%s")
    assert "MASTER_SSL=0, GET_MASTER_PUBLIC_KEY=1" in old[1][0]
    mariadb = source_statements("mariadb", (10, 11, 18), WANTED, "pw", tls=True)
    assert "MASTER_USE_GTID=slave_pos" in mariadb[1][0] and mariadb[2][0] == "START REPLICA"
    assert all("pw" not in text for text, _ in mysql + old + mariadb)
    clone = clone_statements(WANTED, "pw", tls=True)
    assert clone[0][1] == ["198.18.0.11:3306"] and clone[1][0].endswith("REQUIRE SSL") and "pw" not in clone[1][0]


def test_a_frozen_mysql_primary_refuses_even_administrators_and_thaws_in_the_order_the_server_takes():
    from ansible_collections.local.mysql.plugins.module_utils.replica import switch_statements

    assert [text for text, _ in switch_statements("mysql", "freeze")] == [
        "SET GLOBAL read_only = ON",
        "SET GLOBAL super_read_only = ON",
    ]
    assert switch_statements("mysql", "thaw")[0] == ("SET GLOBAL super_read_only = OFF", [])
    assert switch_statements("mariadb", "freeze") == [("SET GLOBAL read_only = ON", [])]
    assert switch_statements("mysql", "wait") == []


def test_a_clone_counts_as_seeded_only_when_recorded_completed_or_holding_every_source_transaction():
    from ansible_collections.local.mysql.plugins.module_utils.replica import clone_failure

    source = "cbe8a530-f151-11f1-b5b4-0242c612020b:1-18"
    assert clone_failure(("Completed", 0, ""), source, "") == ""
    assert "3634" in clone_failure(("Failed", 3634, "Too many concurrent clone operations"), source, source)
    # the restarted server keeps no status: the data must then be the source's
    assert clone_failure(None, source, source + ",aaaaaaaa-0000-0000-0000-000000000001:1-3") == ""
    assert "without 3 " in clone_failure(None, source, "cbe8a530-f151-11f1-b5b4-0242c612020b:1-15")
    assert "without 18 " in clone_failure(None, source, "")
