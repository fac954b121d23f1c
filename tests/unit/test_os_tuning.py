"""The mysql_os decisions (module_utils/os_tuning.py): kernel texts read one way, each value with its reason."""

from __future__ import annotations

import pytest
from ansible_collections.local.mysql.plugins.module_utils import os_tuning
from ansible_collections.local.mysql.plugins.module_utils.os_tuning import (
    HEADER,
    SYSCTL_FILE,
    THP_UNIT_FILE,
    UDEV_FILE,
    aio_max_nr,
    aio_need,
    current_choice,
    device_schedulers,
    disk_class,
    kernel_family,
    numa_interleave,
    numa_nodes,
    offered,
    plan,
    scheduler,
    somaxconn,
    swappiness,
    sysctl_text,
    sysctl_value,
    thp,
    thp_unit_text,
    udev_text,
    writable_by_mounts,
)
from hypothesis import given
from hypothesis import strategies as st

DOCKER_MOUNTINFO = (
    "1090 1011 0:67 / / rw,relatime master:452 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
    "1091 1090 0:70 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
    "1097 1090 0:72 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro\n"
    "1098 1097 0:29 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw\n"
    "1013 1091 0:70 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw\n"
)
HOST_MOUNTINFO = (
    "28 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
    "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "23 28 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
)
INPUTS = {"back_log": 151, "innodb_read_io_threads": 4, "innodb_write_io_threads": 4}


def probed(**changes) -> dict:
    """A writable one-disk host with stock settings; ``changes`` replace its parts."""
    base = {
        "sysctl": {
            "vm.swappiness": "60\n",
            "fs.aio-max-nr": "65536\n",
            "fs.aio-nr": "0\n",
            "net.core.somaxconn": "4096\n",
        },
        "thp": {"enabled": "[always] madvise never\n", "defrag": "always defer defer+madvise [madvise] never\n"},
        "devices": {"sda": {"scheduler": "[mq-deadline] none\n", "rotational": "1\n"}},
        "numa_nodes": ["node0", "online", "possible"],
        "kernel_writable": True,
        "sys_writable": True,
        "files": {},
    }
    return {**base, **changes}


# ------------------------------------------------------------------------------------- reading texts


def test_the_kernels_selector_files_are_read_for_their_bracketed_choice():
    assert current_choice("always madvise [never]\n") == "never"
    assert current_choice("always defer defer+madvise [madvise] never\n") == "madvise"
    assert current_choice("[none] mq-deadline kyber bfq\n") == "none"
    assert current_choice("none\n") is None  # dm and md devices list one choice, unbracketed
    assert current_choice(None) is None
    assert offered("mq-deadline kyber [bfq] none\n") == ["mq-deadline", "kyber", "bfq", "none"]
    assert offered(None) == []


def test_sysctl_values_and_numa_nodes():
    assert sysctl_value("65536\n") == 65536
    assert sysctl_value(None) is None and sysctl_value("") is None and sysctl_value("x\n") is None
    assert numa_nodes(["has_cpu", "node0", "node1", "online", "possible", "power"]) == 2
    assert numa_nodes([]) == 0


def test_read_only_comes_from_the_mount_holding_the_path():
    assert writable_by_mounts("/proc/sys", DOCKER_MOUNTINFO) is False
    assert writable_by_mounts("/sys", DOCKER_MOUNTINFO) is False
    assert writable_by_mounts("/sys/fs/cgroup", DOCKER_MOUNTINFO) is True
    assert writable_by_mounts("/proc", DOCKER_MOUNTINFO) is True
    # errors=remount-ro is an option of its own, not ro
    assert writable_by_mounts("/proc/sys", HOST_MOUNTINFO) is True
    assert writable_by_mounts("/", HOST_MOUNTINFO) is True
    assert writable_by_mounts("/proc/sys", "") is None and writable_by_mounts("/proc/sys", None) is None


