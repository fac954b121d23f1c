"""What securing a fresh server removes: anonymous accounts, root from other hosts, the test database.

Pure: the server_secure module reads the accounts and schemas and runs what this returns.
"""

from __future__ import annotations

TEST_DATABASE = "test"


def removals(
    accounts: list[tuple[str, str]],
    databases: list[str],
    local_hosts: list[str],
    passwordless: list[tuple[str, str]] = (),
) -> list[dict]:
    """Each removal as {statement, args, what}, in a stable order (accounts, then the database).
    ``passwordless``: the accounts anyone can log in as (hardening.passwordless), when they go too."""
    found = []
    anyone = set(passwordless)
    for user, host in sorted(accounts):
        if user == "":
            what = f"anonymous account ''@{host}"
        elif user == "root" and host not in local_hosts:
            what = f"root account from another host, root@{host}"
        elif (user, host) in anyone:
            what = f"account without a password, {user}@{host}"
        else:
            continue
        found.append({"statement": "DROP USER %s@%s", "args": [user, host], "what": what})
    if TEST_DATABASE in databases:
        found.append({"statement": f"DROP DATABASE `{TEST_DATABASE}`", "args": [], "what": "the test database"})
    return found
