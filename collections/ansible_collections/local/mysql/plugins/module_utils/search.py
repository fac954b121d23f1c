"""Best found: a small search around the tuned configuration, over the knobs the sizing decides.

Each candidate is the tuned configuration with one knob moved (a share of the pool, the redo,
the IO capacity, the cleaners and pool instances, flush neighbours, read-ahead, the log writer
threads, the LRU scan depth). The load test measures them against tuned in alternating rounds,
then the best of them against tuned again in as many fresh rounds (the confirmation);
``best_found`` reads both: the best median, tuned's ratio to it, and the candidates that beat
tuned in every round by more than tuned's own spread (their worst round above tuned's best),
which are the ones a sizing rule should answer for.
"""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.rivals import HEADER
from ansible_collections.local.mysql.plugins.module_utils.sizing import MIB, PEAK_LIMIT

MAX_CANDIDATES = 12
# The phase of the runs that measure the search's best against tuned again, after the pick.
CONFIRM = "confirm"
# What a knob may not go below, whatever the factor.
FLOORS = {
    "innodb_buffer_pool_size": 128 * MIB,
    "innodb_redo_log_capacity": 8 * MIB,
    "innodb_log_file_size": 4 * MIB,
    "innodb_io_capacity": 100,
    "innodb_lru_scan_depth": 128,
}


def scaled(variables: dict, name: str, factor: float) -> dict:
    value = max(FLOORS.get(name, 1), int(int(variables[name]) * factor))
    changes = {name: value}
    if name == "innodb_io_capacity" and "innodb_io_capacity_max" in variables:
        # the background flushing's ceiling keeps its ratio to the capacity
        ratio = int(variables["innodb_io_capacity_max"]) / int(variables[name])
        changes["innodb_io_capacity_max"] = max(value, int(value * ratio))
    return changes


def moves(variables: dict, cpus: int) -> list[tuple[str, dict]]:
    """(name, changes) for every knob the tuned configuration sets, most telling first."""
    found = []
    redo = "innodb_redo_log_capacity" if "innodb_redo_log_capacity" in variables else "innodb_log_file_size"
    steps = (
        ("innodb_buffer_pool_size", "pool", (0.8, 1.2)),
        (redo, "redo", (2.0, 0.5)),
        ("innodb_io_capacity", "io_capacity", (2.0, 0.5)),
        ("innodb_lru_scan_depth", "lru_scan_depth", (2.0, 0.5)),
    )
    for name, short, factors in steps:
        if name in variables:
            found += [(f"{short} x{factor:g}", scaled(variables, name, factor)) for factor in factors]
    if "innodb_buffer_pool_instances" in variables or "innodb_page_cleaners" in variables:
        now = int(variables.get("innodb_buffer_pool_instances") or variables.get("innodb_page_cleaners"))
        other = 1 if now > 1 else max(2, cpus)
        changes = {
            name: other for name in ("innodb_buffer_pool_instances", "innodb_page_cleaners") if name in variables
        }
        found.append((f"instances/cleaners {other}", changes))
    toggles = (
        ("innodb_flush_neighbors", "flush_neighbors", {"0": 1, "1": 0, "2": 0}),
        ("innodb_log_writer_threads", "log_writer_threads", {"OFF": "ON", "ON": "OFF"}),
    )
    for name, short, other in toggles:
        value = str(variables.get(name, "")).upper()
        if value in other:
            found.append((f"{short} {other[value]}", {name: other[value]}))
    if "innodb_read_ahead_threshold" in variables:
        # the servers' own default, or a more eager read-ahead when tuned already uses it
        other = 56 if int(variables["innodb_read_ahead_threshold"]) != 56 else 32
        found.append((f"read_ahead_threshold {other}", {"innodb_read_ahead_threshold": other}))
    return found


def candidates(sizing: dict, cpus: int, limit: int = MAX_CANDIDATES) -> tuple[list[dict], list[str]]:
    """The candidates ({name, changes}) and the moves left out, with why.

    A move that would raise the worst-case peak memory above the sizing's limit is left out: the
    search must not trade the memory model for speed."""
    variables = sizing["variables"]
    budget = int(sizing.get("memory_budget") or 0)
    peak = int(sizing.get("peak_memory") or 0)
    chosen, left_out = [], []
    for name, changes in moves(variables, cpus):
        grown = int(changes.get("innodb_buffer_pool_size", variables.get("innodb_buffer_pool_size", 0))) - int(
            variables.get("innodb_buffer_pool_size", 0)
        )
        if all(str(variables.get(key)) == str(value) for key, value in changes.items()):
            left_out.append(f"{name}: tuned is already at that knob's floor")
        elif budget and peak + grown > PEAK_LIMIT * budget:
            left_out.append(f"{name}: the worst-case peak would pass {PEAK_LIMIT:.0%} of the memory budget")
        elif len(chosen) >= limit:
            left_out.append(f"{name}: more than {limit} candidates")
        else:
            chosen.append({"name": name, "changes": changes})
    return chosen, left_out