# -------------------------------------------------------------------------------------- decisions


def test_swappiness_is_one_and_says_why_not_zero():
    value, reason = swappiness()
    assert value == 1 and "buffer pool" in reason and "OOM killer" in reason


def test_transparent_huge_pages_never_and_absent_is_not_applicable():
    assert thp("enabled", "[always] madvise never\n")[0] == "never"
    assert thp("defrag", "always defer defer+madvise [madvise] never\n")[0] == "never"
    wanted, reason = thp("enabled", None)
    assert wanted is None and reason.startswith("not applicable")


@pytest.mark.parametrize(
    ("name", "rotational", "expected"),
    [
        ("nvme0n1", "0\n", "nvme"),
        ("sda", "0\n", "ssd"),
        ("sdb", "1\n", "hdd"),
        ("vda", "1\n", "hdd"),
        ("sdc", None, None),
        *[(name, "0\n", None) for name in ("loop0", "ram0", "zram0", "dm-0", "md127", "sr0", "nbd0")],
    ],
)
def test_disk_classes(name, rotational, expected):
    assert disk_class(name, rotational) == expected


def test_kernel_families():
    names = ("sda", "sdaa", "vdb", "xvdc", "hda", "nvme0n1", "nvme10n2", "mmcblk0")
    assert [kernel_family(n) for n in names] == ["sd", "sd", "vd", "xvd", "hd", "nvme", "nvme", "mmcblk"]


def test_schedulers_by_class_only_among_those_offered():
    assert scheduler("nvme", ["none", "mq-deadline", "kyber", "bfq"])[0] == "none"
    assert scheduler("ssd", ["mq-deadline", "kyber", "bfq", "none"])[0] == "mq-deadline"
    chosen, reason = scheduler("ssd", ["none", "kyber"])
    assert chosen == "none" and "does not offer mq-deadline" in reason
    assert scheduler("hdd", ["mq-deadline", "none"])[0] == "mq-deadline"
    chosen, reason = scheduler("hdd", ["none"])
    assert chosen is None and reason.startswith("left as is")


def test_disks_of_one_class_and_family_share_a_scheduler_they_all_offer():
    devices = {
        "sda": {"scheduler": "[mq-deadline] none\n", "rotational": "0\n"},
        "sdb": {"scheduler": "[none] kyber\n", "rotational": "0\n"},  # no mq-deadline for it
        "sdc": {"scheduler": "[bfq] mq-deadline none\n", "rotational": "1\n"},
        "nvme0n1": {"scheduler": "[none] mq-deadline\n", "rotational": "0\n"},
        "dm-0": {"scheduler": "none\n", "rotational": "0\n"},
        "sdd": {"scheduler": None, "rotational": "0\n"},
    }
    disks = device_schedulers(devices)
    assert sorted(disks) == ["nvme0n1", "sda", "sdb", "sdc"]
    assert disks["sda"]["wanted"] == disks["sdb"]["wanted"] == "none"
    assert disks["sdc"]["wanted"] == "mq-deadline" and disks["sdc"]["current"] == "bfq"
    assert disks["nvme0n1"]["wanted"] == "none"


def test_aio_room_for_every_server_and_a_backup_tool():
    assert aio_need(4, 4) == 2 * 2 * 10 * 256
    assert aio_max_nr(65536, 4, 4)[0] == 65536
    assert aio_max_nr(None, 64, 64, 2)[0] == 2 * 3 * 130 * 256
    assert aio_max_nr(1 << 20, 64, 64)[0] == 1 << 20, "never lowered"


def test_somaxconn_at_least_back_log():
    assert somaxconn(4096, 151)[0] == 4096
    # the reason names the server's back_log only where it decides the value
    assert somaxconn(4096, 151)[1] == somaxconn(4096, 600)[1] and "600" not in somaxconn(4096, 600)[1]
    assert "back_log=10000" in somaxconn(4096, 10000)[1]
    assert somaxconn(4096, 10000)[0] == 10000
    assert somaxconn(128, 151)[0] == 4096
    assert somaxconn(65535, 151)[0] == 65535


