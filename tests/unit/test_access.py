"""Access decisions: listening addresses, TLS settings, accounts and their statements (module_utils/access.py)."""

from __future__ import annotations

import hashlib
import ipaddress

import pytest
from ansible_collections.local.mysql.plugins.module_utils import access
from ansible_collections.local.mysql.plugins.module_utils.access import (
    AccessError,
    Account,
    Current,
    Listen,
    account_statements,
    parse_grants,
    parse_privileges,
    server_settings,
)
from ansible_collections.local.mysql.plugins.module_utils.sizes import GIB
from ansible_collections.local.mysql.plugins.module_utils.sizing import Inputs, SizingError, plan, with_settings
from hypothesis import given
from hypothesis import strategies as st

# Read from the lab's MySQL 9.7.4 after CREATE USER 'h1'@'%' IDENTIFIED BY 'S3cret pass!' (hex of mysql.user).
MYSQL_97_CACHING_SHA2 = bytes.fromhex(
    "244124303041244D743B2B01052C71604B765B2B68491139154565514342356D2F534158796D36576C536A74302E6A4D"
    "5334514C7144514D464E56387777515042456A686930"
)
# MariaDB 10.11's SELECT PASSWORD('x').
MARIADB_NATIVE_X = "*B69027D44F6E5EDC07F1AEAD1477967B16F28227"


def listen(**changes) -> Listen:
    values = {"flavor": "mysql", "version": (9, 7, 4), "bind_address": ("127.0.0.1",)}
    return Listen(**{**values, **changes})


# ---- listening addresses ----


def test_default_listens_on_loopback_and_closes_the_x_protocol():
    settings = server_settings(listen())
    assert settings["variables"]["bind_address"]["value"] == "127.0.0.1"
    assert "loopback" in settings["variables"]["bind_address"]["formula"]
    assert settings["options"] == {"mysqlx": {"value": "OFF", "formula": settings["options"]["mysqlx"]["formula"]}}
    assert "mysqlx_bind_address" not in settings["variables"]


def test_x_protocol_when_asked_listens_where_the_server_does():
    settings = server_settings(listen(bind_address=("127.0.0.1", "198.18.0.11"), mysqlx=True))
    assert settings["variables"]["mysqlx_bind_address"]["value"] == "127.0.0.1,198.18.0.11"
    assert settings["options"] == {}


def test_mariadb_has_no_x_protocol_option():
    settings = server_settings(listen(flavor="mariadb", version=(11, 8, 6)))
    assert settings["options"] == {} and "mysqlx_bind_address" not in settings["variables"]


@pytest.mark.parametrize(
    "addresses",
    [[], ["db.example"], ["198.18.0.300"], ["0.0.0.0", "127.0.0.1"], ["127.0.0.1", "127.0.0.1"], "127.0.0.1"],
)
def test_bind_addresses_that_are_not_addresses_are_refused(addresses):
    assert access.bind_address_words(addresses)


@pytest.mark.parametrize("addresses", [["127.0.0.1"], ["0.0.0.0"], ["::"], ["127.0.0.1", "198.18.0.11"], ["::1"]])
def test_addresses_are_accepted(addresses):
    assert access.bind_address_words(addresses) is None


def test_a_list_on_a_server_that_takes_one_address_names_the_variable():
    with pytest.raises(AccessError, match=r"^mysql_server_bind_address=.*one address on mariadb before 10\.11"):
        server_settings(listen(flavor="mariadb", version=(10, 6, 18), bind_address=("127.0.0.1", "198.18.0.11")))
    assert server_settings(listen(flavor="mariadb", version=(10, 11, 18), bind_address=("127.0.0.1", "198.18.0.11")))


@given(st.lists(st.ip_addresses(), min_size=1, max_size=4, unique=True))
def test_any_list_of_addresses_is_rendered_as_given(addresses):
    texts = [str(address) for address in addresses]
    wildcard = any(text in access.WILDCARDS for text in texts)
    if wildcard and len(texts) > 1:
        assert access.bind_address_words(texts)
        return
    value = server_settings(listen(bind_address=tuple(texts)))["variables"]["bind_address"]
    assert value["value"].split(",") == texts
    assert ("loopback" in value["formula"]) == all(ipaddress.ip_address(text).is_loopback for text in texts)


