"""Filters that expose the sizing module to the roles."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.local.mysql.plugins.module_utils.observe import section_differs
from ansible_collections.local.mysql.plugins.module_utils.sizes import binary_size
from ansible_collections.local.mysql.plugins.module_utils.sizing import (
    Inputs,
    SizingError,
    parse_size,
    plan,
    with_access,
)


def mysql_sizing(inputs: dict, overrides: dict | None = None, access: dict | None = None) -> dict:
    """The plan for a host: {variables, options, explain, inputs, memory_budget, peak_memory, ...}.

    ``overrides`` (mysql_tune_overrides) replace computed values; each is marked as such.
    ``access`` (mysql_server_facts.access) adds the listening and TLS settings.
    """
    known = set(Inputs.__dataclass_fields__)
    unknown = set(inputs) - known
    if unknown:
        raise AnsibleFilterError(f"mysql_sizing: unknown inputs {sorted(unknown)}")
    try:
        values = dict(inputs)
        values["memory"] = parse_size(values["memory"])
        return with_access(plan(Inputs(**values)).to_fact(overrides or {}), access or {}, overrides or {})
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