def test_numa_interleave_on_more_than_one_node():
    assert numa_interleave(2)[0] is True and "innodb_numa_interleave" in numa_interleave(2)[1]
    assert numa_interleave(1)[0] is None and numa_interleave(0)[0] is None


# ------------------------------------------------------------------------------------------ files


def test_the_sysctl_drop_in_is_sorted_key_value_lines():
    text = sysctl_text({"vm.swappiness": 1, "fs.aio-max-nr": 65536})
    assert text == HEADER + "fs.aio-max-nr = 65536\nvm.swappiness = 1\n"


def test_udev_lines_match_family_and_rotational_nvme_first():
    text = udev_text({("hdd", "sd"): "mq-deadline", ("nvme", "nvme"): "none", ("ssd", "sd"): "mq-deadline"})
    lines = text.splitlines()
    assert lines[0] + "\n" == HEADER and lines[1].startswith("#")
    assert lines[2:] == [
        'ACTION=="add|change", SUBSYSTEM=="block", KERNEL=="nvme*", ATTR{queue/rotational}=="0", '
        'ATTR{queue/scheduler}="none"',
        'ACTION=="add|change", SUBSYSTEM=="block", KERNEL=="sd*", ATTR{queue/rotational}=="0", '
        'ATTR{queue/scheduler}="mq-deadline"',
        'ACTION=="add|change", SUBSYSTEM=="block", KERNEL=="sd*", ATTR{queue/rotational}=="1", '
        'ATTR{queue/scheduler}="mq-deadline"',
    ]


def test_the_thp_unit_turns_each_file_off_before_the_database_starts():
    text = thp_unit_text(["enabled", "defrag"])
    assert text.startswith(HEADER)
    assert "Type=oneshot\n" in text and "WantedBy=basic.target\n" in text and "DefaultDependencies=no\n" in text
    before = next(line for line in text.splitlines() if line.startswith("Before="))
    assert {"mysql.service", "mariadb.service"} <= set(before.split("=", 1)[1].split())
    assert "ExecStart=/bin/sh -c 'echo never > /sys/kernel/mm/transparent_hugepage/enabled'\n" in text
    assert "ExecStart=/bin/sh -c 'echo never > /sys/kernel/mm/transparent_hugepage/defrag'\n" in text
    assert "defrag" not in thp_unit_text(["enabled"])


# ------------------------------------------------------------------------------------------- plan


def test_a_stock_host_gets_every_setting_and_file():
    decided = plan(probed(), INPUTS)
    settings = decided["settings"]
    assert settings["vm.swappiness"] == {
        "current": 60,
        "wanted": 1,
        "reason": swappiness()[1],
        "applies": True,
    }
    assert settings["transparent_hugepage.enabled"]["current"] == "always"
    assert settings["scheduler.sda"]["wanted"] == "mq-deadline"
    assert settings["numa_interleave"]["applies"] is False
    assert set(decided["files"]) == {SYSCTL_FILE, UDEV_FILE, THP_UNIT_FILE}
    assert decided["write"] == sorted(decided["files"]) and decided["notices"] == []
    assert (
        decided["files"][SYSCTL_FILE]
        == HEADER + "fs.aio-max-nr = 65536\nnet.core.somaxconn = 4096\nvm.swappiness = 1\n"
    )


def test_a_read_only_proc_sys_is_named_once_and_nothing_applied():
    decided = plan(probed(kernel_writable=False), INPUTS)
    kernel = [notice for notice in decided["notices"] if "/proc/sys" in notice]
    assert len(kernel) == 1 and len(decided["notices"]) == 1
    assert not any(decided["settings"][key]["applies"] for key in os_tuning.SYSCTL_KEYS)
    assert SYSCTL_FILE in decided["files"], "written for a boot on a real host"
    assert decided["settings"]["transparent_hugepage.enabled"]["applies"] is True