# ---- TLS ----


def test_the_servers_own_certificate_needs_no_file_settings():
    for flavor, version in (("mysql", (9, 7, 4)), ("mariadb", (11, 8, 6))):
        variables = server_settings(listen(flavor=flavor, version=version, require_secure_transport=True))["variables"]
        assert "ssl_cert" not in variables
        assert server_settings(listen(flavor=flavor, version=version))["files"] == []
        assert variables["tls_version"]["value"] == "TLSv1.2,TLSv1.3"
        assert variables["require_secure_transport"]["value"] == "ON"


def test_given_files_are_the_servers_certificate_and_minimum_version():
    settings = server_settings(
        listen(
            flavor="mariadb",
            version=(10, 11, 18),
            tls_cert="certs/db.pem",
            tls_key="certs/db-key.pem",
            tls_ca="certs/ca.pem",
            tls_min_version="TLSv1.3",
        )
    )
    variables = settings["variables"]
    assert variables["ssl_cert"]["value"] == "/etc/mysql/tls/server-cert.pem"
    assert variables["ssl_key"]["value"] == "/etc/mysql/tls/server-key.pem"
    assert variables["ssl_ca"]["value"] == "/etc/mysql/tls/ca.pem"
    assert variables["tls_version"]["value"] == "TLSv1.3"
    assert variables["require_secure_transport"]["value"] == "OFF"
    # each given file goes where its variable points; only the key is private
    assert settings["files"] == [
        {"src": "certs/db.pem", "dest": variables["ssl_cert"]["value"], "mode": "0644"},
        {"src": "certs/db-key.pem", "dest": variables["ssl_key"]["value"], "mode": "0600"},
        {"src": "certs/ca.pem", "dest": variables["ssl_ca"]["value"], "mode": "0644"},
    ]


def test_without_a_ca_file_none_is_installed_or_named():
    settings = server_settings(listen(tls_cert="certs/db.pem", tls_key="certs/db-key.pem"))
    assert "ssl_ca" not in settings["variables"]
    assert [entry["mode"] for entry in settings["files"]] == ["0644", "0600"]


def test_tls_required_where_the_server_has_no_certificate_names_the_certificate():
    with pytest.raises(AccessError, match=r"^mysql_server_tls_cert='': .*mariadb 10\.11\.18.*require_secure_transport"):
        server_settings(listen(flavor="mariadb", version=(10, 11, 18), require_secure_transport=True))
    with pytest.raises(AccessError, match=r"require_tls"):
        server_settings(listen(flavor="mariadb", version=(10, 11, 18), tls_accounts=True))
    # no TLS asked for: a server without a certificate keeps running without one
    variables = server_settings(listen(flavor="mariadb", version=(10, 11, 18)))["variables"]
    assert "tls_version" not in variables


# ---- accounts ----


def test_privileges_are_read_per_scope():
    grants = parse_privileges("shop.*:SELECT,insert/shop.orders:UPDATE/*.*:PROCESS, replication client")
    assert grants == {
        ("shop", "*"): frozenset({"SELECT", "INSERT"}),
        ("shop", "orders"): frozenset({"UPDATE"}),
        ("*", "*"): frozenset({"PROCESS", "REPLICATION CLIENT"}),
    }
    assert parse_privileges("shop.*:ALL") == {("shop", "*"): frozenset({"ALL PRIVILEGES"})}
    assert parse_privileges("") == {}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("shop.*:SELCT", "not a privilege"),
        ("shop:SELECT", "schema.table"),
        ("*.*:ALL", "no global ALL"),
        ("*.orders:SELECT", "needs its schema"),
        ("shop.*:ALL,SELECT", "ALL already"),
        ("shop.*:SELECT/shop.*:INSERT", "twice"),
    ],
)
def test_privilege_strings_the_server_would_refuse_are_refused(text, words):
    with pytest.raises(ValueError, match=words):
        parse_privileges(text)