def dropin(candidate: dict, sizing: dict) -> str:
    """The whole tuned drop-in with the candidate's changes (the tuned one is aside meanwhile)."""
    settings = {**sizing["variables"], **(sizing.get("options") or {}), **candidate["changes"]}
    changed = ", ".join(f"{name} = {value}" for name, value in candidate["changes"].items())
    return (
        HEADER
        + f"# The tuned configuration with one knob moved (candidate {candidate['name']}: {changed}).\n[mysqld]\n"
        + "".join(f"{name} = {value}\n" for name, value in settings.items())
    )


def _medians(table: dict | None, *names: str) -> dict | None:
    """The rows of ``names`` in a comparison, when every one of them has a median."""
    rows = (table or {}).get("configurations") or {}
    if all((rows.get(name) or {}).get("tps_median") for name in names):
        return {name: rows[name] for name in names}
    return None


def leaders(compared: dict) -> list[str]:
    """The candidates whose median led tuned's on some workload: the ones to confirm."""
    found = best_found(compared)
    return list(dict.fromkeys(entry["best"] for entry in found.values() if entry["best"] != "tuned"))


def best_found(compared: dict, confirmed: dict | None = None, tolerance: float = 0.97) -> dict:
    """Per workload: the configuration with the best median TPS, tuned's ratio to it, whether tuned
    is within ``tolerance`` of it, and the candidates whose every round beat tuned's best round.

    ``confirmed``: the comparison of the confirmation's rounds (tuned against the search's best,
    measured after the pick). Where it has both, the best and tuned's ratio come from those rounds
    alone; the search's own figures are kept beside them."""
    result = {}
    for workload, table in compared.items():
        rows = {name: row for name, row in table["configurations"].items() if row.get("tps_median")}
        tuned = rows.get("tuned")
        if not tuned or len(rows) < 2:
            continue
        best = max(rows, key=lambda name: rows[name]["tps_median"])
        ratio = round(tuned["tps_median"] / rows[best]["tps_median"], 3)
        beats = [
            name
            for name, row in rows.items()
            if name != "tuned" and not row["failed"] and row["tps_min"] > tuned["tps_max"]
        ]
        entry = {
            "best": best,
            "best_tps_median": rows[best]["tps_median"],
            "tuned_tps_median": tuned["tps_median"],
            "tuned_over_best": ratio,
            "search_best": best,
            "search_tuned_over_best": ratio,
            "confirmed": None,
            "beat_tuned_every_round": beats,
        }
        again = _medians((confirmed or {}).get(workload), "tuned", best) if best != "tuned" else None
        if again:
            tuned_again, best_again = again["tuned"], again[best]
            leader = best if best_again["tps_median"] > tuned_again["tps_median"] else "tuned"
            entry.update(
                best=leader,
                best_tps_median=again[leader]["tps_median"],
                tuned_tps_median=tuned_again["tps_median"],
                tuned_over_best=round(tuned_again["tps_median"] / again[leader]["tps_median"], 3),
                confirmed={
                    "candidate": best,
                    "rounds": min(tuned_again["rounds"], best_again["rounds"]),
                    "candidate_tps_median": best_again["tps_median"],
                    "tuned_tps_median": tuned_again["tps_median"],
                    "every_round": not best_again["failed"] and best_again["tps_min"] > tuned_again["tps_max"],
                },
            )
        entry["within"] = entry["tuned_over_best"] >= tolerance
        entry["tolerance"] = tolerance
        result[workload] = entry
    return result


def _confirmation_text(entry: dict) -> str:
    confirmed = entry["confirmed"]
    if entry["search_best"] == "tuned":
        return ""
    if not confirmed:
        return "; not confirmed in fresh rounds (none completed on both)"
    return (
        f"; measured again in {confirmed['rounds']} fresh rounds: {confirmed['candidate']} median "
        f"{confirmed['candidate_tps_median']:.1f} against tuned {confirmed['tuned_tps_median']:.1f}"
        + (", above tuned in every round" if confirmed["every_round"] else "")
        + f" (the search's medians said {entry['search_tuned_over_best']:.2f})"
    )


def best_line(found: dict) -> str:
    if not found:
        return "best found: no complete comparison of tuned with a candidate"
    return "; ".join(
        f"{workload} best found: {entry['best']} (median {entry['best_tps_median']:.1f} TPS), tuned/best = "
        f"{entry['tuned_over_best']:.2f} ({'within' if entry['within'] else 'BELOW'} {entry['tolerance']:g})"
        + _confirmation_text(entry)
        + (
            f"; beat tuned in every search round: {', '.join(entry['beat_tuned_every_round'])}"
            if entry["beat_tuned_every_round"]
            else ""
        )
        for workload, entry in found.items()
    )
