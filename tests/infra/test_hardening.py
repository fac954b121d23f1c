"""mysql_server's hardening as it recorded it (issue 28): each setting live, FILE and LOAD DATA
LOCAL refused where the settings say so, no account anyone can log in as, and the configuration
files and the datadir no wider than their modes."""

from __future__ import annotations

import stat

import pytest

OUTSIDE = "/tmp/toolkit-hardening-outfile.txt"
# What the servers answer to LOAD DATA LOCAL when local_infile is OFF.
LOCAL_REFUSED = ("Loading local data is disabled", "The used command is not allowed")
SOCKET_PLUGINS = ("auth_socket", "unix_socket")
# The toolkit's own connection and the servers' own accounts stay whatever their password.
KEPT = (
    " AND NOT (User = 'root' AND Host = 'localhost')"
    " AND User NOT IN ('mysql.sys', 'mysql.session', 'mysql.infoschema', 'mariadb.sys')"
)


@pytest.fixture
def intent(facts):
    return facts["sizing"]["server"]["hardening"]


def test_every_hardening_setting_holds_live_with_its_reason(server, facts, intent):
    live = server.variables()
    assert intent["variables"], "mysql_server decided no hardening setting"
    for name, setting in intent["variables"].items():
        assert setting["formula"], name
        assert facts["sizing"]["explain"][name]["formula"] == setting["formula"], name
        if name == "secure_file_priv":
            assert live[name].rstrip("/") == setting["value"].rstrip("/"), name
        else:
            assert live[name].upper() == setting["value"].upper(), f"{name}: live {live[name]}"


def test_symbolic_links_are_off_unless_chosen(server, intent):
    links = intent["options"].get("symbolic_links", {}).get("value", "OFF")
    assert server.scalar("SELECT @@have_symlink") == ("YES" if links == "ON" else "DISABLED")


def test_load_data_local_is_refused_when_off(server, intent):
    if intent["variables"]["local_infile"]["value"] != "OFF":
        pytest.skip("mysql_server_hardening_local_infile is true here")
    statement = (
        "CREATE TEMPORARY TABLE hardening_probe (line TEXT); "
        "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE hardening_probe"
    )
    result = server.host.run(f"{server.client} --local-infile=1 -uroot -D mysql -e %s", statement)
    assert result.rc != 0, "the server read a client's file with LOAD DATA LOCAL"
    assert any(words in result.stderr for words in LOCAL_REFUSED), result.stderr


def test_into_outfile_outside_secure_file_priv_is_refused(server, intent):
    directory = intent["variables"]["secure_file_priv"]["value"]
    assert not OUTSIDE.startswith(directory)
    server.host.run("rm -f %s", OUTSIDE)
    result = server.host.run(f"{server.client} -uroot -e %s", f"SELECT 1 INTO OUTFILE '{OUTSIDE}'")
    assert result.rc != 0 and "secure-file-priv" in result.stderr, result.stderr
    assert not server.host.file(OUTSIDE).exists
    # the directory of its own is the server user's only
    own = server.host.file(directory.rstrip("/"))
    assert own.is_directory and own.user == "mysql" and own.mode == 0o700


def test_no_account_anyone_can_log_in_as(server, host_vars):
    if not host_vars.get("mysql_server_hardening_remove_passwordless", True):
        pytest.skip("mysql_server_hardening_remove_passwordless is false here")
    if server.flavor == "mariadb":
        # MariaDB keeps the lock and the roles in mysql.global_priv
        open_doors = server.query(
            "SELECT User, Host FROM mysql.global_priv"
            " WHERE IFNULL(JSON_VALUE(Priv, '$.authentication_string'), '') = ''"
            " AND IFNULL(JSON_VALUE(Priv, '$.account_locked'), 'false') <> 'true'"
            " AND IFNULL(JSON_VALUE(Priv, '$.is_role'), 'false') <> 'true'"
            f" AND IFNULL(JSON_VALUE(Priv, '$.plugin'), '') NOT IN {SOCKET_PLUGINS!r}{KEPT}"
        )
    else:
        open_doors = server.query(
            "SELECT User, Host FROM mysql.user WHERE authentication_string = '' AND account_locked <> 'Y'"
            f" AND plugin NOT IN {SOCKET_PLUGINS!r}{KEPT}"
        )
    assert open_doors == []


def test_configuration_and_datadir_are_no_wider_than_their_modes(server, host_vars, facts):
    if not host_vars.get("mysql_server_hardening_file_modes", True):
        pytest.skip("mysql_server_hardening_file_modes is false here")
    config_dir = facts["sizing"]["server"]["config_dir"]
    listing = server.host.check_output("find /etc/mysql %s -maxdepth 1 -name '*.cnf' -type f", config_dir)
    files = sorted(set(listing.split()))
    assert facts["sizing"]["dropin"] in files
    # one stat for every path: owner, group and mode of each
    owned = {}
    paths = [*files, "/etc/mysql", config_dir]
    stats = server.host.check_output("stat -c %s" + " %s" * len(paths), "%U %G %a %n", *paths)
    for line in stats.splitlines():
        user, group, mode, path = line.split(" ", 3)
        owned[path] = (user, group, int(mode, 8))
    for path in files:
        user, group, mode = owned[path]
        if not mode & 0o077:
            continue  # a client's credentials, only its owner reads them
        assert (user, group) == ("root", "mysql") and mode & ~0o640 == 0, f"{path} {mode:o}"
    for path in ("/etc/mysql", config_dir):
        user, group, mode = owned[path]
        assert (user, group) == ("root", "mysql") and mode & ~0o750 == 0, f"{path} {mode:o}"
    datadir = server.host.file(facts["host"]["datadir"]["value"])
    assert datadir.user == "mysql" and stat.S_IMODE(datadir.mode) & ~0o750 == 0
