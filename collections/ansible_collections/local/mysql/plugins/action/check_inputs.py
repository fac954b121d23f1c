"""Action: check the named roles' inputs on the controller, before any host is contacted.

Each input is checked against its role's argument spec (type, choices, sub-options) and then
against the ranges of ``module_utils/inputs.py``; the first problem fails the task with one
message that names that variable, its value and what is accepted. A systemd calendar expression
is also parsed by the controller's own ``systemd-analyze`` when it has one. With ``fleet`` (the
number of hosts in the run), the inputs that count hosts are checked against it. With ``scrape``
(the database hosts a monitoring host scrapes), each one's exporters must be reachable from it.
With ``topology`` (the hosts in the run), their replication topology must be one the servers can
run (module_utils/topology.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess

from ansible import constants as C
from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import MutuallyExclusiveError, RequiredError
from ansible.plugins.action import ActionBase
from ansible_collections.local.mysql.plugins.module_utils import inputs, topology
from ansible_collections.local.mysql.plugins.module_utils.prometheus import Exporters, ScrapeError, targets

CALENDAR_INPUTS = ("mysql_raid_learn_schedule",)
# Files the controller copies to the hosts: they must be there before any host is changed.
CONTROLLER_FILES = ("mysql_server_tls_cert", "mysql_server_tls_key", "mysql_server_tls_ca")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        values: dict = {}
        for role in self._task.args.get("roles", []):
            for name, value in self.role_inputs(role, task_vars).items():
                values[name] = value
        if "fleet" in self._task.args:
            values[inputs.FLEET] = int(self._task.args["fleet"])
        found = inputs.errors(values) + self.calendar_errors(values) + self.file_errors(values)
        found += self.scrape_errors(task_vars) + self.topology_errors(task_vars, values)
        if found:
            raise AnsibleActionFail(found[0])
        result.update(changed=False, msg=f"{len(values)} inputs accepted")
        return result

    def role_path(self, role: str) -> str:
        for base in (os.path.join(self._loader.get_basedir(), "roles"), *C.DEFAULT_ROLES_PATH):
            candidate = os.path.join(base, role)
            if os.path.isdir(candidate):
                return candidate
        raise AnsibleActionFail(f"check_inputs: no role named {role} in the roles path")

    def role_inputs(self, role: str, task_vars: dict, names: tuple[str, ...] = ()) -> dict:
        """The role's own inputs (named ``<role>_*``, or only ``names``), typed by its argument spec.

        Other options in the spec are what the role needs from earlier roles: ansible-core
        checks those when the role starts, after the roles that set them have run.
        """
        path = self.role_path(role)
        spec = self._loader.load_from_file(os.path.join(path, "meta", "argument_specs.yml"))
        # every entry point's options (a role such as mysql_rollout has its inputs in another)
        options = {}
        for entry in spec["argument_specs"].values():
            options.update(entry.get("options") or {})
        defaults_file = os.path.join(path, "defaults", "main.yml")
        defaults = self._loader.load_from_file(defaults_file) if os.path.exists(defaults_file) else {}
        typed = {}
        for name, option in options.items():
            if not name.startswith(role + "_") or (names and name not in names):
                continue
            given = task_vars[name] if name in task_vars else (defaults or {}).get(name, option.get("default"))
            value = self._templar.template(given)
            checked = ArgumentSpecValidator({name: option}).validate({name: value})
            if checked.error_messages:
                text = self.spec_message(name, value, option, checked)
                raise AnsibleActionFail(remove_values(text, checked._no_log_values))
            typed[name] = checked.validated_parameters[name]
        return typed

    @staticmethod
    def spec_message(name: str, value, option: dict, checked) -> str:
        first = checked.errors.errors[0]
        if isinstance(first, (RequiredError, MutuallyExclusiveError)):
            # a sub-option's problem: the validator's words name the sub-option
            return f"{name}: {first}"
        return inputs.message(name, value, inputs.spec_words(option))

    def file_errors(self, values: dict) -> list[str]:
        problems = []
        for name in CONTROLLER_FILES:
            if values.get(name):
                try:
                    self._find_needle("files", values[name])
                except AnsibleError:
                    words = "a readable file on the controller (absolute, or under the playbook's files/)"
                    problems.append(inputs.message(name, values[name], words))
        return problems

    def scrape_errors(self, task_vars: dict) -> list[str]:
        """Each scraped database host's exporters reachable from this host, with the inputs
        that host has (its own or the role's defaults)."""
        servers = self._task.args.get("scrape") or []
        exporters = [
            Exporters.of(name, self.role_inputs("mysql_monitor", task_vars["hostvars"][name])) for name in servers
        ]
        try:
            targets(exporters, task_vars["inventory_hostname"])
        except ScrapeError as error:
            return [str(error)]
        return []

    def topology_errors(self, task_vars: dict, values: dict) -> list[str]:
        """The replication topology of the hosts in ``topology``, each with its own inputs (or the
        roles' defaults): the first problem names a host and a variable."""
        hosts = self._task.args.get("topology") or []
        given = {}
        for name in hosts:
            host_vars = task_vars["hostvars"][name]
            # another host's: only what the topology reads (its other inputs are its own pre-flight's)
            given[name] = {
                **self.role_inputs("mysql_replication", host_vars),
                **self.role_inputs("mysql_server", host_vars, ("mysql_server_flavor", "mysql_server_bind_address")),
            }
        return topology.problems(topology.members(given), bool(values.get("mysql_replication_allow_chains")))

    @staticmethod
    def calendar_errors(values: dict) -> list[str]:
        analyze = shutil.which("systemd-analyze")
        problems = []
        for name in CALENDAR_INPUTS:
            if analyze and values.get(name):
                parsed = subprocess.run(
                    [analyze, "calendar", values[name]], capture_output=True, text=True, check=False, timeout=30
                )
                if parsed.returncode:
                    words = f"a calendar expression systemd accepts ({parsed.stderr.strip()})"
                    problems.append(inputs.message(name, values[name], words))
        return problems
