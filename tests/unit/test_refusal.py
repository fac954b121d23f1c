"""The one form of a refused input (local.mysql.plugins.module_utils.refusal)."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.refusal import must_be
from hypothesis import given
from hypothesis import strategies as st

names = st.from_regex(r"\Amysql_[a-z_]{1,20}\Z")
values = st.one_of(st.integers(), st.text(max_size=20), st.lists(st.text(max_size=5), max_size=3), st.none())


@given(names, values, st.text(min_size=1, max_size=40))
def test_the_message_names_the_variable_its_value_and_what_it_accepts(name, value, accepted):
    text = must_be(name, value, accepted)
    assert text == f"{name}={value!r}: must be {accepted}"


@given(names, st.text(min_size=1, max_size=20))
def test_a_secret_value_is_never_shown(name, secret):
    text = must_be(name, secret, "a list of accounts", secret=True)
    assert text == f"{name}: must be a list of accounts"
    assert repr(secret) not in text


def test_the_place_follows_the_value():
    assert must_be("mysql_replication_source", "db2", "another host", where="db2") == (
        "mysql_replication_source='db2' (db2): must be another host"
    )
