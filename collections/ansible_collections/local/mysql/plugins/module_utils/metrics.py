"""The toolkit's own state as Prometheus metrics, for node_exporter's textfile collector.

Pure: one function turns the fact file (what the roles sized, measured and recorded), the drift
rows of the same comparison the drift report makes, and the learn timer's next and last
trigger into the text exposition format. The content holds no time of writing, so a healthy
re-run writes nothing.
"""

from __future__ import annotations

from datetime import datetime

PREFIX = "mysql_toolkit"
# Where drift can be, as module_utils/drift.py names it: each gets a series, 0 when clean.
DRIFT_AREAS = ("drop-in", "live", "systemd", "process", "limits.d", "timer", "os")
# Sizing inputs worth a series of their own (numbers; the rest are labels of the info series).
NUMERIC_INPUTS = ("memory", "cpus", "iops", "open_files", "long_query_time", "app_connections")
WRITE_BACK = ("WB", "AWB")


def _escape(value) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: dict) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items()) + "}"


def _number(value) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        upper = value.strip().upper()
        if upper in ("ON", "OFF"):
            return 1.0 if upper == "ON" else 0.0
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _format(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _timestamp(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


class Exposition:
    """Families in order, each with its HELP and TYPE once."""

    def __init__(self):
        self.families: dict[str, tuple[str, list[str]]] = {}

    def add(self, name: str, help_text: str, value, labels: dict | None = None) -> None:
        number = _number(value)
        if number is None:
            return
        full = f"{PREFIX}_{name}"
        family = self.families.setdefault(full, (help_text, []))
        family[1].append(f"{full}{_labels(labels or {})} {_format(number)}")

    def text(self) -> str:
        lines = []
        for name, (help_text, samples) in self.families.items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", *samples]
        return "\n".join(lines) + "\n"


def toolkit_metrics(facts: dict, drift_rows: list[dict] | None = None, timer: dict | None = None) -> str:
    """The exposition text for one host.

    ``drift_rows``: the drift comparison's rows (None: drift was not looked at, no series).
    ``timer``: the learn timer's ``next`` and ``last`` trigger as epoch seconds (None or 0: none).
    """
    out = Exposition()
    sizing = facts.get("sizing") or {}
    server = sizing.get("server") or {}
    inputs = sizing.get("inputs") or {}
    if sizing:
        out.add(
            "info",
            "The server the toolkit provisioned and how it sized it (always 1).",
            1,
            {
                "flavor": server.get("flavor", inputs.get("flavor", "")),
                "version": server.get("version", inputs.get("version", "")),
                "profile": inputs.get("profile", ""),
                "disk_class": (sizing.get("disk_class") or {}).get("value", inputs.get("disk", "")),
            },
        )
        for name, value in sorted((sizing.get("variables") or {}).items()):
            formula = ((sizing.get("explain") or {}).get(name) or {}).get("formula", "")
            out.add(
                "sized_value",
                "Each server variable the toolkit wrote, as a number (ON/OFF as 1/0).",
                value,
                {"variable": name, "formula": formula[:120]},
            )
        for name in NUMERIC_INPUTS:
            out.add("sizing_input", "The sizing's numeric inputs.", inputs.get(name), {"input": name})
        out.add("memory_budget_bytes", "Memory the server may use on this host.", sizing.get("memory_budget"))
        out.add(
            "peak_memory_bytes",
            "Worst-case peak memory of the sized values (global + max_connections x per connection).",
            sizing.get("peak_memory"),
        )
        out.add("global_memory_bytes", "Memory the server holds once.", sizing.get("global_memory"))
        out.add("per_connection_memory_bytes", "Memory each connection may hold.", sizing.get("per_thread_memory"))
        out.add("open_files_limit", "The open-files limit the toolkit set.", (sizing.get("limits") or {}).get("nofile"))

    io = facts.get("io") or {}
    if io:
        out.add("fio_iops", "Sustained 16 KiB random-write IOPS fio measured on the datadir's disk.", io.get("iops"))
        out.add(
            "fio_measured_timestamp_seconds",
            "When fio measured (time() minus this is the measurement's age).",
            _timestamp(io.get("measured_at")),
        )

    if drift_rows is not None:
        counts = dict.fromkeys(DRIFT_AREAS, 0)
        for row in drift_rows:
            counts[row.get("area", "other")] = counts.get(row.get("area", "other"), 0) + 1
        for area, count in counts.items():
            out.add(
                "drift_differences",
                "Differences between the recorded intent and the host, per area.",
                count,
                {"area": area},
            )

    raid = facts.get("raid") or {}
    for controller in raid.get("controllers") or []:
        number = str(controller.get("id"))
        battery = controller.get("battery") or {}
        out.add(
            "raid_controller_info",
            "A RAID controller the toolkit manages (always 1).",
            1,
            {"controller": number, "tool": raid.get("tool") or "", "battery": battery.get("kind") or "none"},
        )
        if battery:
            labels = {"controller": number, "kind": battery.get("kind", "")}
            out.add(
                "raid_battery_healthy",
                "The battery or CacheVault is optimal and needs no replacement.",
                bool(battery.get("healthy")),
                labels,
            )
            out.add("raid_learn_active", "A learn cycle is running.", bool(battery.get("learn_active")), labels)
            out.add(
                "raid_auto_learn",
                "The controller starts learn cycles on its own.",
                (battery.get("auto_learn") or "").lower() not in ("", "off", "disabled"),
                labels,
            )
        for drive in controller.get("virtual_drives") or []:
            policy = drive.get("current_write_policy") or drive.get("write_policy")
            out.add(
                "raid_write_back",
                "The virtual drive caches writes (write-back); 0 is write-through.",
                policy in WRITE_BACK,
                {"controller": number, "drive": str(drive.get("id"))},
            )
    if raid.get("controllers"):
        timer = timer or {}
        out.add(
            "raid_learn_next_timestamp_seconds",
            "When the off-peak timer starts the next learn cycle.",
            timer.get("next") or None,
        )
        out.add(
            "raid_learn_last_timestamp_seconds",
            "When the off-peak timer last started a learn cycle.",
            timer.get("last") or None,
        )
    return out.text()
