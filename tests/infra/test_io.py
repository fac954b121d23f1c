"""The datadir's disk was measured once and innodb_io_capacity follows it (issue 5)."""

from __future__ import annotations

import os
from datetime import datetime

import pytest


def test_io_section_is_a_real_measurement_or_says_why_not(facts):
    io = facts["io"]
    assert io["device"] == facts["host"]["datadir"]["inputs"]["device"]
    assert io["filesystem"] == facts["host"]["filesystem"]["value"]
    if io["iops"] is None:
        assert io["fallback"], "no IOPS and no reason"
        return
    assert io["iops"] > 0 and io["p99_write_latency_us"] > 0
    assert io["fio_version"].startswith("fio-3")
    parameters = io["parameters"]
    assert (parameters["rw"], parameters["bs"], parameters["direct"], parameters["ioengine"]) == (
        "randwrite", "16k", 1, "libaio")  # fmt: skip
    datetime.fromisoformat(io["measured_at"])


def test_io_capacity_follows_the_measurement(server, facts):
    io, sizing = facts["io"], facts["sizing"]
    capacity = int(server.scalar("SELECT @@innodb_io_capacity"))
    maximum = int(server.scalar("SELECT @@innodb_io_capacity_max"))
    assert sizing["inputs"]["iops"] == io["iops"]
    assert (capacity, maximum) == (
        sizing["variables"]["innodb_io_capacity"],
        sizing["variables"]["innodb_io_capacity_max"],
    )
    assert capacity <= maximum
    if io["iops"] is None:
        assert "default" in sizing["explain"]["innodb_io_capacity"]["formula"]
    elif io["iops"] >= 200:
        assert capacity < io["iops"], "capacity must stay below what the disk did"
        assert maximum <= io["iops"]


def test_disk_class_follows_the_measurement(server, facts):
    io, disk_class = facts["io"], facts["sizing"]["disk_class"]
    assert disk_class["reported"] == facts["host"]["disk"]["value"]
    if io["iops"] is not None and io["iops"] >= 1000:
        # no spinning disk sustains a thousand random 16 KiB writes a second
        assert disk_class["value"] != "hdd"
        if disk_class["reported"] == "hdd":
            assert "overruled" in disk_class["reason"]
    elif io["iops"] is None:
        assert disk_class["value"] == disk_class["reported"]
    neighbours = int(server.scalar("SELECT @@innodb_flush_neighbors"))
    assert neighbours == (1 if disk_class["value"] == "hdd" else 0)


def test_measurement_predates_the_dropin_it_produced(server, facts):
    if facts["io"]["iops"] is None:
        pytest.skip("no measurement on this host (fallback)")
    measured = datetime.fromisoformat(facts["io"]["measured_at"]).timestamp()
    dropin = server.host.file(facts["sizing"]["dropin"])
    assert measured <= dropin.mtime.timestamp() + 1, "fio ran again after the drop-in was written"


def test_no_probe_files_are_left_behind(server, facts):
    datadir = facts["host"]["datadir"]["value"]
    for directory in (os.path.dirname(datadir), datadir):
        listing = server.host.check_output("ls -a %s", directory).split()
        assert not [name for name in listing if name.startswith(".mysql-io-probe")], directory


def test_tmpfs_datadir_fell_back(server, facts):
    if facts["host"]["filesystem"]["value"] != "tmpfs":
        pytest.skip("the datadir is not on tmpfs here")
    assert facts["io"]["iops"] is None
    assert "tmpfs" in facts["io"]["fallback"]
    assert server.service.is_running
