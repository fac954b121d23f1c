"""Filters that expose the access decisions (listening addresses, TLS, accounts) to the roles."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.local.mysql.plugins.module_utils.access import (
    AccessError,
    Listen,
    pool_connections,
    server_settings,
)
from ansible_collections.local.mysql.plugins.module_utils.hardening import (
    PREFIX,
    HardeningError,
    config_file,
    listed_accounts,
)
from ansible_collections.local.mysql.plugins.module_utils.hardening import server_settings as hardening_server_settings
from ansible_collections.local.mysql.plugins.module_utils.sizing import version_tuple


def access_settings(listen: dict) -> dict:
    """The server settings mysql_server's inputs ask for: {variables, options} with their reasons."""
    try:
        values = dict(listen)
        values["version"] = version_tuple(str(values["version"]))
        values["bind_address"] = tuple(values["bind_address"])
        # only whether an account requires TLS counts here; the passwords stay out
        values["tls_accounts"] = any(user.get("require_tls") for user in values.pop("users", []))
        return server_settings(Listen(**values))
    except AccessError as error:
        raise AnsibleFilterError(str(error)) from error
    except (TypeError, KeyError) as error:
        raise AnsibleFilterError(f"access_settings: bad input: {error}") from error


def hardening_settings(server: dict, choices: dict) -> dict:
    """The settings mysql_server's hardening inputs ask for: {variables, options, shown, directories,
    config_file} (config_file: owner, group and mode of the drop-in the roles write).

    ``server``: flavor, version, datadir, group (the server's), ``accounts`` (the server's {user, host} after securing;
    none before it is installed) and ``users`` (mysql_server_users, of which only the names and
    hosts are read). ``choices``: the mysql_server_hardening_* inputs by name.
    """
    try:
        accounts = [*server.get("accounts", []), *listed_accounts(server.get("users", []))]
        chosen = {name: value for name, value in choices.items() if name.startswith(PREFIX)}
        settings = hardening_server_settings(
            str(server["flavor"]),
            version_tuple(str(server["version"])),
            chosen,
            accounts,
            str(server["datadir"]),
        )
        return {**settings, "config_file": config_file(chosen, str(server["group"]))}
    except HardeningError as error:
        raise AnsibleFilterError(str(error)) from error
    except (TypeError, KeyError) as error:
        raise AnsibleFilterError(f"hardening_settings: bad input: {error}") from error


class FilterModule:
    def filters(self):
        return {
            "access_settings": access_settings,
            "hardening_settings": hardening_settings,
            "pool_connections": pool_connections,
        }
