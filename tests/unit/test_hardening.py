"""Hardening decisions: settings, name resolution, passwordless accounts, file modes (module_utils/hardening.py)."""

from __future__ import annotations

import ipaddress
import re

import pytest
from ansible_collections.local.mysql.plugins.module_utils import hardening, inputs, overrides
from ansible_collections.local.mysql.plugins.module_utils.access import Listen
from ansible_collections.local.mysql.plugins.module_utils.access import server_settings as access_settings
from ansible_collections.local.mysql.plugins.module_utils.hardening import (
    DEFAULTS,
    OWNED,
    PREFIX,
    HardeningError,
    address_pattern,
    file_mode_plan,
    name_resolve_plan,
    passwordless,
    secure_file_priv_words,
    server_settings,
)
from ansible_collections.local.mysql.plugins.module_utils.sizes import GIB
from ansible_collections.local.mysql.plugins.module_utils.sizing import Inputs, SizingError, plan, with_settings
from hypothesis import given
from hypothesis import strategies as st

MYSQL = ("mysql", (9, 7, 4))
MARIADB = ("mariadb", (11, 8, 6))
SERVERS = [MYSQL, MARIADB, ("mariadb", (10, 11, 18)), ("mysql", (8, 0, 45)), ("mysql", (8, 4, 7))]
APP = [{"user": "shop", "host": "198.18.0.%"}, {"user": "root", "host": "localhost"}]
SNR = f"{PREFIX}skip_name_resolve"
SFP = f"{PREFIX}secure_file_priv"


def settings(server=MYSQL, accounts=APP, **choices) -> dict:
    flavor, version = server
    return server_settings(flavor, version, {f"{PREFIX}{name}": value for name, value in choices.items()}, accounts)


def every(result: dict) -> dict:
    return {**result["variables"], **result["options"]}


# ---- defaults and owned names ----


def test_defaults_are_the_safe_side_of_each_input():
    safe = {
        f"{PREFIX}local_infile": False,
        f"{PREFIX}secure_file_priv": "/var/lib/mysql-files",
        f"{PREFIX}symbolic_links": False,
        f"{PREFIX}automatic_sp_privileges": False,
        f"{PREFIX}skip_show_database": False,
        f"{PREFIX}skip_name_resolve": "auto",
        f"{PREFIX}remove_passwordless": True,
        f"{PREFIX}file_modes": True,
    }
    assert safe == DEFAULTS
    for name, rule in hardening.RULES.items():
        assert rule(DEFAULTS[name]) is None, name


def test_every_setting_the_role_writes_is_owned_and_no_other_owner_claims_it():
    for server in SERVERS:
        for links in (False, True):
            assert set(every(settings(server, symbolic_links=links))) <= set(OWNED)
    assert all(owner.startswith(PREFIX) for owner in OWNED.values())
    assert OWNED.items() <= overrides.OWNERS.items()
    assert set(OWNED) >= hardening.STARTUP_ONLY


def test_hardening_joins_the_plan_beside_access_and_overrides_cannot_take_it():
    fact = plan(Inputs(memory=4 * GIB, cpus=2, disk="ssd", flavor="mariadb", version="11.8.6")).to_fact({})
    access = access_settings(Listen(flavor="mariadb", version=(11, 8, 6), bind_address=("127.0.0.1",)))
    hardened = settings(MARIADB)
    role = {kind: {**access[kind], **hardened[kind]} for kind in ("variables", "options")}
    assert len(role["variables"]) == len(access["variables"]) + len(hardened["variables"]), "no name is set twice"
    joined = with_settings(fact, {"mysql_server": role}, {})
    assert joined["variables"]["local_infile"] == "OFF"
    assert joined["variables"]["secure_file_priv"] == "/var/lib/mysql-files/"
    assert joined["options"]["symbolic_links"] == "OFF"
    assert joined["explain"]["skip_name_resolve"]["formula"].startswith("ON: ")
    with pytest.raises(SizingError, match="local_infile is set by the mysql_server role"):
        with_settings(fact, {"mysql_server": role}, {"local_infile": "ON"})


# ---- the settings, by flavor and version ----


