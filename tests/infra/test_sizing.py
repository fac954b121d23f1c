"""The drop-in, the live server and the fact file agree (issue 3)."""

from __future__ import annotations

from conftest import read_dropin, same


def test_fact_file_has_host_and_sizing(server, facts):
    assert {"host", "sizing"} <= set(facts)
    for key in ("memory", "cpus", "disk", "filesystem", "datadir", "tmpdir"):
        assert key in facts["host"], key
    # one datadir: the disk probed (and measured by fio) is under the running server's own
    assert facts["host"]["datadir"]["value"].rstrip("/") == server.scalar("SELECT @@datadir").rstrip("/")


def test_dropin_holds_exactly_the_recorded_values(server, facts):
    dropin = server.host.file(facts["sizing"]["dropin"])
    # who may read it: mysql_server_hardening_file_modes, as mysql_server recorded it
    wanted = facts["sizing"]["server"]["hardening"]["config_file"]
    assert dropin.exists and (dropin.user, dropin.group) == (wanted["owner"], wanted["group"])
    assert dropin.mode == int(wanted["mode"], 8)
    rendered = read_dropin(dropin.content_string)
    recorded = {**facts["sizing"]["variables"], **facts["sizing"].get("options", {})}
    assert set(rendered) == set(recorded)
    for name, value in recorded.items():
        assert same(str(value), rendered[name]), f"{name}: file {rendered[name]}, fact {value}"


def test_live_server_holds_every_rendered_value(server, facts):
    rendered = read_dropin(server.host.file(facts["sizing"]["dropin"]).content_string)
    live = server.variables()
    # start-up options (MySQL's X plugin) have no variable: test_access checks what they do
    variables = {name: value for name, value in rendered.items() if name not in facts["sizing"].get("options", {})}
    wrong = {name: (value, live.get(name)) for name, value in variables.items() if not same(value, live.get(name, ""))}
    assert not wrong, f"file vs live: {wrong}"


def test_every_value_is_explained_in_file_and_fact(server, facts):
    text = server.host.file(facts["sizing"]["dropin"]).content_string.splitlines()
    explain = facts["sizing"]["explain"]
    for number, line in enumerate(text):
        if "=" in line and not line.startswith("#"):
            name = line.split("=", 1)[0].strip()
            assert text[number - 1].startswith("# "), f"{name} has no comment above it"
            assert explain[name]["formula"], f"{name} has no formula in the fact file"
    assert text[0].startswith("#") and "Ansible managed" in "\n".join(text[:4])


def test_sizing_used_what_the_host_detection_found(server, facts):
    host, inputs = facts["host"], facts["sizing"]["inputs"]
    assert inputs["memory"] == host["memory"]["value"]
    assert inputs["cpus"] == host["cpus"]["value"]
    assert inputs["disk"] == host["disk"]["value"]
    assert inputs["flavor"] == server.flavor
    assert server.scalar("SELECT VERSION()").startswith(inputs["version"])


def test_worst_case_memory_from_live_values_fits_the_budget(server, facts):
    """The buffers the live server holds, counted as its allocators hold them: MySQL's internal
    temporary tables share one TempTable pool, MariaDB's are one per connection."""
    live = {name: int(value) for name, value in server.variables().items() if value.isdigit()}
    per_thread = (
        live["sort_buffer_size"] + live["join_buffer_size"] + live["read_buffer_size"] + live["read_rnd_buffer_size"]
        + live["thread_stack"] + live["binlog_cache_size"]
    )  # fmt: skip
    global_buffers = live["innodb_buffer_pool_size"] + live["innodb_log_buffer_size"] + live["key_buffer_size"]
    if server.flavor == "mysql":
        global_buffers += live["temptable_max_ram"]
        assert live.get("temptable_max_mmap", 0) == 0  # nothing beyond temptable_max_ram in memory
    else:
        per_thread += min(live["tmp_table_size"], live["max_heap_table_size"])  # at least once
        global_buffers += live["aria_pagecache_buffer_size"]
    peak = global_buffers + live["max_connections"] * per_thread
    assert peak <= 0.9 * facts["sizing"]["memory_budget"]
    assert facts["sizing"]["peak_memory"] >= peak  # the recorded figure counts more, never less


def test_buffer_pool_kept_as_written(server, facts):
    recorded = facts["sizing"]["variables"]
    live = server.variables()
    assert int(live["innodb_buffer_pool_size"]) == recorded["innodb_buffer_pool_size"]
    if server.flavor == "mysql":
        unit = int(live["innodb_buffer_pool_chunk_size"]) * int(live["innodb_buffer_pool_instances"])
        assert int(live["innodb_buffer_pool_size"]) % unit == 0
