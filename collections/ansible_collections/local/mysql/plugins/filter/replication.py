"""Filters that expose the replication topology to the roles."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict

from ansible.errors import AnsibleFilterError
from ansible_collections.local.mysql.plugins.module_utils.access import presents_tls
from ansible_collections.local.mysql.plugins.module_utils.replication import toolkit_purges
from ansible_collections.local.mysql.plugins.module_utils.sizing import version_tuple
from ansible_collections.local.mysql.plugins.module_utils.topology import (
    INPUT_NAMES,
    live_members,
    live_problems,
    members,
    place,
    problems,
    switchover,
)


def inventory_members(hostvars, hosts: list[str]):
    inputs = {}
    for name in hosts:
        values = hostvars[name]
        flavor = (values.get("mysql_server_facts") or {}).get("flavor") or values.get("mysql_server_flavor")
        inputs[name] = {**{key: values.get(key) for key in INPUT_NAMES}, "mysql_server_flavor": flavor}
    return members(inputs)


def live_sources(hostvars, hosts: list[str]) -> dict[str, str]:
    """The address each server replicates from ("" none), for the hosts the mysql_replication
    role's live tasks read (mysql_replication_live); a server that could not be read is left out."""
    sources = {}
    for name in hosts:
        read = hostvars[name].get("mysql_replication_live") or {}
        if read.get("status") and not read.get("failed"):
            status = read["status"]
            sources[name] = str(status.get("source_host") or "") if status.get("configured") else ""
    return sources


def switchover_plan(hostvars, hosts: list[str], new: str) -> dict:
    """The old primary, the new one and the other replicas, from the topology the servers run."""
    try:
        return switchover(live_members(inventory_members(hostvars, hosts), live_sources(hostvars, hosts)), str(new))
    except ValueError as error:
        raise AnsibleFilterError(str(error)) from error


def replication_live_problems(hostvars, hosts: list[str]) -> list[str]:
    """Where the servers run another topology than the inventory describes."""
    return live_problems(inventory_members(hostvars, hosts), live_sources(hostvars, hosts))


def replication_place(hostvars, hosts: list[str], host: str, allow_chains: bool = False) -> dict:
    """This host's place (role, server_id, source, addresses, replicas) among ``hosts``; the
    topology's first problem fails the task. A host whose server is installed counts with its
    flavor; ``tls`` says whether its source presents a certificate (then the replica requires it)."""
    servers = {name: hostvars[name].get("mysql_server_facts") or {} for name in hosts}
    topology = inventory_members(hostvars, hosts)
    found = problems(topology, bool(allow_chains))
    if found:
        raise AnsibleFilterError(found[0])
    here = asdict(place(topology, host))
    # the account lives on the primary at the top: whether it must use TLS is that server's
    root = servers.get(here["root"]) or {}
    files = bool(hostvars[here["root"]].get("mysql_server_tls_cert")) if here["root"] else False
    here["tls"] = bool(root) and presents_tls(root["flavor"], version_tuple(str(root["version"])), files)
    here["addresses"] = sorted(set(here["members"].values()))
    server = servers.get(host) or {}
    here["toolkit_purges"] = bool(server.get("version")) and toolkit_purges(
        server["flavor"],
        version_tuple(str(server["version"])),
        len(here["replicas"]),
        bool(hostvars[host].get("mysql_backup_enabled", False)),
    )
    return here


def member_secret(place: dict | None, password: str, purpose: str) -> str:
    """A secret every member of one topology derives alike from the replication password ("" off
    replication): an account the primary creates replicates to the others with its password, so
    each member's own client file must hold that same password."""
    if not place or place.get("role", "none") == "none":
        return ""
    return hmac.new(str(password).encode(), purpose.encode(), hashlib.sha256).hexdigest()[:32]


class FilterModule:
    def filters(self):
        return {
            "replication_place": replication_place,
            "member_secret": member_secret,
            "switchover_plan": switchover_plan,
            "replication_live_problems": replication_live_problems,
        }
