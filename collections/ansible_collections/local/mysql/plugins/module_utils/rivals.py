"""The configurations the tuned one is compared with, besides the distribution's stock.

``dedicated`` is MySQL's own auto-sizing (``innodb_dedicated_server=ON``). It sizes from the
memory the server detects, which in a container whose cgroup it cannot see is the machine's,
not the host's budget. ``dedicated-budget`` is the fair rival then: stock plus MySQL's
documented formulas (MySQL 8.4 and later) applied to the budget the toolkit sized for.
"""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.access import SETTING_NAMES
from ansible_collections.local.mysql.plugins.module_utils.sizes import GIB, MIB

DEFAULT_POOL = 128 * MIB
REDO_MAX = 16 * GIB
HEADER = "# Written by the mysql_bench role for a comparison run and removed after it:\n"
# The configurations measured without the toolkit's drop-in, which keep its access settings.
KEEPING_ACCESS = ("stock", "dedicated", "dedicated-budget")


def dedicated_pool(memory: int) -> int:
    """innodb_dedicated_server's buffer pool: 128 MiB below 1 GiB, half up to 4 GiB, three quarters above."""
    if memory < GIB:
        return DEFAULT_POOL
    if memory <= 4 * GIB:
        return int(0.5 * memory)
    return int(0.75 * memory)


def dedicated_redo(cpus: int) -> int:
    """innodb_dedicated_server's redo capacity (MySQL 8.4+): CPUs / 2 GiB, at most 16 GiB."""
    return min(REDO_MAX, max(1, int(cpus)) * GIB // 2)


def believed_memory(pool: int) -> int | None:
    """The memory for which innodb_dedicated_server picks this pool (None when the pool is the default)."""
    if pool <= DEFAULT_POOL:
        return None
    return int(pool / 0.5) if pool <= 2 * GIB else int(pool / 0.75)


def budget_settings(memory: int, cpus: int) -> dict[str, int]:
    return {"innodb_buffer_pool_size": dedicated_pool(memory), "innodb_redo_log_capacity": dedicated_redo(cpus)}


def access_settings(sizing: dict) -> dict[str, str]:
    """The listening addresses and TLS settings of the toolkit's drop-in (as recorded in its fact),
    which every configuration keeps so that applications on other hosts still reach the server."""
    recorded = {**(sizing.get("variables") or {}), **(sizing.get("options") or {})}
    return {name: str(recorded[name]) for name in SETTING_NAMES if name in recorded}


def dropin(configuration: str, memory: int, cpus: int, access: dict[str, str]) -> str:
    """The drop-in stock and each rival add to the distribution's files ('' for tuned): the host's
    access settings, then the rival's own settings."""
    if configuration not in KEEPING_ACCESS:
        return ""
    sections = []
    if access:
        sections.append(
            "# The host's listening addresses and TLS, as the toolkit set them, so that applications\n"
            "# on other hosts reach the server during the comparison as they did before it.\n"
            + "".join(f"{name} = {value}\n" for name, value in access.items())
        )
    if configuration == "dedicated":
        sections.append("# MySQL's own auto-sizing from the memory it detects.\ninnodb_dedicated_server = ON\n")
    elif configuration == "dedicated-budget":
        settings = budget_settings(memory, cpus)
        sections.append(
            f"# innodb_dedicated_server's formulas (MySQL 8.4+) applied to the host's budget of {memory} bytes and "
            f"{cpus} CPUs:\n# pool 0.5 x memory from 1 to 4 GiB, 0.75 x above; redo CPUs / 2 GiB, at most 16 GiB.\n"
            + "".join(f"{name} = {value}\n" for name, value in settings.items())
        )
    return HEADER + "[mysqld]\n" + "".join(sections) if sections else ""


def with_budget_rival(configurations: list[str], flavor: str, mem_total: int | None, budget: int) -> tuple[list, list]:
    """The configurations with dedicated-budget added after dedicated when the server would see more
    memory than the budget; and the notes that say so."""
    if "dedicated" not in configurations or "dedicated-budget" in configurations or flavor != "mysql":
        return configurations, []
    if not mem_total or mem_total <= budget:
        return configurations, []
    at = configurations.index("dedicated") + 1
    note = (
        f"dedicated-budget added: innodb_dedicated_server reads {mem_total} bytes of memory on this host "
        f"(a cgroup limit it cannot see), more than the {budget}-byte budget; dedicated-budget applies its "
        "formulas to the budget"
    )
    return [*configurations[:at], "dedicated-budget", *configurations[at:]], [note]