def test_a_read_only_sys_leaves_thp_and_schedulers_alone():
    decided = plan(probed(sys_writable=False), INPUTS)
    assert len(decided["notices"]) == 1 and "/sys is read-only" in decided["notices"][0]
    assert not decided["settings"]["scheduler.sda"]["applies"]
    assert not decided["settings"]["transparent_hugepage.defrag"]["applies"]
    assert {UDEV_FILE, THP_UNIT_FILE} <= set(decided["files"])


def test_what_the_kernel_lacks_is_not_applicable_and_not_written():
    decided = plan(probed(sysctl={"vm.swappiness": "60\n"}, thp={}, devices={}), INPUTS)
    assert decided["settings"]["fs.aio-max-nr"] == {
        "current": None,
        "wanted": None,
        "reason": "not applicable: this kernel has no such key",
        "applies": False,
    }
    assert decided["settings"]["transparent_hugepage.enabled"]["applies"] is False
    assert set(decided["files"]) == {SYSCTL_FILE}
    assert decided["files"][SYSCTL_FILE] == HEADER + "vm.swappiness = 1\n"


def test_an_up_to_date_file_is_not_written_again():
    first = plan(probed(), INPUTS)
    present = {path: {"text": text, "mode": 0o644, "uid": 0, "gid": 0} for path, text in first["files"].items()}
    assert plan(probed(files=present), INPUTS)["write"] == []
    present[UDEV_FILE] = {**present[UDEV_FILE], "mode": 0o666}
    assert plan(probed(files=present), INPUTS)["write"] == [UDEV_FILE]


def test_aio_nearly_used_up_is_a_notice():
    decided = plan(probed(sysctl={**probed()["sysctl"], "fs.aio-nr": "65000\n"}), INPUTS)
    assert decided["notices"] == [
        "fs.aio-nr=65000: 99% of fs.aio-max-nr=65536 already in use; a server starting now may not get native AIO"
    ]


# ------------------------------------------------------------------------------------- properties

SCHEDULER_NAMES = ("none", "mq-deadline", "kyber", "bfq")


@st.composite
def scheduler_texts(draw):
    names = draw(st.lists(st.sampled_from(SCHEDULER_NAMES), min_size=1, max_size=4, unique=True))
    current = draw(st.sampled_from(names))
    return " ".join(f"[{name}]" if name == current else name for name in names) + "\n"


DEVICE_NAMES = st.sampled_from(("sda", "sdb", "vda", "xvdb", "nvme0n1", "nvme1n1", "mmcblk0", "loop0", "dm-0", "md0"))
DEVICES = st.dictionaries(
    DEVICE_NAMES,
    st.fixed_dictionaries(
        {"scheduler": st.one_of(st.none(), scheduler_texts()), "rotational": st.sampled_from(["0\n", "1\n"])}
    ),
    max_size=6,
)
SYSCTL_NUMBER = st.one_of(st.none(), st.integers(0, 1 << 22).map(lambda n: f"{n}\n"))
PROBED = st.fixed_dictionaries(
    {
        "sysctl": st.fixed_dictionaries(
            {key: SYSCTL_NUMBER for key in (*os_tuning.SYSCTL_KEYS, os_tuning.AIO_IN_USE_KEY)}
        ),
        "thp": st.fixed_dictionaries(
            {
                name: st.sampled_from([None, "[always] madvise never\n", "always madvise [never]\n"])
                for name in ("enabled", "defrag")
            }
        ),
        "devices": DEVICES,
        "numa_nodes": st.lists(st.sampled_from(["node0", "node1", "node2", "node3", "online"]), unique=True),
        "kernel_writable": st.booleans(),
        "sys_writable": st.booleans(),
        "files": st.just({}),
    }
)
INPUT_VALUES = st.fixed_dictionaries(
    {
        "back_log": st.integers(1, 65535),
        "innodb_read_io_threads": st.integers(1, 64),
        "innodb_write_io_threads": st.integers(1, 64),
        "instances": st.integers(1, 8),
    }
)