def test_mysql_keeps_its_own_defaults_and_writes_no_symbolic_links():
    result = settings(MYSQL)
    variables = result["variables"]
    assert variables["local_infile"]["value"] == "OFF" and "since 8.0.2" in variables["local_infile"]["formula"]
    assert variables["secure_file_priv"]["value"] == "/var/lib/mysql-files/"
    assert "MySQL's packages" in variables["secure_file_priv"]["formula"]
    # off by default since 8.0.2, and naming it logs a deprecation warning at every start
    assert result["options"] == {}
    assert {name: setting["value"] for name, setting in variables.items()} == {
        "local_infile": "OFF",
        "secure_file_priv": "/var/lib/mysql-files/",
        "automatic_sp_privileges": "OFF",
        "skip_show_database": "OFF",
        "skip_name_resolve": "ON",
    }
    assert result["directories"] == [{"path": "/var/lib/mysql-files", "mode": "0700"}]


def test_mariadb_turns_off_what_it_ships_on():
    result = settings(MARIADB)
    assert "MariaDB ships it ON" in result["variables"]["local_infile"]["formula"]
    assert "MariaDB ships it empty" in result["variables"]["secure_file_priv"]["formula"]
    assert result["options"]["symbolic_links"]["value"] == "OFF"
    assert "MariaDB ships it ON" in result["options"]["symbolic_links"]["formula"]


def test_mysql_before_8_0_2_shipped_both_on():
    result = settings(("mysql", (5, 7, 44)))
    assert "MySQL ships it ON" in result["variables"]["local_infile"]["formula"]
    assert result["options"]["symbolic_links"]["value"] == "OFF"


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("links", [True, False])
def test_the_server_must_show_whether_it_follows_links_written_or_not(server, links):
    # have_symlink is read-only: compared live, a changed input restarts the server even on MySQL,
    # where turning links off writes no option
    assert settings(server, symbolic_links=links)["shown"] == {"have_symlink": "YES" if links else "DISABLED"}


def test_the_plan_compares_what_the_server_shows_and_never_writes_it():
    fact = plan(Inputs(flavor="mysql", version="9.7.4", memory=4 * GIB, cpus=2, disk="ssd")).to_fact({})
    hardened = settings(MYSQL, symbolic_links=True)
    joined = with_settings(fact, {"mysql_server": hardened}, {})
    assert joined["shown"] == {"have_symlink": "YES"}
    assert "have_symlink" not in joined["variables"] and "have_symlink" not in joined["options"]
    assert with_settings(fact, {"mysql_tune": {}}, {})["shown"] == {}


def test_asking_for_symbolic_links_writes_them_even_where_deprecated():
    for server in (MYSQL, MARIADB):
        option = settings(server, symbolic_links=True)["options"]["symbolic_links"]
        assert option["value"] == "ON"
    assert "deprecated" in settings(MYSQL, symbolic_links=True)["options"]["symbolic_links"]["formula"]


def test_each_choice_reaches_its_setting():
    variables = settings(local_infile=True, automatic_sp_privileges=True, skip_show_database=True)["variables"]
    assert variables["local_infile"]["value"] == "ON" and "local_infile is true" in variables["local_infile"]["formula"]
    assert variables["automatic_sp_privileges"]["value"] == "ON"
    assert variables["skip_show_database"]["value"] == "ON"
    assert "tools that list schemas" in settings()["variables"]["skip_show_database"]["formula"]


def test_secure_file_priv_is_written_as_the_server_shows_it():
    for given_path, shown in (("/srv/imports", "/srv/imports/"), ("//srv//imports/", "/srv/imports/")):
        result = settings(secure_file_priv=given_path)
        assert result["variables"]["secure_file_priv"]["value"] == shown
        assert result["directories"] == [{"path": shown.rstrip("/"), "mode": "0700"}]


def test_a_choice_of_the_wrong_type_names_its_variable():
    with pytest.raises(HardeningError, match=rf"^{PREFIX}local_infile='no': must be true or false$"):
        settings(local_infile="no")
    with pytest.raises(HardeningError, match=rf"^{SNR}='yes': must be auto, true or false$"):
        settings(skip_name_resolve="yes")


