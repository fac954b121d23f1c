"""Filters that expose the access decisions (listening addresses, TLS, accounts) to the roles."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.local.mysql.plugins.module_utils.access import (
    AccessError,
    Listen,
    pool_connections,
    server_settings,
)
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


class FilterModule:
    def filters(self):
        return {"access_settings": access_settings, "pool_connections": pool_connections}
