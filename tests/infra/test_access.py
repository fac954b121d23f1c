"""Who can reach the data: the server's sockets, its TLS and its accounts against the recorded intent (issue 14).

Every check reads the intent from the fact file (what mysql_server decided and mysql_tune wrote)
and, where the inventory names them, from mysql_server_* variables; the live side is the server
process's own listening sockets and the server's answers.
"""

from __future__ import annotations

import contextlib

import pytest

# A locked account the TLS handshake test makes for a moment (see client_from).
TLS_PROBE = "toolkit_tls_probe"


def listener(address: str, port) -> str:
    """address:port, with every wildcard written as ss writes it."""
    return f"{'*' if address in ('0.0.0.0', '::', '*') else address}:{port}"


def recorded(facts: dict) -> dict:
    return facts["sizing"]["variables"]


def server_listeners(server, facts) -> set[str]:
    """address:port of every TCP socket the server's main process listens on (ss run as the
    server's own user: in a container root may not read another user's descriptors)."""
    pid = server.main_pid()
    out = server.host.check_output("runuser -u %s -- ss -Hltnp", facts["sizing"]["server"]["user"])
    found = set()
    for line in out.splitlines():
        if f"pid={pid}," not in line:
            continue
        address, _, port = line.split()[3].rpartition(":")
        found.add(listener(address.strip("[]"), port))
    return found


def intended_listeners(server, facts) -> set[str]:
    """What the recorded settings open: bind_address on the port, the administrators' port, and
    the X protocol only when it was asked for."""
    live = server.variables()
    addresses = recorded(facts)["bind_address"].split(",")
    wanted = {listener(address, live["port"]) for address in addresses}
    if server.flavor == "mysql":
        wanted.add(listener(live["admin_address"], live["admin_port"]))
        if "mysqlx_bind_address" in recorded(facts):
            wanted |= {listener(a, live["mysqlx_port"]) for a in recorded(facts)["mysqlx_bind_address"].split(",")}
    elif int(live.get("extra_port", 0)):
        wanted |= {listener(address, live["extra_port"]) for address in addresses}
    return wanted


def test_bind_address_is_what_the_inventory_says(facts, host_vars):
    """The recorded bind_address is the inventory's list (loopback when it names none)."""
    asked = host_vars.get("mysql_server_bind_address", ["127.0.0.1"])
    assert recorded(facts)["bind_address"].split(",") == list(asked)


def test_the_server_listens_exactly_where_the_settings_say(server, facts):
    found = server_listeners(server, facts)
    assert found, "no listening socket found for the server's process"
    assert found == intended_listeners(server, facts)


def test_x_protocol_is_closed_unless_asked_for(server, facts):
    if server.flavor != "mysql":
        pytest.skip("MariaDB has no X protocol")
    status = server.scalar("SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'mysqlx'")
    wanted = "mysqlx_bind_address" in recorded(facts)
    assert (status == "ACTIVE") == wanted, f"mysqlx is {status}, recorded options {facts['sizing'].get('options')}"
    if not wanted:
        assert facts["sizing"]["options"]["mysqlx"] == "OFF"


def test_tls_settings_are_live(server, facts):
    """The server runs with the TLS settings written: variables, and on MySQL the TLS context
    in use (a changed variable takes effect only after ALTER INSTANCE RELOAD TLS)."""
    intent = recorded(facts)
    live = server.variables()
    assert live["require_secure_transport"].upper() in (
        ("ON", "1") if intent["require_secure_transport"] == "ON" else ("OFF", "0")
    )
    if "tls_version" not in intent:
        pytest.skip("this server presents no certificate: none given and it generates none")
    if server.flavor == "mysql":
        status = {name.lower(): value for name, value in server.query("SHOW GLOBAL STATUS LIKE 'Current_tls%'")}
        assert status["current_tls_version"] == intent["tls_version"]
        assert status["current_tls_cert"] == intent.get("ssl_cert", live["ssl_cert"])
    else:
        assert live["have_ssl"] == "YES"
        assert live["tls_version"] == intent["tls_version"]