@given(current=st.one_of(st.none(), st.integers(0, 1 << 22)), back_log=st.integers(1, 1 << 20))
def test_somaxconn_is_never_below_back_log_nor_lowered(current, back_log):
    wanted, _reason = somaxconn(current, back_log)
    assert wanted >= back_log and wanted >= (current or 0) and wanted >= os_tuning.SOMAXCONN_FLOOR


@given(
    current=st.one_of(st.none(), st.integers(0, 1 << 24)),
    read=st.integers(1, 64),
    write=st.integers(1, 64),
    instances=st.integers(1, 16),
)
def test_aio_max_nr_is_never_lowered_and_holds_the_need(current, read, write, instances):
    wanted, _reason = aio_max_nr(current, read, write, instances)
    assert wanted >= (current or 0) and wanted >= 65536
    assert wanted >= instances * (read + write) * 256, "at least every server's read and write contexts"


@given(devices=DEVICES)
def test_a_chosen_scheduler_is_always_one_the_device_lists(devices):
    for name, disk in device_schedulers(devices).items():
        assert not name.startswith(os_tuning.SKIPPED_DEVICES)
        if disk["wanted"] is not None:
            assert disk["wanted"] in offered(devices[name]["scheduler"])
            assert disk["wanted"] in os_tuning.SCHEDULERS[disk["class"]]


@given(probed_host=PROBED, inputs=INPUT_VALUES)
def test_the_plan_for_any_host(probed_host, inputs):
    decided = plan(probed_host, inputs)
    assert all(text.startswith(HEADER) for text in decided["files"].values())
    assert decided["write"] == sorted(decided["files"]), "nothing was present"
    settings = decided["settings"]
    for key in os_tuning.SYSCTL_KEYS:
        assert settings[key]["applies"] == (settings[key]["current"] is not None and probed_host["kernel_writable"])
        if settings[key]["current"] is not None:
            assert settings[key]["wanted"] >= settings[key]["current"] or key == "vm.swappiness"
    for name, setting in settings.items():
        if name.startswith(("scheduler.", "transparent_hugepage.")) and setting["applies"]:
            assert probed_host["sys_writable"]
        if setting["wanted"] is None:
            assert not setting["applies"]
    kernel_notices = [notice for notice in decided["notices"] if "/proc/sys is read-only" in notice]
    pinned = any(settings[key]["current"] is not None for key in os_tuning.SYSCTL_KEYS)
    assert len(kernel_notices) == (1 if pinned and not probed_host["kernel_writable"] else 0)
    if settings["net.core.somaxconn"]["wanted"] is not None:
        assert settings["net.core.somaxconn"]["wanted"] >= inputs["back_log"]


@given(probed_host=PROBED, inputs=INPUT_VALUES)
def test_a_second_run_on_the_host_the_first_left_decides_the_same(probed_host, inputs):
    first = plan(probed_host, inputs)
    settled = dict(probed_host, sysctl=dict(probed_host["sysctl"]))
    for key in os_tuning.SYSCTL_KEYS:
        if first["settings"][key]["wanted"] is not None:
            settled["sysctl"][key] = f"{first['settings'][key]['wanted']}\n"
    present = {path: {"text": text, "mode": 0o644, "uid": 0, "gid": 0} for path, text in first["files"].items()}
    again = plan(dict(settled, files=present), inputs)
    wanted = {name: (s["wanted"], s["reason"]) for name, s in first["settings"].items()}
    assert {name: (s["wanted"], s["reason"]) for name, s in again["settings"].items()} == wanted
    assert again["files"] == first["files"] and again["write"] == []
