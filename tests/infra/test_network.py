"""Applications on another host reach the server as the variables say, and nothing else does (issue 14).

Runs where the inventory names an application host for a server (``lab_app_host``, as the
network scenario does): the checks connect from that host over the lab's internal network
with the distribution's own client. Elsewhere they are skipped, not passed.
"""

from __future__ import annotations

import pytest
import testinfra


@pytest.fixture
def app(host, host_vars):
    name = host_vars.get("lab_app_host")
    if not name:
        pytest.skip("no application host in this inventory")
    return testinfra.get_host(f"ansible://{name}", ansible_inventory=host.backend.ansible_inventory)


@pytest.fixture
def address(host_vars):
    return host_vars["lab_address"]


def client(app, address, user, password, *options, statement="SELECT 1"):
    """The application host's client against the server; the password goes in the environment."""
    binary = "mariadb" if app.exists("mariadb") else "mysql"
    return app.run(
        f"MYSQL_PWD=%s {binary} --host=%s --user=%s --batch --skip-column-names --connect-timeout=10 "
        + " ".join(options)
        + " --execute=%s",
        password,
        address,
        user,
        statement,
    )


def tls_options(app, host_vars) -> list[str]:
    """TLS on, verified against the CA when the server's certificate comes from one."""
    ca = host_vars.get("lab_client_ca")
    if app.exists("mariadb"):
        return ["--ssl", f"--ssl-ca={ca}", "--ssl-verify-server-cert"] if ca else ["--ssl"]
    return ["--ssl-mode=VERIFY_CA", f"--ssl-ca={ca}"] if ca else ["--ssl-mode=REQUIRED"]


def no_tls_options(app) -> list[str]:
    """TLS off; MySQL's client then fetches the server's RSA key for caching_sha2_password, so
    that the server, not the client, decides whether the session may go on."""
    return ["--skip-ssl"] if app.exists("mariadb") else ["--ssl-mode=DISABLED", "--get-server-public-key"]


def listed(host_vars, **wanted) -> list[dict]:
    return [
        user for user in host_vars.get("mysql_server_users", []) if all(user.get(k) == v for k, v in wanted.items())
    ]


def reachable(app, address, port) -> bool:
    return app.run("timeout 5 bash -c 'exec 3<>/dev/tcp/%s/%s'", address, str(port)).rc == 0


def opened(host_vars) -> bool:
    return any(a not in ("127.0.0.1", "::1") for a in host_vars.get("mysql_server_bind_address", ["127.0.0.1"]))


def test_default_bind_address_leaves_nothing_reachable(app, address, host_vars, server):
    if opened(host_vars):
        pytest.skip("this server is opened to the application network")
    live = server.variables()
    for port in {live["port"], live.get("extra_port", "0"), live.get("admin_port", "0")} - {"0"}:
        assert not reachable(app, address, port), f"{address}:{port} answers from {app.backend.host}"


def test_an_allowed_account_connects_over_tls_and_reports_the_cipher(app, address, host_vars):
    if not opened(host_vars):
        pytest.skip("this server listens on loopback only")
    for user in listed(host_vars, require_tls=True):
        result = client(
            app, address, user["name"], user["password"], *tls_options(app, host_vars),
            statement="SHOW SESSION STATUS LIKE 'Ssl_cipher'",
        )  # fmt: skip
        assert result.rc == 0, result.stderr
        name, _, cipher = result.stdout.strip().partition("\t")
        assert name == "Ssl_cipher" and cipher, f"{user['name']}: no cipher in {result.stdout!r}"


def test_an_application_account_creates_and_uses_tables_in_its_own_database(app, address, host_vars):
    if not opened(host_vars):
        pytest.skip("this server listens on loopback only")
    databases = [db["name"] for db in host_vars.get("mysql_server_databases", [])]
    owners = [
        (user, user["priv"].partition(".")[0])
        for user in host_vars.get("mysql_server_users", [])
        if user.get("priv", "").endswith(".*:ALL") and user["priv"].partition(".")[0] in databases
    ]
    if not owners:
        pytest.skip("no account owns a listed database in this inventory")
    for user, database in owners:
        table = f"{database}.lab_probe"
        statement = (
            f"CREATE TABLE {table} (id INT PRIMARY KEY, note VARCHAR(20)); INSERT INTO {table} VALUES (1, 'written'); "
            f"SELECT note FROM {table}; DROP TABLE {table}"
        )
        result = client(app, address, user["name"], user["password"], *tls_options(app, host_vars), statement=statement)
        assert result.rc == 0, result.stderr
        assert result.stdout.strip() == "written", f"{user['name']} in {database}: {result.stdout!r}"


def test_without_tls_a_tls_account_or_a_secure_transport_server_refuses(app, address, host_vars):
    if not opened(host_vars):
        pytest.skip("this server listens on loopback only")
    for user in listed(host_vars, require_tls=True):
        refused = client(app, address, user["name"], user["password"], *no_tls_options(app))
        assert refused.rc != 0 and "Access denied" in refused.stderr, refused.stderr
    plain = listed(host_vars, name="shop_report")[0]
    attempt = client(app, address, plain["name"], plain["password"], *no_tls_options(app))
    if host_vars.get("mysql_server_require_secure_transport"):
        assert attempt.rc != 0 and "insecure transport are prohibited" in attempt.stderr, attempt.stderr
    else:
        assert attempt.rc == 0, f"an account without require_tls was refused: {attempt.stderr}"


def test_an_account_for_another_network_is_refused(app, address, host_vars):
    if not opened(host_vars):
        pytest.skip("this server listens on loopback only")
    user = listed(host_vars, name="shop_elsewhere")[0]
    assert all(not host.startswith("198.18.0.") for host in user["hosts"])
    refused = client(app, address, user["name"], user["password"], *tls_options(app, host_vars))
    assert refused.rc != 0 and "Access denied" in refused.stderr, refused.stderr


def test_root_cannot_log_in_from_the_application_host(app, address, host_vars):
    if not opened(host_vars):
        pytest.skip("this server listens on loopback only")
    refused = client(app, address, "root", "", *tls_options(app, host_vars))
    assert refused.rc != 0 and "Access denied" in refused.stderr, refused.stderr


def test_only_the_application_port_answers_on_the_network(app, address, host_vars, server):
    """The administrators' ports and the X protocol stay on loopback."""
    if not opened(host_vars):
        pytest.skip("this server listens on loopback only")
    live = server.variables()
    assert reachable(app, address, live["port"])
    closed = {live.get("mysqlx_port", "33060"), live.get("admin_port")} - {None}
    for port in closed:
        assert not reachable(app, address, port), f"{address}:{port} answers from the application host"