@given(
    st.sampled_from(SERVERS),
    st.fixed_dictionaries(
        {
            name: st.booleans()
            for name in ("local_infile", "symbolic_links", "automatic_sp_privileges", "skip_show_database")
        }
    ),
    st.sampled_from(["auto", False]),
    st.lists(st.sampled_from(["198.18.0.%", "localhost", "app1.example", "::1", "%"]), max_size=4),
)
def test_every_setting_has_a_one_line_reason(server, choices, resolve, hosts):
    accounts = [{"user": f"u{index}", "host": host} for index, host in enumerate(hosts)]
    result = settings(server, accounts, skip_name_resolve=resolve, **choices)
    for name, setting in every(result).items():
        assert setting["formula"].strip() and "\n" not in setting["formula"], name
        assert str(setting["value"]).strip(), name
    assert not set(result["variables"]) & set(result["options"])


# ---- secure_file_priv ----


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", "any file the server can read"),
        ("   ", "any file the server can read"),
        (None, "any file the server can read"),
        ("mysql-files", "relative path"),
        ("/", "system directory"),
        ("/var/lib", "system directory"),
        ("/etc/mysql/files", "system directory"),
        ("/tmp/exports", "system directory"),
        ("/var/lib/mysql", "datadir"),
        ("/var/lib/mysql/", "datadir"),
        ("/var/lib/mysql/exports", "datadir"),
        ("/var/lib/mysql-files/../mysql", "datadir"),
        ("//etc/mysql", "system directory"),
        ("//var/lib/mysql", "datadir"),
    ],
)
def test_secure_file_priv_that_opens_files_is_refused(value, words):
    assert words in secure_file_priv_words(value)
    assert inputs.message(SFP, value, secure_file_priv_words(value)).startswith(f"{SFP}={value!r}: must be ")
    with pytest.raises(HardeningError, match=rf"^{SFP}="):
        settings(secure_file_priv=value)


@pytest.mark.parametrize("value", ["/var/lib/mysql-files", "/srv/mysql-files", "/data/imports/", "/var/lib/imports"])
def test_a_directory_of_its_own_is_accepted(value):
    assert secure_file_priv_words(value) is None


def test_the_servers_own_datadir_counts():
    assert "datadir /srv/mysql" in secure_file_priv_words("/srv/mysql/files", datadir="/srv/mysql/")
    assert "above the datadir" in secure_file_priv_words("/data", datadir="/data/mysql")
    assert secure_file_priv_words("/var/lib/mysql/x", datadir="/srv/mysql") is None
    with pytest.raises(HardeningError, match="datadir /srv/mysql"):
        server_settings("mysql", (9, 7, 4), {SFP: "/srv/mysql/in"}, APP, datadir="/srv/mysql")


@given(
    st.lists(
        st.text(alphabet="abcdefgh-_.", min_size=1, max_size=8).filter(lambda part: part not in (".", "..")),
        min_size=1,
        max_size=4,
    )
)
def test_anything_under_the_datadir_is_refused(parts):
    below = "/var/lib/mysql/" + "/".join(parts)
    assert "datadir" in secure_file_priv_words(below)


# ---- name resolution ----


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LocalHost",
        "%",
        "",
        "198.18.0.11",
        "198.18.0.%",
        "198.18.%",
        "198.18.0._",
        "198.18.0.0/255.255.255.0",
        "198.18.0.0/24",
        "::1",
        "fe80::1",
        "2001:db8::%",
        "::ffff:198.18.0.1",
    ],
)
def test_address_patterns_match_without_a_name(host):
    assert address_pattern(host)


@pytest.mark.parametrize(
    "host", ["app1.example", "%.example", "db-1", "1.2.example.com", "localhost.localdomain", "fe80::1%eth0", "h"]
)
def test_host_names_need_name_resolution(host):
    assert not address_pattern(host)


def test_auto_is_on_only_when_every_account_is_an_address():
    assert name_resolve_plan("auto", APP)[:2] == (
        True,
        f"ON: every account's host is an address ({SNR}=auto): no DNS lookup per connection",
    )
    named = [*APP, {"user": "report", "host": "bi.example"}, {"user": "etl", "host": "%.etl.example"}]
    enabled, reason, problem = name_resolve_plan("auto", named)
    assert not enabled and problem is None
    assert "'etl'@'%.etl.example' names a host (and 1 more)" in reason


