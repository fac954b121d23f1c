"""Filters that expose the replication topology to the roles."""

from __future__ import annotations

from dataclasses import asdict

from ansible.errors import AnsibleFilterError
from ansible_collections.local.mysql.plugins.module_utils.topology import INPUT_NAMES, members, place, problems


def replication_place(hostvars, hosts: list[str], host: str, allow_chains: bool = False) -> dict:
    """This host's place (role, server_id, source, replicas) among ``hosts``; the topology's first
    problem fails the task. A host whose server is installed counts with its flavor."""
    inputs = {}
    for name in hosts:
        values = hostvars[name]
        flavor = (values.get("mysql_server_facts") or {}).get("flavor") or values.get("mysql_server_flavor")
        inputs[name] = {**{key: values.get(key) for key in INPUT_NAMES}, "mysql_server_flavor": flavor}
    topology = members(inputs)
    found = problems(topology, bool(allow_chains))
    if found:
        raise AnsibleFilterError(found[0])
    return asdict(place(topology, host))


class FilterModule:
    def filters(self):
        return {"replication_place": replication_place}
