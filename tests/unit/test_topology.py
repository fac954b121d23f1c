"""The replication topology (module_utils/topology.py): what is refused, each host's place."""

from __future__ import annotations

import re

import pytest
from ansible_collections.local.mysql.plugins.module_utils import topology
from ansible_collections.local.mysql.plugins.module_utils.topology import (
    SERVER_ID_RANGE,
    derived_server_id,
    members,
    place,
    problems,
)
from hypothesis import given
from hypothesis import strategies as st


def Member(host, role="none", source="", **more):
    """A member reachable on the lab network unless the test says otherwise."""
    return topology.Member(host, role, source, **{"address": f"198.18.0.{len(host)}", **more})


PRIMARY_AND_TWO = [
    Member("db1", "primary"),
    Member("db2", "replica", "db1"),
    Member("db3", "replica", "db1"),
]


def test_a_primary_with_two_replicas_is_served_and_each_host_knows_its_place():
    assert problems(PRIMARY_AND_TWO) == []
    primary = place(PRIMARY_AND_TWO, "db1")
    assert primary.role == "primary" and primary.replicas == ("db2", "db3") and primary.source == ""
    replica = place(PRIMARY_AND_TWO, "db2")
    assert replica.source == "db1" and replica.replicas == () and replica.server_id == derived_server_id("db2")


@pytest.mark.parametrize(
    ("topology", "host", "variable", "words"),
    [
        ([Member("db1", "primary"), Member("db2", "replica")], "db2", "mysql_replication_source", "inventory host"),
        ([Member("db2", "replica", "db2")], "db2", "mysql_replication_source", "not itself"),
        ([Member("db2", "replica", "db9")], "db2", "mysql_replication_source", "a host in this run"),
        ([Member("db1"), Member("db2", "replica", "db1")], "db2", "mysql_replication_source", "db1 is none"),
        ([Member("db1", "primary", "db2"), Member("db2")], "db1", "mysql_replication_source", "empty on a primary"),
        (
            [*PRIMARY_AND_TWO, Member("db4", "replica", "db2")],
            "db4",
            "mysql_replication_source",
            "mysql_replication_allow_chains",
        ),
        (
            [Member("db1", "primary", server_id=7), Member("db2", "replica", "db1", server_id=7)],
            "db2",
            "mysql_replication_server_id",
            "db1 has 7",
        ),
        (
            [Member("db1", "primary", flavor="mysql"), Member("db2", "replica", "db1", flavor="mariadb")],
            "db2",
            "mysql_server_flavor",
            "mysql, as its source db1",
        ),
    ],
)
def test_a_topology_the_servers_cannot_run_is_refused_naming_the_host_and_variable(topology, host, variable, words):
    found = problems(topology)
    assert found, topology
    assert found[0].startswith(f"{variable}=") and f"({host})" in found[0] and words in found[0], found[0]


def test_chains_are_allowed_when_asked_and_cycles_never():
    chain = [*PRIMARY_AND_TWO, Member("db4", "replica", "db2")]
    assert problems(chain, allow_chains=True) == []
    assert place(chain, "db2").replicas == ("db4",)
    loop = [Member("db1", "replica", "db2"), Member("db2", "replica", "db1")]
    found = problems(loop, allow_chains=True)
    assert len(found) == 1 and "cycle (db1 -> db2 -> db1)" in found[0]


def test_auto_flavors_are_not_compared_until_known_and_hosts_outside_replication_share_nothing():
    auto = [Member("db1", "primary", flavor="auto"), Member("db2", "replica", "db1", flavor="mariadb")]
    assert problems(auto) == []
    # two hosts outside replication may carry one server id: neither replicates
    assert problems([Member("a", server_id=1), Member("b", server_id=1)]) == []


def test_members_read_the_inventory_inputs_with_their_defaults():
    given = {
        "db1": {
            "mysql_replication_role": "primary",
            "mysql_server_flavor": "mysql",
            "mysql_server_bind_address": ["127.0.0.1", "198.18.0.11"],
        },
        "db2": {
            "mysql_replication_role": "replica",
            "mysql_replication_source": "db1",
            "mysql_replication_server_id": 12,
            "mysql_replication_address": "198.18.0.12",
        },
        "app": {},
    }
    assert members(given) == [
        Member("db1", "primary", flavor="mysql", address="198.18.0.11"),
        Member("db2", "replica", "db1", server_id=12, address="198.18.0.12"),
        Member("app", address=""),
    ]