def test_user_list_problems_name_the_account_never_the_password():
    secret = "S3cret-PW"
    cases = [
        [{"name": "app", "password": "", "hosts": ["%"]}],
        [{"name": "app", "password": secret, "hosts": []}],
        [{"name": "app", "password": secret, "hosts": ["198.18.0.%"], "priv": "shop.*:NOPE"}],
        [{"name": "root", "password": secret, "hosts": ["%"]}],
        [{"name": "app", "password": secret, "hosts": ["198.18.0.%", "198.18.0.%"]}],
        [{"name": "app", "password": secret, "hosts": ["a'b"]}],
    ]
    for users in cases:
        words = access.users_words(users)
        assert words and secret not in words, users


def test_pools_count_once_per_host_pattern_and_must_leave_headroom():
    users = [
        {"name": "shop", "hosts": ["198.18.0.%", "198.18.1.%"], "max_user_connections": 200},
        {"name": "report", "hosts": ["198.18.0.%"], "max_user_connections": 20},
        {"name": "batch", "hosts": ["198.18.0.%"]},  # no limit of its own: not counted
    ]
    assert access.pool_connections(users) == 420
    assert access.pools_words(users, 430) is None
    assert "add up to 420" in access.pools_words(users, 429)
    assert access.pools_words(users, None) is None


def test_sizing_leaves_room_for_the_pools_or_names_them():
    host = {"memory": 4 * GIB, "cpus": 2, "disk": "ssd", "flavor": "mysql", "version": "9.7.4"}
    sized = plan(Inputs(**host, app_connections=400)).variables()["max_connections"]
    assert sized >= 400 + access.HEADROOM_CONNECTIONS
    with pytest.raises(SizingError, match=r"^mysql_server_users: .*add up to 400"):
        plan(Inputs(**host, app_connections=400, max_connections=300))
    with pytest.raises(SizingError, match=r"^mysql_server_users: .*add up to 60000"):
        plan(Inputs(**{**host, "memory": 1 * GIB}, app_connections=60000))


def test_access_settings_join_the_plan_and_overrides_cannot_take_them():
    fact = plan(Inputs(memory=4 * GIB, cpus=2, disk="ssd", flavor="mysql", version="9.7.4")).to_fact({})
    settings = server_settings(listen(bind_address=("127.0.0.1", "198.18.0.11")))
    joined = with_settings(fact, {"mysql_server": settings}, {})
    assert joined["variables"]["bind_address"] == "127.0.0.1,198.18.0.11"
    assert joined["options"] == {"mysqlx": "OFF"}
    assert joined["explain"]["mysqlx"]["formula"]
    with pytest.raises(SizingError, match="bind_address is set by the mysql_server role"):
        with_settings(fact, {"mysql_server": settings}, {"bind_address": "0.0.0.0"})


def test_password_hashes_match_what_the_lab_servers_stored():
    assert access.password_holds("caching_sha2_password", MYSQL_97_CACHING_SHA2, "S3cret pass!")
    assert not access.password_holds("caching_sha2_password", MYSQL_97_CACHING_SHA2, "S3cret pass")
    assert access.native_hash("x") == MARIADB_NATIVE_X
    assert access.password_holds("mysql_native_password", MARIADB_NATIVE_X.encode(), "x")
    assert not access.password_holds("unix_socket", b"", "x")
    assert not access.password_holds("caching_sha2_password", b"$A$005$short", "x")


