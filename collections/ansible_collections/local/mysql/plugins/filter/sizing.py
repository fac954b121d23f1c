"""Filters that expose the sizing module to the roles."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.local.mysql.plugins.module_utils.backup import server_settings as backup_settings
from ansible_collections.local.mysql.plugins.module_utils.observe import section_differs
from ansible_collections.local.mysql.plugins.module_utils.replication import Replication, server_settings
from ansible_collections.local.mysql.plugins.module_utils.sizes import binary_size
from ansible_collections.local.mysql.plugins.module_utils.sizing import (
    Inputs,
    SizingError,
    budget_of,
    parse_size,
    plan,
    statement_samples,
    version_tuple,
    with_settings,
)


def mysql_sizing(
    inputs: dict,
    overrides: dict | None = None,
    access: dict | None = None,
    replication: dict | None = None,
    backup: bool = False,
    hardening: dict | None = None,
) -> dict:
    """The plan for a host: {variables, options, explain, inputs, memory_budget, peak_memory, ...}.

    ``overrides`` (mysql_tune_overrides) replace computed values; each is marked as such.
    ``access`` (mysql_server_facts.access) adds the listening and TLS settings; ``replication``
    (mysql_replication_facts: role, server_id, domain_id, replicas, datadir, datadir_size,
    binlog_basename) the settings of the host's place in the topology, which also keep its binary
    log on; ``backup`` (mysql_backup_enabled) what the server needs to be backed up;
    ``hardening`` (mysql_server_facts.hardening) mysql_server's hardening settings.
    """
    known = set(Inputs.__dataclass_fields__)
    unknown = set(inputs) - known
    if unknown:
        raise AnsibleFilterError(f"mysql_sizing: unknown inputs {sorted(unknown)}")
    try:
        values = dict(inputs)
        values["memory"] = parse_size(values["memory"])
        place = {"role": "none", **(replication or {})}
        if place["role"] != "none" or backup:
            # every member keeps a binary log, and so does a host whose backups replay it: the
            # retention is sized for it from this run on
            values["binlog"] = True
        sized = Inputs(**values)
        settings = server_settings(
            Replication(
                flavor=sized.flavor,
                version=version_tuple(sized.version),
                role=str(place["role"]),
                server_id=int(place.get("server_id") or 0),
                domain_id=int(place.get("domain_id") or 0),
                replicas=tuple(place.get("replicas") or ()),
                cpus=sized.cpus,
                budget=budget_of(sized),
                datadir=str(place.get("datadir") or "/var/lib/mysql"),
                datadir_size=int(place["datadir_size"]) if place.get("datadir_size") else None,
                binlog_basename=str(place.get("binlog_basename") or ""),
                archived=bool(backup),
            )
        )
        owned = {
            "mysql_server": {
                kind: {**(access or {}).get(kind, {}), **(hardening or {}).get(kind, {})}
                for kind in ("variables", "options", "shown")
            },
            "mysql_replication": settings,
            "mysql_backup": backup_settings(
                sized.flavor,
                bool(backup),
                str(place.get("datadir") or "/var/lib/mysql"),
                str(place.get("binlog_basename") or ""),
                version_tuple(sized.version),
            ),
        }
        fact = plan(sized).to_fact(overrides or {})
        owned["mysql_tune"] = statement_samples(sized.flavor, fact["variables"])
        return with_settings(fact, owned, overrides or {})
    except SizingError as error:
        raise AnsibleFilterError(str(error)) from error
    except (TypeError, ValueError) as error:
        raise AnsibleFilterError(f"mysql_sizing: bad input: {error}") from error


class FilterModule:
    def filters(self):
        return {
            "mysql_sizing": mysql_sizing,
            "fact_section_differs": section_differs,
            "binary_size": binary_size,
        }