def test_a_member_other_hosts_cannot_reach_is_refused_and_each_place_knows_the_addresses():
    lonely = [Member("db1", "primary", address=""), Member("db2", "replica", "db1")]
    found = problems(lonely)
    assert found[0].startswith("mysql_replication_address='' (db1)") and "loopback" in found[0]
    chain = [*PRIMARY_AND_TWO, Member("db4", "replica", "db2")]
    far = place(chain, "db4")
    assert far.root == "db1" and far.source_address == "198.18.0.3"
    assert far.members == {"db1": "198.18.0.3", "db2": "198.18.0.3", "db3": "198.18.0.3", "db4": "198.18.0.3"}
    assert place([Member("app")], "app").root == ""


@given(st.text(min_size=1, max_size=40))
def test_derived_server_ids_are_stable_and_in_range(host):
    number = derived_server_id(host)
    assert SERVER_ID_RANGE[0] <= number <= SERVER_ID_RANGE[1]
    assert number == derived_server_id(host)


hosts = st.lists(st.sampled_from([f"db{n}" for n in range(1, 7)]), min_size=1, max_size=6, unique=True)


@given(hosts.flatmap(lambda names: st.tuples(st.just(names), st.lists(
    st.tuples(st.sampled_from(["none", "primary", "replica"]), st.sampled_from(["", *names])),
    min_size=len(names), max_size=len(names)))), st.booleans())  # fmt: skip
def test_an_accepted_topology_has_every_replica_reach_a_primary(drawn, allow_chains):
    names, parts = drawn
    topology = [Member(name, role, source) for name, (role, source) in zip(names, parts, strict=True)]
    if problems(topology, allow_chains):
        return
    by_host = {member.host: member for member in topology}
    for member in topology:
        seen, host = set(), member.host
        while by_host[host].role == "replica":
            assert host not in seen
            seen.add(host)
            host = by_host[host].source
        assert by_host[host].role in ("primary", "none") and (
            member.role != "replica" or by_host[host].role == "primary"
        )


def test_a_switchover_promotes_a_replica_of_the_primary_and_repoints_the_rest():
    from ansible_collections.local.mysql.plugins.module_utils.topology import switchover

    assert switchover(PRIMARY_AND_TWO, "db2") == {"old": "db1", "new": "db2", "others": ["db3"]}
    for new, words in (("db9", "a host in this run"), ("db1", "a replica (db1 is primary)")):
        with pytest.raises(ValueError, match=rf"^mysql_new_primary='{new}': must be {re.escape(words)}"):
            switchover(PRIMARY_AND_TWO, new)
    with pytest.raises(ValueError, match="replicates from db2, a replica"):
        switchover([*PRIMARY_AND_TWO, Member("db4", "replica", "db2")], "db4")


def test_after_a_switchover_the_servers_topology_is_read_and_the_stale_inventory_refused():
    from ansible_collections.local.mysql.plugins.module_utils.topology import live_members, live_problems, switchover

    inventory = [
        Member("db1", "primary", address="198.18.0.1"),
        Member("db2", "replica", "db1", address="198.18.0.2"),
        Member("db3", "replica", "db1", address="198.18.0.3"),
    ]
    # as the servers run before: the inventory's own topology, nothing refused
    before = {"db1": "", "db2": "198.18.0.1", "db3": "198.18.0.1"}
    assert live_members(inventory, before) == inventory and live_problems(inventory, before) == []
    # a new replica not seeded yet, and a host whose server was not read, keep the inventory's place
    assert live_problems(inventory, {"db1": "", "db2": ""}) == []
    # after a switchover to db2
    after = {"db1": "198.18.0.2", "db2": "", "db3": "198.18.0.2"}
    live = {member.host: (member.role, member.source) for member in live_members(inventory, after)}
    assert live == {"db1": ("replica", "db2"), "db2": ("primary", ""), "db3": ("replica", "db2")}
    assert live_problems(inventory, after) == [
        "mysql_replication_role='primary' (db1): must be replica with mysql_replication_source=db2, "
        "as its server replicates from db2",
        "mysql_replication_role='replica' (db2): must be primary, as its server is the source of db1, db3",
    ]
    # the way back is planned from the servers, with the inventory unchanged
    assert switchover(live_members(inventory, after), "db1") == {"old": "db2", "new": "db1", "others": ["db3"]}
