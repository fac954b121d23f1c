#!/usr/bin/python
"""Ansible module: find MegaRAID controllers, read their battery and cache state, take learn cycles under control."""

from __future__ import annotations

DOCUMENTATION = r"""
module: raid_battery
short_description: Detect MegaRAID controllers and stop their batteries from starting learn cycles on their own
description:
  - Finds storcli64, storcli, perccli64 or MegaCli64, reads each controller's battery (BBU) or
    CacheVault and the cache policy of its virtual drives, and returns them parsed.
  - Switches a battery's automatic learn cycle off, so that learns run only when the toolkit's
    timer starts them off-peak, and sets write-back virtual drives to keep write-back during a
    learn (AWB / CachedBadBBU) only when I(writeback_during_learn) is true.
  - Check mode reports what it would change; diff mode shows the properties changed, before and after.
    Hosts without a controller are left alone.
  - With I(learn_schedule), the off-peak window is also returned as crontab fields, for hosts
    where cron starts the learns instead of a systemd timer, or the reason cron cannot run it.
options:
  tool:
    description: Path of the tool, or C(auto) to look for one.
    type: str
    default: auto
  writeback_during_learn:
    description: Keep write-back while the battery cannot protect the cache (risks acknowledged commits on power loss).
    type: bool
    default: false
  learn_schedule:
    description: The off-peak window as a systemd C(OnCalendar) expression, to express as crontab fields.
    type: str
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Take learn cycles under control
  local.mysql.raid_battery:
  register: raid
"""

RETURN = r"""
raid:
  description: Tool, family and, per controller, battery and virtual drives (the fact file's C(raid) section).
  type: dict
  returned: always
actions:
  description: What was (or in check mode would be) changed.
  type: list
  returned: always
learn_commands:
  description: Per controller with a battery, the arguments that show its state and start a learn.
  type: list
  returned: always
learn_cron:
  description:
    - I(learn_schedule) as the C(minute), C(hour), C(day), C(month) and C(weekday) of a crontab line,
      and C(guard), a shell test to put before the job (empty when none is needed).
    - Null when cron cannot run the window as systemd would (seconds, years, time zones, last days).
  type: dict
  returned: when learn_schedule is given
learn_cron_error:
  description: Why cron cannot run I(learn_schedule); empty when it can.
  type: str
  returned: when learn_schedule is given
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.cron import NotCron, cron_fields
from ansible_collections.local.mysql.plugins.module_utils.raid import (
    TOOL_DIRS,
    TOOLS,
    battery_from,
    changes,
    megacli_ok,
    megacli_virtual_drives,
    prop,
    properties_diff,
    show_commands,
    start_learn_command,
    storcli_controller_count,
    storcli_ok,
    storcli_virtual_drives,
    succeeded,
)


def find_tool(module):
    wanted = module.params["tool"]
    if wanted != "auto":
        if not os.access(wanted, os.X_OK):
            module.fail_json(msg=f"mysql_raid_tool: {wanted} is not an executable")
        name = os.path.basename(wanted)
        family = next((fam for tool, fam in TOOLS if tool.lower() == name.lower()), "storcli")
        return wanted, family
    for name, family in TOOLS:
        path = module.get_bin_path(name, opt_dirs=TOOL_DIRS)
        if path:
            return path, family
    return None, None


def run(module, tool, args):
    rc, out, err = module.run_command([tool, *args], environ_update={"LC_ALL": "C"})
    return rc, out + err


def read_state(module, tool, family):
    if family == "storcli":
        _rc, text = run(module, tool, ["show", "ctrlcount"])
        count = storcli_controller_count(text)
    else:
        _rc, text = run(module, tool, ["-adpCount", "-NoLog"])
        count = int((prop(text, "Controller Count") or "0").rstrip("."))
    controllers = []
    for number in range(count):
        commands = show_commands(family, number)
        battery = None
        if family == "storcli":
            _rc, bbu = run(module, tool, commands["bbu"])
            if storcli_ok(bbu):
                battery = battery_from(bbu, "bbu")
            else:
                _rc, cv = run(module, tool, commands["cv"])
                battery = battery_from(cv, "cachevault") if storcli_ok(cv) else None
            _rc, vds = run(module, tool, commands["vds"])
            drives = storcli_virtual_drives(vds)
        else:
            _rc, bbu = run(module, tool, commands["bbu"])
            battery = battery_from(bbu, "bbu") if megacli_ok(bbu) else None
            _rc, vds = run(module, tool, commands["vds"])
            drives = megacli_virtual_drives(vds)
        controllers.append({"id": number, "battery": battery, "virtual_drives": drives})
    return controllers


def main():
    module = AnsibleModule(
        argument_spec={
            "tool": {"type": "str", "default": "auto"},
            "writeback_during_learn": {"type": "bool", "default": False},
            "learn_schedule": {"type": "str"},
        },
        supports_check_mode=True,
    )
    extra = {}
    if module.params["learn_schedule"] is not None:
        try:
            extra.update(learn_cron=cron_fields(module.params["learn_schedule"]), learn_cron_error="")
        except NotCron as error:
            extra.update(learn_cron=None, learn_cron_error=str(error))
    tool, family = find_tool(module)
    if not tool:
        module.exit_json(
            changed=False,
            raid={"tool": None, "family": None, "controllers": []},
            actions=[],
            learn_commands=[],
            **extra,
        )
    controllers = read_state(module, tool, family)
    with tempfile.TemporaryDirectory(prefix="mysql-raid-") as workdir:
        # MegaCli reads BBU properties only from a file (inline forms seen on blogs are not valid).
        properties = os.path.join(workdir, "bbu.properties")
        with open(properties, "w", encoding="utf-8") as handle:
            handle.write("autoLearnMode=1\n")
        todo = changes(controllers, family, module.params["writeback_during_learn"], properties)
        if not module.check_mode:
            for action in todo:
                _rc, text = run(module, tool, action["args"])
                if not succeeded(family, text):
                    module.fail_json(msg=f"{os.path.basename(tool)} could not {action['what']}: {text.strip()[-400:]}")
            if todo:
                controllers = read_state(module, tool, family)
    raid = {"tool": os.path.basename(tool), "path": tool, "family": family, "controllers": controllers}
    actions = [f"controller {a['controller']}: {a['what']}" for a in todo]
    learn = [
        {
            "controller": c["id"],
            "status": show_commands(family, c["id"])["bbu"],
            "start": start_learn_command(family, c["id"], c["battery"]["kind"]),
        }
        for c in controllers
        if c["battery"] and c["battery"]["kind"] == "bbu"
    ]
    if module._diff:
        extra["diff"] = properties_diff(todo)
    module.exit_json(changed=bool(todo), raid=raid, actions=actions, learn_commands=learn, **extra)


if __name__ == "__main__":
    main()
