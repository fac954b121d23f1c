"""Role structure: every input documented, OS variable layers complete.

RedHat-family variables can only be checked here (the lab has no RedHat image).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from ansible_collections.local.mysql.plugins.module_utils import inputs

ROLES = sorted(p for p in (Path(__file__).parents[2] / "roles").iterdir() if p.is_dir())
OS_FAMILIES = ("Debian", "RedHat")


def load(path: Path):
    return yaml.safe_load(path.read_text()) or {}


def options(role: Path) -> dict:
    """The options of every entry point of the role's argument spec."""
    found = {}
    for entry in load(role / "meta" / "argument_specs.yml")["argument_specs"].values():
        found.update(entry.get("options") or {})
    return found


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_every_default_is_a_documented_input(role):
    specs = options(role)
    defaults = load(role / "defaults" / "main.yml") if (role / "defaults" / "main.yml").exists() else {}
    assert set(defaults) <= set(specs), f"undocumented defaults: {set(defaults) - set(specs)}"
    for name, spec in specs.items():
        assert "type" in spec and "description" in spec, f"{name} lacks type or description"
        if not name.startswith(role.name + "_"):
            # what the role needs from an earlier role: that role's facts, declared as such
            assert re.fullmatch(r"mysql_[a-z]+_facts", name), f"{name} is neither an input nor an earlier role's facts"
            assert spec["type"] == "dict" and spec["description"].startswith(f"Set by C({name[:-6]})"), name
        if name in defaults and "default" in spec:
            assert spec["default"] == defaults[name], f"{name}: argument_specs default differs from defaults/main.yml"


ROLES_WITH_OS_VARS = [r for r in ROLES if any((r / "vars" / f"{f}.yml").exists() for f in OS_FAMILIES)]


@pytest.mark.parametrize("role", ROLES_WITH_OS_VARS, ids=lambda p: p.name)
def test_os_variable_files_define_the_same_names(role):
    files = {family: role / "vars" / f"{family}.yml" for family in OS_FAMILIES}
    present = {family: load(path) for family, path in files.items() if path.exists()}
    assert set(present) == set(OS_FAMILIES), f"{role.name} has OS vars for {set(present)} only"
    names = [set(v) for v in present.values()]
    assert names[0] == names[1]
    for family, values in present.items():
        for name, value in values.items():
            assert name.startswith(f"__{role.name}_"), f"{family}.yml: {name} is not an internal name"
            if isinstance(value, dict) and set(value) & {"mysql", "mariadb"}:
                assert set(value) == {"mysql", "mariadb"}, f"{family}.yml: {name} lacks a flavor"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_every_input_is_in_the_readme(role):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    specs = options(role)
    inputs = [name for name in specs if name.startswith(role.name + "_")]
    missing = [name for name in inputs if f"| {role.name} | `{name}` |" not in readme]
    assert not missing, f"README's variable table lacks {missing}"


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_every_number_and_path_input_has_its_range(role):
    """Types and choices are the spec's; a number's range and a path's absoluteness are module_utils/inputs.py's."""
    specs = options(role)
    bounded = [n for n, s in specs.items() if n.startswith(role.name + "_") and s["type"] in ("int", "float", "path")]
    missing = [name for name in bounded if name not in inputs.RULES]
    assert not missing, f"no accepted range in module_utils/inputs.py for {missing}"