def test_true_with_a_host_name_is_refused_naming_the_account():
    enabled, _, problem = name_resolve_plan(True, [*APP, {"user": "report", "host": "bi.example"}])
    assert not enabled
    assert problem.startswith(f"{SNR}=True: must be auto or false while an account depends on name resolution: ")
    assert "'report'@'bi.example'" in problem
    with pytest.raises(HardeningError, match=r"'report'@'bi\.example'"):
        settings(accounts=[{"user": "report", "host": "bi.example"}], skip_name_resolve=True)
    assert name_resolve_plan(True, APP) == (True, f"ON: {SNR} is true (no DNS lookup per connection)", None)


def test_false_keeps_names_resolving_whatever_the_accounts():
    for accounts in (APP, [{"user": "report", "host": "bi.example"}]):
        enabled, reason, problem = name_resolve_plan(False, accounts)
        assert (enabled, problem) == (False, None) and f"{SNR} is false" in reason


def test_the_preflight_refuses_true_from_the_inventorys_accounts():
    users = [{"name": "shop", "password": "pw", "hosts": ["198.18.0.%", "app1.example"]}]
    name, reads, rule = hardening.JOINT[0]
    assert name == SNR and reads == (SNR, "mysql_server_users")
    words = rule({SNR: True, "mysql_server_users": users})
    assert "'shop'@'app1.example'" in words and "pw" not in words
    problem = inputs.message(SNR, True, words)
    assert set(re.findall(r"mysql_[a-z_]+", problem)) == {SNR}
    assert rule({SNR: "auto", "mysql_server_users": users}) is None
    assert rule({SNR: True, "mysql_server_users": [{**users[0], "hosts": ["198.18.0.%"]}]}) is None


def test_a_localhost_account_reached_over_tcp_needs_names():
    app = {"name": "app", "password": "pw", "hosts": ["localhost", "198.18.2.%"]}
    rows = hardening.listed_accounts([app])
    enabled, reason, problem = name_resolve_plan("auto", rows)
    assert (enabled, problem) == (False, None)
    assert "'app'@'localhost' without '127.0.0.1'" in reason
    enabled, _, problem = name_resolve_plan(True, rows)
    assert not enabled and "'app'@'localhost' without '127.0.0.1'" in problem
    # listed with 127.0.0.1 beside it, the loopback client matches by address
    with_loopback = hardening.listed_accounts([{**app, "hosts": ["localhost", "127.0.0.1"]}])
    assert name_resolve_plan("auto", with_loopback)[0] is True
    # the server's own accounts at localhost (the roles' socket accounts) never need names
    assert name_resolve_plan("auto", [{"user": "exporter", "host": "localhost"}])[0] is True


HOST_TEXT = st.text(alphabet="0123456789.%_/abcxyzLOCALHOSTlocalhost", max_size=12)


@given(st.lists(HOST_TEXT, max_size=6))
def test_auto_is_on_exactly_when_no_host_has_a_letter_but_localhost(hosts):
    accounts = [{"user": "u", "host": host} for host in hosts]
    enabled, reason, problem = name_resolve_plan("auto", accounts)
    lettered = [host for host in hosts if host.lower() != "localhost" and re.search(r"[A-Za-z]", host)]
    assert enabled == (not lettered) and problem is None and reason
    if lettered:
        first = min(({"user": "u", "host": host} for host in lettered), key=hardening.quoted)
        assert hardening.quoted(first) in reason


@given(st.ip_addresses())
def test_every_ip_literal_is_an_address(address):
    assert address_pattern(str(address))
    if isinstance(address, ipaddress.IPv4Address):
        assert address_pattern(f"{address}/24") and address_pattern(f"{address}/255.255.255.0")


# ---- passwordless accounts ----


def row(user, host="%", plugin="mysql_native_password", empty=True, locked=False) -> dict:
    return {"user": user, "host": host, "plugin": plugin, "authentication_string_empty": empty, "locked": locked}


