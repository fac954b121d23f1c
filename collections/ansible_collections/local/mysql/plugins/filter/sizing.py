"""Filters that expose the sizing module to the roles."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.local.mysql.plugins.module_utils.observe import section_differs
from ansible_collections.local.mysql.plugins.module_utils.sizes import binary_size
from ansible_collections.local.mysql.plugins.module_utils.sizing import Inputs, SizingError, parse_size, plan


def mysql_sizing(inputs: dict, overrides: dict | None = None) -> dict:
    """The plan for a host: {variables, explain, inputs, memory_budget, peak_memory, ...}.

    ``overrides`` (mysql_tune_overrides) replace computed values; each is marked as such.
    """
    known = set(Inputs.__dataclass_fields__)
    unknown = set(inputs) - known
    if unknown:
        raise AnsibleFilterError(f"mysql_sizing: unknown inputs {sorted(unknown)}")
    try:
        values = dict(inputs)
        values["memory"] = parse_size(values["memory"])
        return plan(Inputs(**values)).to_fact(overrides or {})
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
