"""MegaRAID-family controllers (storcli64/storcli/perccli64, MegaCli64): parsing and commands.

Pure functions over the tools' text output (formats in tests/unit/fixtures/raid, captured from
real controllers) and the command lines the roles run. The ``raid_battery`` module does the I/O.
"""

from __future__ import annotations

import re

# Tools in the order they are preferred: storcli speaks the current syntax.
TOOLS = (
    ("storcli64", "storcli"),
    ("storcli", "storcli"),
    ("perccli64", "storcli"),
    ("perccli", "storcli"),
    ("MegaCli64", "megacli"),
    ("MegaCli", "megacli"),
    ("megacli", "megacli"),
)
TOOL_DIRS = ["/opt/MegaRAID/storcli", "/opt/MegaRAID/perccli", "/opt/MegaRAID/MegaCli", "/usr/local/sbin", "/usr/sbin"]

AUTO_LEARN = {"enabled": "enabled", "disabled": "disabled", "transparent": "transparent", "warn via event": "warn"}
# storcli autolearnmode / MegaCli autoLearnMode values: 0 enabled, 1 disabled, 2 warn via event.
AUTO_LEARN_DISABLED = 1


def prop(text: str, name: str) -> str | None:
    """The value of a property line, in either tool's layout.

    storcli tables: ``Learn Cycle Active          Yes``; MegaCli: ``  Learn Cycle Active   : No``
    or ``Learn Delay Interval:0 Hours``; both headers: ``Status = Success``.
    """
    pattern = re.compile(rf"^\**\s*{re.escape(name)}[ \t]*(?:[:=][ \t]*|[ \t]{{1,}})(.*?)\**\s*$", re.MULTILINE)
    match = pattern.search(text)
    return match.group(1).strip() if match else None


def storcli_ok(text: str) -> bool:
    return prop(text, "Status") == "Success"


def megacli_ok(text: str) -> bool:
    code = prop(text, "Exit Code")
    return code is not None and int(code, 16) == 0 and "Failed" not in text


def storcli_controller_count(text: str) -> int:
    count = prop(text, "Controller Count")
    return int(count) if count and count.isdigit() else 0


def auto_learn(value: str | None) -> str | None:
    return AUTO_LEARN.get((value or "").strip().lower()) if value else None


def learn_delay_hours(value: str | None) -> int | None:
    match = re.match(r"\s*(\d+)", value or "")
    return int(match.group(1)) if match else None


def battery_from(text: str, kind: str) -> dict:
    """Battery (BBU) or CacheVault state from ``show all`` / ``-AdpBbuCmd`` output."""
    battery_type = prop(text, "BatteryType") or prop(text, "Type")
    if battery_type and battery_type.upper().startswith(("CVPM", "CVFM")):
        kind = "cachevault"
    learn_active = (prop(text, "Learn Cycle Active") or "").lower() == "yes"
    state = prop(text, "Battery State") or prop(text, "State")
    replace = (prop(text, "Battery Replacement required") or prop(text, "Replacement required") or "").lower()
    return {
        "kind": kind,
        "type": battery_type,
        "state": state,
        "healthy": (state or "").lower() == "optimal" and replace != "yes",
        "learn_active": learn_active,
        "auto_learn": auto_learn(prop(text, "Auto-Learn Mode")),
        "learn_delay_hours": learn_delay_hours(prop(text, "Learn Delay Interval")),
        "next_learn": prop(text, "Next Learn time"),
    }


def write_policy(cache: str) -> str:
    """WB, WT or AWB from a storcli cache code such as NRWBD, RWTD, NRAWBD, RFWBD."""
    if "AWB" in cache or "FWB" in cache:
        return "AWB"
    if "WB" in cache:
        return "WB"
    if "WT" in cache:
        return "WT"
    return "unknown"


def storcli_virtual_drives(text: str) -> list[dict]:
    """Rows of the ``Virtual Drives`` / ``VD LIST`` table: DG/VD, TYPE, State, Access, Consist, Cache."""
    drives, header = [], None
    for line in text.splitlines():
        fields = line.split()
        if fields[:2] == ["DG/VD", "TYPE"]:
            header = fields
            continue
        if header and fields and re.match(r"^\d+/\d+$", fields[0]):
            row = dict(zip(header, fields))
            group, drive = fields[0].split("/")
            cache = row.get("Cache", "")
            drives.append({"id": int(drive), "group": int(group), "cache": cache, "write_policy": write_policy(cache)})
    return drives


_MEGACLI_POLICY = {"WriteBack": "WB", "WriteThrough": "WT"}


