"""Each module's documentation says what its argument spec takes: the offline part of validate-modules.

The argument spec is taken from the module itself (its AnsibleModule call), so documentation and
code cannot drift apart; ``ansible-doc`` must render every module and the action's documentation.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[2]
MODULES = sorted((ROOT / "collections/ansible_collections/local/mysql/plugins/modules").glob("*.py"))
ACTIONS = {path.stem for path in (ROOT / "collections/ansible_collections/local/mysql/plugins/action").glob("*.py")}


class Constructed(Exception):
    """Raised by the stand-in AnsibleModule once it has the module's arguments."""


def construction_of(path: Path) -> tuple[object, dict]:
    spec = importlib.util.spec_from_file_location(f"doc_check_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    seen = {}

    def stand_in(**kwargs):
        seen.update(kwargs)
        raise Constructed

    module.AnsibleModule = stand_in
    if path.stem not in ACTIONS:
        with pytest.raises(Constructed):
            module.main()
    return module, seen


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_documentation_matches_the_argument_spec(path):
    module, construction = construction_of(path)
    documentation = yaml.safe_load(module.DOCUMENTATION)
    yaml.safe_load(module.EXAMPLES)
    yaml.safe_load(module.RETURN)
    assert documentation["module"] == path.stem
    if path.stem in ACTIONS:
        return  # an action's options are read from the task, not an argument spec
    documented = documentation.get("options") or {}
    spec = construction["argument_spec"]
    assert set(documented) == set(spec), "options documented and options taken differ"
    for name, option in spec.items():
        doc = documented[name]
        for key, default in (("type", "str"), ("required", False), ("default", None), ("choices", None)):
            assert doc.get(key, default) == option.get(key, default), f"{name}: {key}"
        assert doc.get("elements") == option.get("elements"), f"{name}: elements"
    assert construction.get("supports_check_mode") is True, "every module must run in check mode"


def test_ansible_doc_renders_every_module():
    names = [f"local.mysql.{path.stem}" for path in MODULES]
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-doc"), "-t", "module", *names],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "[WARNING]" not in done.stderr, done.stderr
    for name in names:
        assert f"({name})" in done.stdout or name in done.stdout, name