@given(st.text(min_size=1, max_size=40), st.binary(min_size=20, max_size=20))
def test_sha256_crypt_depends_on_password_and_salt(password, salt):
    digest = access.sha256_crypt(password.encode(), salt, 5000 // 1000)
    assert len(digest) == 43 and set(digest) <= set(access._CRYPT64)
    assert access.sha256_crypt(password.encode() + b"!", salt, 5) != digest


def shop(**changes) -> Account:
    values = {
        "name": "shop",
        "host": "198.18.0.%",
        "password": "pw",
        "grants": {("shop", "*"): frozenset({"SELECT", "INSERT"})},
        "require_tls": True,
        "max_user_connections": 50,
    }
    return Account(**{**values, **changes})


def held(**changes) -> Current:
    values = {
        "plugin": "mysql_native_password",
        "stored": access.native_hash("pw").encode(),
        "require_tls": True,
        "max_user_connections": 50,
        "grants": {("shop", "*"): frozenset({"SELECT", "INSERT"})},
    }
    return Current(**{**values, **changes})


def test_a_missing_account_is_created_with_tls_limit_and_grants():
    statements, differs = account_statements(shop(), None)
    assert differs == ["created"]
    assert statements[0] == (
        "CREATE USER %s@%s IDENTIFIED BY %s REQUIRE SSL WITH MAX_USER_CONNECTIONS 50",
        ["shop", "198.18.0.%", "pw"],
    )
    assert statements[1] == ("GRANT INSERT, SELECT ON `shop`.* TO %s@%s", ["shop", "198.18.0.%"])


def test_an_account_as_listed_gets_no_statement():
    assert account_statements(shop(), held()) == ([], [])


@pytest.mark.parametrize(
    ("current", "differs"),
    [
        (held(stored=access.native_hash("old").encode()), ["password"]),
        (held(require_tls=False), ["require_tls"]),
        (held(max_user_connections=0), ["max_user_connections"]),
        (held(plugin="unix_socket", stored=b""), ["password"]),
    ],
)
def test_each_difference_is_corrected_with_alter_user(current, differs):
    statements, found = account_statements(shop(), current)
    assert found == differs
    assert statements == [
        ("ALTER USER %s@%s IDENTIFIED BY %s REQUIRE SSL WITH MAX_USER_CONNECTIONS 50", ["shop", "198.18.0.%", "pw"])
    ]


def test_grants_that_differ_are_replaced_whole():
    statements, differs = account_statements(shop(), held(grants={("shop", "*"): frozenset({"SELECT", "DELETE"})}))
    assert differs == ["privileges"]
    assert [text for text, _ in statements] == [
        "REVOKE ALL PRIVILEGES, GRANT OPTION FROM %s@%s",
        "GRANT INSERT, SELECT ON `shop`.* TO %s@%s",
    ]


def test_show_grants_lines_of_both_servers_are_read():
    mysql = [
        "GRANT USAGE ON *.* TO `shop`@`198.18.0.%`",
        "GRANT SELECT, INSERT ON `shop`.* TO `shop`@`198.18.0.%`",
        "GRANT UPDATE ON `shop`.`orders` TO `shop`@`198.18.0.%`",
    ]
    mariadb = [
        "GRANT USAGE ON *.* TO `shop`@`198.18.0.%` IDENTIFIED BY PASSWORD '*AB' REQUIRE SSL",
        "GRANT ALL PRIVILEGES ON `shop`.* TO `shop`@`198.18.0.%`",
    ]
    assert parse_grants(mysql) == {("shop", "*"): {"SELECT", "INSERT"}, ("shop", "orders"): {"UPDATE"}}
    assert parse_grants(mariadb) == {("shop", "*"): {"ALL PRIVILEGES"}}
    assert parse_grants(mariadb) == parse_privileges("shop.*:ALL")


def test_only_accounts_the_toolkit_created_are_unlisted():
    listed = [shop()]
    created = ["shop@198.18.0.%", "old@198.18.0.%", "gone@%"]
    existing = ["shop@198.18.0.%", "old@198.18.0.%", "dba@%"]
    assert access.unlisted(listed, created, existing) == ["old@198.18.0.%"]


def test_native_hash_is_sha1_of_sha1():
    assert access.native_hash("pw") == "*" + hashlib.sha1(hashlib.sha1(b"pw").digest()).hexdigest().upper()