def megacli_virtual_drives(text: str) -> list[dict]:
    """Virtual drives of ``-LDInfo -Lall -aN``: default and current write policy, bad-BBU caching."""
    drives = []
    for block in re.split(r"^(?=Virtual Drive:)", text, flags=re.MULTILINE):
        match = re.match(r"Virtual Drive:\s*(\d+)", block)
        if not match:
            continue
        default = prop(block, "Default Cache Policy") or ""
        current = prop(block, "Current Cache Policy") or ""
        cached_bad_bbu = "Write Cache OK if Bad BBU" in default
        policy = _MEGACLI_POLICY.get(default.split(",")[0].strip(), "unknown")
        drives.append(
            {
                "id": int(match.group(1)),
                "cache": default,
                "current": current,
                "write_policy": "AWB" if policy == "WB" and cached_bad_bbu else policy,
                "current_write_policy": _MEGACLI_POLICY.get(current.split(",")[0].strip(), "unknown"),
            }
        )
    return drives


# Command lines, per tool family. Each is the argument list after the tool's path.
def show_commands(family: str, controller: int) -> dict[str, list[str]]:
    if family == "storcli":
        return {
            "bbu": [f"/c{controller}/bbu", "show", "all"],
            "cv": [f"/c{controller}/cv", "show", "all"],
            "vds": [f"/c{controller}/vall", "show"],
        }
    return {
        "bbu": ["-AdpBbuCmd", f"-a{controller}", "-NoLog"],
        "vds": ["-LDInfo", "-Lall", f"-a{controller}", "-NoLog"],
    }


def disable_auto_learn_command(family: str, controller: int, kind: str, properties_file: str) -> list[str]:
    if family == "storcli":
        unit = "cv" if kind == "cachevault" else "bbu"
        return [f"/c{controller}/{unit}", "set", f"autolearnmode={AUTO_LEARN_DISABLED}"]
    return ["-AdpBbuCmd", "-SetBbuProperties", "-f", properties_file, f"-a{controller}", "-NoLog"]


def start_learn_command(family: str, controller: int, kind: str = "bbu") -> list[str]:
    if family == "storcli":
        return [f"/c{controller}/{'cv' if kind == 'cachevault' else 'bbu'}", "start", "learn"]
    return ["-AdpBbuCmd", "-BbuLearn", f"-a{controller}", "-NoLog"]


def write_policy_command(family: str, controller: int, drive: int, policy: str) -> list[str]:
    """storcli: wrcache=WB|AWB per drive; MegaCli: (No)CachedBadBBU on all drives."""
    if family == "storcli":
        return [f"/c{controller}/v{drive}", "set", f"wrcache={policy}"]
    return ["-LDSetProp", "CachedBadBBU" if policy == "AWB" else "NoCachedBadBBU", "-Lall", f"-a{controller}", "-NoLog"]


def succeeded(family: str, text: str) -> bool:
    return storcli_ok(text) if family == "storcli" else megacli_ok(text)


def changes(controllers: list[dict], family: str, writeback_during_learn: bool, properties_file: str) -> list[dict]:
    """What to run so that no learn cycle starts on its own and the write policy is as asked.

    A battery's automatic learn (not CacheVault's transparent one) is switched off; the timer
    starts learns off-peak instead. Virtual drives in write-back keep it during a learn (AWB /
    CachedBadBBU) only when asked, since a power cut then loses acknowledged writes. Each
    action names the properties it changes: ``{name: [before, after]}``.
    """
    todo = []
    for controller in controllers:
        battery = controller.get("battery")
        if not battery:
            continue
        number = controller["id"]
        if battery["kind"] == "bbu" and battery.get("auto_learn") not in ("disabled", None):
            todo.append(
                {
                    "controller": number,
                    "what": f"switch automatic learn cycles off (now {battery['auto_learn']})",
                    "args": disable_auto_learn_command(family, number, battery["kind"], properties_file),
                    "properties": {f"controller {number} battery auto_learn": [battery["auto_learn"], "disabled"]},
                }
            )
        wanted = "AWB" if writeback_during_learn else "WB"
        drives = [d for d in controller.get("virtual_drives", []) if d["write_policy"] in ("WB", "AWB")]
        wrong = {
            f"controller {number} virtual drive {d['id']} write_policy": d
            for d in drives
            if d["write_policy"] != wanted
        }
        if family == "storcli":
            todo.extend(
                {
                    "controller": number,
                    "what": f"set virtual drive {d['id']} to {wanted} (now {d['write_policy']})",
                    "args": write_policy_command(family, number, d["id"], wanted),
                    "properties": {name: [d["write_policy"], wanted]},
                }
                for name, d in wrong.items()
            )
        elif wrong:
            todo.append(
                {
                    "controller": number,
                    "what": f"set write-back virtual drives to {wanted}",
                    "args": write_policy_command(family, number, 0, wanted),
                    "properties": {name: [d["write_policy"], wanted] for name, d in wrong.items()},
                }
            )
    return todo


def properties_diff(todo: list[dict]) -> dict[str, str]:
    """Ansible's before/after diff of the properties the actions change, one ``name: value`` a line."""
    changed = {name: values for action in todo for name, values in action["properties"].items()}
    return {
        "before": "".join(f"{name}: {before}\n" for name, (before, _) in changed.items()),
        "after": "".join(f"{name}: {after}\n" for name, (_, after) in changed.items()),
    }