def test_server_presents_a_certificate_on_its_port(server, facts):
    """A TLS handshake against the server's own port (openssl's MySQL STARTTLS) succeeds with the
    oldest version allowed, and not with the one below it."""
    intent = recorded(facts)
    if "tls_version" not in intent:
        pytest.skip("this server presents no certificate: none given and it generates none")
    if not server.host.exists("openssl"):
        pytest.skip("no openssl on this host to shake hands with")
    address = next(a for a in intent["bind_address"].split(",") if a not in ("0.0.0.0", "::"))
    port = server.variables()["port"]
    oldest = intent["tls_version"].split(",")[0]
    flags = {"TLSv1.2": "-tls1_2", "TLSv1.3": "-tls1_3"}
    with client_from(server, address):
        shake = server.host.run(
            "openssl s_client -starttls mysql -connect %s %s -brief </dev/null", f"{address}:{port}", flags[oldest]
        )
        assert shake.rc == 0 and "CONNECTION ESTABLISHED" in shake.stderr + shake.stdout, shake.stderr
        if oldest == "TLSv1.3":
            older = server.host.run(
                "openssl s_client -starttls mysql -connect %s -tls1_2 -brief </dev/null", f"{address}:{port}"
            )
            assert older.rc != 0, "TLSv1.2 was accepted though the oldest allowed is TLSv1.3"


@contextlib.contextmanager
def client_from(server, address: str):
    """With name resolution off (mysql_server_hardening_skip_name_resolve) the server greets only
    an address some account is for; 127.0.0.1 is no longer 'localhost'. For the handshake a locked
    account for the address stands in for a client the server would accept, and goes afterwards."""
    if server.variables()["skip_name_resolve"] != "ON":
        yield
        return
    server.query(f"CREATE USER IF NOT EXISTS '{TLS_PROBE}'@'{address}' ACCOUNT LOCK")
    try:
        yield
    finally:
        server.query(f"DROP USER IF EXISTS '{TLS_PROBE}'@'{address}'")


def test_certificate_files_are_the_server_users_and_the_key_is_private(server, facts):
    intent = recorded(facts)
    if "ssl_key" not in intent:
        pytest.skip("the server uses its own certificate")
    key = server.host.file(intent["ssl_key"])
    assert key.exists and key.user == "mysql" and key.mode == 0o600
    cert = server.host.file(intent["ssl_cert"])
    assert cert.exists and cert.user == "mysql"


def test_accounts_the_toolkit_created_are_as_listed(server, facts, host_vars):
    created = (facts.get("accounts") or {}).get("mysql_server", [])
    listed = {
        f"{user['name']}@{host}": user
        for user in host_vars.get("mysql_server_users", [])
        for host in user.get("hosts", ["localhost"])
    }
    rows = {
        f"{user}@{host}": (ssl_type, int(limit))
        for user, host, ssl_type, limit in server.query(
            "SELECT User, Host, ssl_type, max_user_connections FROM mysql.user"
        )
    }
    for key in created:
        assert key in rows, f"{key} is recorded as created but the server has no such account"
    for key, user in listed.items():
        assert key in rows, f"{key} is listed but missing"
        ssl_type, limit = rows[key]
        assert (ssl_type != "") == bool(user.get("require_tls")), f"{key}: ssl_type {ssl_type!r}"
        assert limit == int(user.get("max_user_connections", 0)), f"{key}: max_user_connections {limit}"
    if not listed and not created:
        pytest.skip("no application accounts in this inventory")


def test_listed_databases_exist_with_the_character_set_and_collation_recorded(server, facts, host_vars):
    listed = {db["name"]: db for db in host_vars.get("mysql_server_databases", []) if db.get("state") != "absent"}
    if not listed:
        pytest.skip("no application databases in this inventory")
    recorded = facts.get("databases") or {}
    rows = {
        name: (charset, collation)
        for name, charset, collation in server.query(
            "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA"
        )
    }
    # a replica's databases are its primary's, through replication: the primary records them
    replica = host_vars.get("mysql_replication_role") == "replica"
    assert set(recorded) == (set() if replica else set(listed)), f"the fact file records {sorted(recorded)}"
    for name, db in listed.items():
        assert name in rows, f"{name} is listed but the server has no such database"
        charset, collation = rows[name]
        assert charset == db.get("charset", "utf8mb4"), f"{name}: {charset}"
        if not replica:
            assert charset == recorded[name]["charset"], f"{name}: {charset}"
            assert collation == recorded[name]["collation"], f"{name}: {collation}"
        assert collation.startswith(f"{charset}_") and (not db.get("collation") or collation == db["collation"])