def test_accounts_without_a_password_are_dropped_and_the_rest_kept():
    accounts = [
        row("app", "198.18.0.%"),
        row("root", "127.0.0.1"),
        row("", "localhost"),
        row("batch", "%", "caching_sha2_password"),
        row("legacy", "%", ""),
        row("maria", "%", "ed25519"),
        row("shop", "%", empty=False),
        row("root", "localhost", "auth_socket"),
        row("root", "localhost", "mysql_native_password"),
        row("mysql", "localhost", "unix_socket"),
        row("mysql.sys", "localhost", "caching_sha2_password"),
        row("mariadb.sys", "localhost", locked=True),
        row("dormant", "%", locked=True),
        row("ldap", "%", "authentication_ldap_simple"),
        row("pam", "%", "pam"),
    ]
    assert passwordless(accounts) == [
        ("", "localhost"),
        ("app", "198.18.0.%"),
        ("batch", "%"),
        ("legacy", "%"),
        ("maria", "%"),
        ("root", "127.0.0.1"),
    ]


SYSTEM = st.sampled_from([(user, "localhost") for user in (*sorted(hardening.SYSTEM_USERS), "root")])
ACCOUNT = st.one_of(st.tuples(st.text(max_size=6), st.sampled_from(["%", "localhost", "198.18.0.%", "::1"])), SYSTEM)
PLUGINS = [*sorted(hardening.PASSWORD_PLUGINS), *sorted(hardening.SOCKET_PLUGINS), "pam", "authentication_ldap_sasl"]


@given(
    st.lists(
        ACCOUNT.flatmap(
            lambda account: st.builds(
                row, st.just(account[0]), st.just(account[1]), st.sampled_from(PLUGINS), st.booleans(), st.booleans()
            )
        ),
        max_size=8,
        unique_by=lambda account: (account["user"], account["host"]),
    )
)
def test_passwordless_never_drops_socket_locked_or_system_accounts(accounts):
    dropped = passwordless(accounts)
    assert dropped == sorted(set(dropped))
    for account in accounts:
        key = (account["user"], account["host"])
        protected = (
            account["plugin"] in hardening.SOCKET_PLUGINS
            or account["locked"]
            or account["user"] in hardening.SYSTEM_USERS
            or (account["user"], account["host"]) == ("root", "localhost")
        )
        anyone = account["authentication_string_empty"] and account["plugin"] in hardening.PASSWORD_PLUGINS
        assert (key in dropped) == (anyone and not protected), account


# ---- file modes ----

SERVER_GID = 118


def test_configuration_goes_to_root_and_the_servers_group():
    paths = {
        "/etc/mysql/my.cnf": {"mode": "0644", "uid": 0, "gid": 0},
        "/etc/mysql/conf.d": {"mode": "0755", "uid": 0, "gid": 0, "isdir": True},
        "/etc/mysql/conf.d/90-tuning.cnf": {"mode": "0640", "uid": 0, "gid": SERVER_GID},
        "/etc/mysql/mariadb.conf.d/50-server.cnf": {"mode": "0660", "uid": 112, "gid": SERVER_GID},
        # a client's credentials, only its owner reads them: left as they are
        "/etc/mysql/debian.cnf": {"mode": "0600", "uid": 0, "gid": 0},
        "/var/lib/mysql": {"mode": "0755", "uid": 112, "gid": SERVER_GID, "isdir": True},
    }
    result = file_mode_plan(paths, SERVER_GID, datadir="/var/lib/mysql/")
    assert set(result) == {
        "/etc/mysql/my.cnf",
        "/etc/mysql/conf.d",
        "/etc/mysql/mariadb.conf.d/50-server.cnf",
        "/var/lib/mysql",
    }
    assert result["/etc/mysql/my.cnf"] == {
        "mode": "0640",
        "uid": 0,
        "gid": SERVER_GID,
        "changes": ["mode 0644 -> 0640", f"group 0 -> {SERVER_GID}"],
        "reason": result["/etc/mysql/my.cnf"]["reason"],
    }
    assert result["/etc/mysql/conf.d"]["mode"] == "0750"
    assert result["/etc/mysql/mariadb.conf.d/50-server.cnf"]["changes"] == ["mode 0660 -> 0640", "owner 112 -> 0"]
    # the datadir keeps its owner: only the bits beyond 0750 go
    assert result["/var/lib/mysql"] == {
        "mode": "0750",
        "uid": 112,
        "gid": SERVER_GID,
        "changes": ["mode 0755 -> 0750"],
        "reason": result["/var/lib/mysql"]["reason"],
    }
    assert all(entry["reason"] for entry in result.values())


