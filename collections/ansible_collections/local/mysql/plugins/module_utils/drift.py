"""Drift: every difference between what the roles recorded and what the host shows.

``compare`` is pure: the intent is the fact file the roles wrote; the observations are
gathered by the ``drift_probe`` module. Each row names where the difference is, what, the
intended value and the actual one.
"""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.serverconfig import same_value

MISSING = "(missing)"


def _row(area: str, item: str, intended, actual) -> dict:
    return {"area": area, "item": item, "intended": str(intended), "actual": MISSING if actual is None else str(actual)}


def database_rows(intended: dict, found: dict) -> list[dict]:
    """A listed database that is gone, or whose character set or collation changed."""
    rows = []
    for name, want in sorted(intended.items()):
        have = found.get(name)
        if have is None:
            rows.append(_row("database", name, f"present, {want['charset']} / {want['collation']}", None))
            continue
        rows.extend(_row("database", f"{name} {key}", want[key], have[key]) for key in want if want[key] != have[key])
    return rows


def compare(facts: dict, observed: dict) -> list[dict]:
    """Rows of differences between the recorded intent and the observed host."""
    rows = []
    sizing = facts.get("sizing") or {}
    variables = sizing.get("variables") or {}

    # start-up options (MySQL's X plugin) are in the file only: the server shows no variable for them
    written = {**variables, **(sizing.get("options") or {})}
    dropin = observed.get("dropin")
    if dropin is None:
        rows.append(_row("drop-in", sizing.get("dropin", "drop-in"), "present", None))
    else:
        for name, value in written.items():
            if not same_value(value, dropin.get(name)):
                rows.append(_row("drop-in", name, value, dropin.get(name)))
        for name in sorted(set(dropin) - set(written)):
            rows.append(_row("drop-in", name, "(not set)", dropin[name]))
        # who may read it (mysql_server_hardening_file_modes)
        wanted = ((sizing.get("server") or {}).get("hardening") or {}).get("config_file") or {}
        access = observed.get("dropin_access") or {}
        for key in ("owner", "group", "mode"):
            if key in wanted and access.get(key) != wanted[key]:
                rows.append(
                    _row("drop-in", f"{key} of {sizing.get('dropin', 'the drop-in')}", wanted[key], access.get(key))
                )

    live = observed.get("live") or {}
    if "__unreachable__" in live:
        rows.append(_row("live", "server", "answering on its socket", live["__unreachable__"]))
    else:
        for name, value in variables.items():
            if not same_value(value, live.get(name)):
                rows.append(_row("live", name, value, live.get(name)))
        rows.extend(database_rows(facts.get("databases") or {}, observed.get("databases") or {}))

    limits = sizing.get("limits") or {}
    nofile = limits.get("nofile")
    if nofile:
        unit = observed.get("unit_dropin_limit")
        if unit is None or str(unit) != str(nofile):
            rows.append(_row("systemd", f"LimitNOFILE in {limits.get('unit_dropin')}", nofile, unit))
        if str(observed.get("unit_limit")) != str(nofile):
            rows.append(_row("systemd", "LimitNOFILE of the unit", nofile, observed.get("unit_limit")))
        if str(observed.get("process_limit")) != str(nofile):
            rows.append(_row("process", "Max open files of the running server", nofile, observed.get("process_limit")))
        pam = observed.get("pam") or {}
        for domain in limits.get("domains", []):
            for kind in ("soft", "hard"):
                actual = pam.get((domain, kind))
                if str(actual) != str(nofile):
                    rows.append(_row("limits.d", f"{domain} {kind} nofile", nofile, actual))

    raid = facts.get("raid")
    if raid and raid.get("controllers"):
        timer = observed.get("timer") or {}
        if timer.get("enabled") != "enabled":
            rows.append(_row("timer", "mysql-raid-learn.timer enabled", "enabled", timer.get("enabled")))
        if timer.get("active") != "active":
            rows.append(_row("timer", "mysql-raid-learn.timer active", "active", timer.get("active")))
        if timer.get("calendar") != raid.get("learn_schedule"):
            rows.append(_row("timer", "OnCalendar", raid.get("learn_schedule"), timer.get("calendar")))
    rows.extend(os_rows(facts.get("os") or {}, observed))
    return rows


def os_rows(intended: dict, observed: dict) -> list[dict]:
    """mysql_os's files changed or removed by hand (by their SHA-256), and the kernel values it
    set that no longer hold."""
    rows = []
    files = observed.get("os_files") or {}
    for path, digest in (intended.get("files") or {}).items():
        if files.get(path) != digest:
            rows.append(_row("os", path, "as mysql_os wrote it", "changed" if files.get(path) else None))
    kernel = observed.get("os_kernel") or {}
    for name, item in (intended.get("settings") or {}).items():
        if item.get("applies") and name in kernel and str(kernel[name]) != str(item["wanted"]):
            rows.append(_row("os", name, item["wanted"], kernel[name]))
    return rows
