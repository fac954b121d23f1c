"""The toolkit's state as metrics (module_utils/metrics.py): every value from the fact file, nothing invented."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ansible_collections.local.mysql.plugins.module_utils.metrics import DRIFT_AREAS, toolkit_metrics
from ansible_collections.local.mysql.plugins.module_utils.sizes import GIB
from ansible_collections.local.mysql.plugins.module_utils.sizing import Inputs, plan
from hypothesis import given
from hypothesis import strategies as st

SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(\{(?P<labels>.*)\})? (?P<value>-?[0-9.e+]+)$")


def samples(text: str) -> list[tuple[str, dict, float]]:
    found = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        labels = dict(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', match.group("labels") or ""))
        found.append((match.group("name"), labels, float(match.group("value"))))
    return found


def value(text: str, name: str, **labels) -> float:
    hits = [v for n, found, v in samples(text) if n == name and all(found.get(k) == w for k, w in labels.items())]
    assert len(hits) == 1, f"{name} {labels}: {hits}"
    return hits[0]


def facts_for(memory=4 * GIB, flavor="mysql", version="9.7.4") -> dict:
    fact = plan(Inputs(memory=memory, cpus=2, disk="ssd", flavor=flavor, version=version, iops=12000)).to_fact({})
    fact["server"] = {"flavor": flavor, "version": version}
    fact["limits"] = {"nofile": 16384}
    return {
        "sizing": fact,
        "io": {"iops": 24364, "measured_at": "2026-12-01T03:00:00+00:00", "device": "vda"},
    }


RAID = {
    "tool": "storcli64",
    "family": "storcli",
    "controllers": [
        {
            "id": 0,
            "battery": {"kind": "bbu", "healthy": True, "learn_active": False, "auto_learn": "off"},
            "virtual_drives": [{"id": 0, "write_policy": "WB"}, {"id": 1, "write_policy": "WT"}],
        }
    ],
}


def test_every_sized_value_and_the_memory_figures_are_exported_as_recorded():
    facts = facts_for()
    text = toolkit_metrics(facts)
    sizing = facts["sizing"]
    for name, recorded in sizing["variables"].items():
        if isinstance(recorded, (int, float)):
            assert value(text, "mysql_toolkit_sized_value", variable=name) == recorded
    assert value(text, "mysql_toolkit_memory_budget_bytes") == sizing["memory_budget"]
    assert value(text, "mysql_toolkit_peak_memory_bytes") == sizing["peak_memory"]
    assert value(text, "mysql_toolkit_open_files_limit") == 16384
    assert value(text, "mysql_toolkit_sizing_input", input="cpus") == 2
    assert value(text, "mysql_toolkit_info", flavor="mysql", version="9.7.4") == 1


def test_fio_figure_and_when_it_was_measured():
    text = toolkit_metrics(facts_for())
    assert value(text, "mysql_toolkit_fio_iops") == 24364
    measured = datetime(2026, 12, 1, 3, 0, tzinfo=UTC).timestamp()
    assert value(text, "mysql_toolkit_fio_measured_timestamp_seconds") == measured


def test_drift_has_a_series_per_area_zero_when_clean():
    clean = toolkit_metrics(facts_for(), drift_rows=[])
    assert {found["area"] for n, found, _ in samples(clean) if n == "mysql_toolkit_drift_differences"} == set(
        DRIFT_AREAS
    )
    assert all(v == 0 for n, _, v in samples(clean) if n == "mysql_toolkit_drift_differences")
    rows = [
        {"area": "live", "item": "max_connections"},
        {"area": "live", "item": "x"},
        {"area": "systemd", "item": "y"},
    ]
    drifted = toolkit_metrics(facts_for(), drift_rows=rows)
    assert value(drifted, "mysql_toolkit_drift_differences", area="live") == 2
    assert value(drifted, "mysql_toolkit_drift_differences", area="systemd") == 1
    assert "drift" not in toolkit_metrics(facts_for())  # not looked at: no series at all


def test_raid_battery_cache_policy_and_learn_timer():
    facts = {**facts_for(), "raid": RAID}
    text = toolkit_metrics(facts, timer={"next": 1767236400, "last": 0})
    assert value(text, "mysql_toolkit_raid_battery_healthy", controller="0") == 1
    assert value(text, "mysql_toolkit_raid_learn_active", controller="0") == 0
    assert value(text, "mysql_toolkit_raid_auto_learn", controller="0") == 0
    assert value(text, "mysql_toolkit_raid_write_back", controller="0", drive="0") == 1
    assert value(text, "mysql_toolkit_raid_write_back", controller="0", drive="1") == 0
    assert value(text, "mysql_toolkit_raid_learn_next_timestamp_seconds") == 1767236400
    assert "raid_learn_last_timestamp_seconds" not in text  # never triggered: no series, not 0
    assert "raid" not in toolkit_metrics(facts_for())


def test_a_host_never_provisioned_exports_nothing():
    assert toolkit_metrics({}) == "\n"


@given(
    st.integers(min_value=512, max_value=1024 * 1024).map(lambda mib: mib * 1024 * 1024),
    st.sampled_from(["mysql", "mariadb"]),
)
def test_exposition_is_well_formed_and_stable(memory, flavor):
    facts = facts_for(memory=memory, flavor=flavor, version="9.7.4" if flavor == "mysql" else "11.8.6")
    text = toolkit_metrics(facts, drift_rows=[])
    assert text == toolkit_metrics(facts, drift_rows=[]), "the same facts give the same bytes"
    seen_type = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            name = line.split()[2]
            assert name not in seen_type, f"{name} has two TYPE lines"
            seen_type.add(name)
    assert samples(text)