def test_a_stricter_datadir_is_left_as_it_is():
    assert file_mode_plan({"/var/lib/mysql": {"mode": 0o700, "uid": 112, "gid": 118}}, 118, "/var/lib/mysql") == {}


STAT = st.fixed_dictionaries(
    {"mode": st.integers(0, 0o7777), "uid": st.integers(0, 2000), "gid": st.integers(0, 2000), "isdir": st.booleans()}
)


@given(
    st.dictionaries(st.sampled_from([f"/etc/mysql/{name}" for name in "abcdef"]), STAT, max_size=6),
    STAT,
    st.integers(1, 2000),
)
def test_applying_the_plan_leaves_nothing_to_change(configuration, datadir_stat, gid):
    paths = {**configuration, "/var/lib/mysql": {**datadir_stat, "isdir": True}}
    result = file_mode_plan(paths, gid, "/var/lib/mysql")
    applied = {
        path: {**stat, **({"mode": result[path]["mode"], "uid": result[path]["uid"], "gid": result[path]["gid"]})}
        if path in result
        else stat
        for path, stat in paths.items()
    }
    assert file_mode_plan(applied, gid, "/var/lib/mysql") == {}
    for path, stat in applied.items():
        mode = hardening.file_mode(stat["mode"])
        if path == "/var/lib/mysql":
            # never gains a bit, never changes hands
            assert mode & ~datadir_stat["mode"] == 0 and mode & ~0o750 == 0
            assert (stat["uid"], stat["gid"]) == (datadir_stat["uid"], datadir_stat["gid"])
            continue
        before = hardening.file_mode(configuration[path]["mode"])
        assert mode & ~before == 0, "nothing gains a permission bit"
        if not stat["isdir"] and not before & 0o077:
            assert stat == configuration[path], "a file only its owner reads is left as it is"
        else:
            assert mode & ~(0o750 if stat["isdir"] else 0o640) == 0 and (stat["uid"], stat["gid"]) == (0, gid)


# ---- the filters the roles call ----


def test_the_roles_filters_carry_hardening_into_the_drop_in():
    from ansible.errors import AnsibleFilterError
    from ansible_collections.local.mysql.plugins.filter.access import hardening_settings
    from ansible_collections.local.mysql.plugins.filter.sizing import mysql_sizing

    server = {
        "flavor": "mariadb",
        "version": "1:11.8.6-0+deb13u1",
        "datadir": "/var/lib/mysql",
        "group": "mysql",
        "accounts": [{"user": "root", "host": "localhost"}],
        "users": [{"name": "app", "password": "secret", "hosts": ["198.18.0.%"]}],
    }
    hardened = hardening_settings(server, {"mysql_tune_profile": "ignored", SFP: "/srv/mysql-files"})
    assert hardened["config_file"] == {"owner": "root", "group": "mysql", "mode": "0640"}
    assert hardened["directories"] == [{"path": "/srv/mysql-files", "mode": "0700"}]
    assert "secret" not in repr(hardened)
    inputs = {"memory": "4G", "cpus": 2, "disk": "ssd", "flavor": "mariadb", "version": "11.8.6"}
    fact = mysql_sizing(inputs, {}, {}, None, False, hardened)
    assert fact["variables"]["secure_file_priv"] == "/srv/mysql-files/"
    assert fact["variables"]["skip_name_resolve"] == "ON"
    assert fact["options"]["symbolic_links"] == "OFF"
    off = hardening_settings(server, {f"{PREFIX}file_modes": False})["config_file"]
    assert off == {"owner": "root", "group": "root", "mode": "0644"}
    with pytest.raises(AnsibleFilterError, match=r"^mysql_server_hardening_skip_name_resolve=True: .*'app'@'app1'"):
        hardening_settings({**server, "users": [{"name": "app", "hosts": ["app1"]}]}, {SNR: True})
