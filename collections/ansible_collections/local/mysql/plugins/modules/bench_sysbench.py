#!/usr/bin/python
"""Ansible module: one sysbench command, with the host sampled once a second while it runs."""

from __future__ import annotations

DOCUMENTATION = r"""
module: bench_sysbench
short_description: Run one sysbench command against the local server and sample the host meanwhile
description:
  - Connection options (socket, account, password, schema) come from I(config_file), a file
    only root can read, so the password is never on a command line. The sampler reads the
    server's status through the same account, so every connection of a load test is the
    benchmark account's, which the role's clean-up ends.
  - With I(sample), reads once a second load average, CPU busy %, the datadir disks' IOPS and
    MB/s (C(/proc/diskstats)), the server process's resident memory, its cgroup's memory, and
    the server's C(Threads_running) and InnoDB checkpoint age. The parsing is in
    C(local.mysql.bench).
  - With I(sample_account=root) the sampler connects as root over the socket instead, in the
    connection the server keeps for an administrator beyond max_connections, so that every one
    of max_connections is the load's (the memory storm).
  - With I(server_cpus) and I(client_cpus), every thread of the server's main process is pinned
    to the first set before the command starts (threads it starts later inherit it) and
    sysbench runs on the second, so that the two do not share CPUs. Each one's CPU time is
    sampled apart (per cent of one CPU).
  - The command is bounded, killed after I(timeout) seconds.
  - Changes nothing in check mode.
options:
  binary: {description: The sysbench binary., type: path, required: true}
  environment: {description: Environment for the binary (library and Lua paths)., type: dict, default: {}}
  config_file: {description: sysbench option file with the connection options., type: path, required: true}
  script: {description: Workload name or path of a Lua script., type: str, required: true}
  command: {description: sysbench command., type: str, default: run, choices: [prepare, prewarm, run, cleanup]}
  options: {description: Further sysbench options (name without dashes to value)., type: dict, default: {}}
  sample: {description: Sample the host while it runs., type: bool, default: false}
  service: {description: The server's systemd unit (its main process is sampled and pinned)., type: str}
  disks: {description: Whole disks under the datadir., type: list, elements: str, default: []}
  sample_account:
    description: The account the sampler reads the server's status with.
    type: str
    default: benchmark
    choices: [benchmark, root]
  timeout: {description: Seconds after which sysbench is killed., type: int, required: true}
  server_cpus:
    description: CPUs the server's threads are pinned to (empty leaves them).
    type: list
    elements: int
    default: []
  client_cpus: {description: CPUs sysbench runs on (empty for any)., type: list, elements: int, default: []}
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Measure oltp_read_write
  local.mysql.bench_sysbench:
    binary: "{{ client.binary }}"
    environment: "{{ client.environment }}"
    config_file: /var/tmp/mysql-bench/connection.cfg
    script: oltp_read_write
    options: {tables: 8, table-size: 100000, threads: 10, time: 60, report-interval: 1, histogram: "on"}
    sample: true
    service: mysql
    disks: [vda]
    timeout: 120
"""

RETURN = r"""
output: {description: What sysbench printed., type: str, returned: always}
rc: {description: sysbench's exit code., type: int, returned: always}
command: {description: The command line run (in check mode, the one that would run)., type: list, returned: success}
samples: {description: One dict a second (local.mysql.bench_readings.sample)., type: list, returned: always}
variables: {description: SHOW GLOBAL VARIABLES when the run started., type: dict, returned: always}
started: {description: When the command started (seconds since the epoch)., type: float, returned: always}
server_pid: {description: The server's main process before and after the command., type: dict, returned: always}
"""

import os
import subprocess
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.bench_readings import (
    checkpoint_age,
    cpu_times,
    disk_counters,
    parse_loadavg,
    process_cpu_ticks,
    process_memory,
    sample,
    sysbench_options,
)
from ansible_collections.local.mysql.plugins.module_utils.host import FileSystem, cgroup_memory_usage, pin_threads
from ansible_collections.local.mysql.plugins.module_utils.live import global_variables, pymysql

STATUS = ("Threads_running", "Innodb_redo_log_current_lsn", "Innodb_redo_log_checkpoint_lsn", "Innodb_checkpoint_age")


def read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def main_pid(module):
    """The server's main process (None without a service or when it is not running)."""
    if not module.params["service"]:
        return None
    rc, out, _err = module.run_command(
        ["systemctl", "show", "--property", "MainPID", "--value", module.params["service"]]
    )
    return out.strip() if rc == 0 and out.strip() not in ("", "0") else None


class Reader:
    """Raw readings of the host and the server."""

    def __init__(self, module):
        self.module = module
        self.disks = module.params["disks"]
        self.fs = FileSystem()
        self.cursor = None
        self.pid = self.main_pid()
        self.options = sysbench_options(read(module.params["config_file"]))
        # root takes the connection the server keeps for an administrator beyond max_connections
        # only once the load holds all the others: it connects after sysbench's threads started
        self.as_root = module.params["sample_account"] == "root"
        if not self.as_root:
            self.connect()

    def connect(self):
        if pymysql is None:
            return
        if self.as_root:
            account = {"user": "root"}
        else:
            account = {"user": self.options.get("mysql-user"), "password": self.options.get("mysql-password", "")}
        try:
            # bounded, so that a stalled server cannot hold the loop that enforces the time limit
            self.cursor = pymysql.connect(
                unix_socket=self.options.get("mysql-socket"),
                autocommit=True,
                connect_timeout=5,
                read_timeout=5,
                write_timeout=5,
                **account,
            ).cursor()
        except pymysql.MySQLError:
            self.cursor = None  # the run goes on; the server's figures are then missing

    def main_pid(self):
        return main_pid(self.module)

    def variables(self):
        try:
            return global_variables(self.cursor) if self.cursor else {}
        except pymysql.MySQLError:
            return {}

    def status(self):
        if not self.cursor:
            return {}, None
        placeholders = ", ".join(["%s"] * len(STATUS))
        try:
            self.cursor.execute(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({placeholders})", STATUS)
            values = dict(self.cursor.fetchall())
        except pymysql.MySQLError:
            return {}, None  # a server too busy to answer in 5 s: this second's figures are missing
        engine = None
        if "Innodb_redo_log_current_lsn" not in values and "Innodb_checkpoint_age" not in values:
            try:
                self.cursor.execute("SHOW ENGINE INNODB STATUS")
                engine = self.cursor.fetchone()[2]
            except pymysql.MySQLError:
                engine = None  # needs PROCESS, which the benchmark account does not have
        return values, engine

    def reading(self, started, client_pid=None):
        status, engine = self.status()
        memory = process_memory(read(f"/proc/{self.pid}/status")) if self.pid else {"rss": None, "hwm": None}
        cgroup = cgroup_memory_usage(self.fs, self.pid) if self.pid else {"usage": None, "limit": None}
        threads = status.get("Threads_running")
        return {
            "t": time.monotonic() - started,
            "load1": parse_loadavg(read("/proc/loadavg")),
            "cpu": cpu_times(read("/proc/stat")),
            "disk": disk_counters(read("/proc/diskstats"), self.disks),
            "server_rss": memory["rss"],
            "server_hwm": memory["hwm"],
            "cgroup_memory": cgroup["usage"],
            "cgroup_limit": cgroup["limit"],
            "threads_running": int(threads) if threads is not None else None,
            "checkpoint_age": checkpoint_age(status, engine),
            "server_ticks": process_cpu_ticks(read(f"/proc/{self.pid}/stat")) if self.pid else None,
            "client_ticks": process_cpu_ticks(read(f"/proc/{client_pid}/stat")) if client_pid else None,
            "hz": os.sysconf("SC_CLK_TCK"),
        }


def threads_started(output) -> bool:
    """Has sysbench connected every thread? (It prints this once all of them are running.)"""
    output.flush()
    with open(output.name, encoding="utf-8", errors="replace") as handle:
        return "Threads started!" in handle.read()


def argv(params):
    options = [f"--{name}={value}" for name, value in sorted(params["options"].items())]
    return [params["binary"], f"--config-file={params['config_file']}", params["script"], *options, params["command"]]


def main():
    module = AnsibleModule(
        argument_spec={
            "binary": {"type": "path", "required": True},
            "environment": {"type": "dict", "default": {}},
            "config_file": {"type": "path", "required": True},
            "script": {"type": "str", "required": True},
            "command": {"type": "str", "default": "run", "choices": ["prepare", "prewarm", "run", "cleanup"]},
            "options": {"type": "dict", "default": {}},
            "sample": {"type": "bool", "default": False},
            "service": {"type": "str"},
            "disks": {"type": "list", "elements": "str", "default": []},
            "timeout": {"type": "int", "required": True},
            "sample_account": {"type": "str", "default": "benchmark", "choices": ["benchmark", "root"]},
            "server_cpus": {"type": "list", "elements": "int", "default": []},
            "client_cpus": {"type": "list", "elements": "int", "default": []},
        },
        supports_check_mode=True,
    )
    command = argv(module.params)
    if module.check_mode:
        module.exit_json(changed=True, output="", rc=0, samples=[], variables={}, command=command)
    reader = Reader(module) if module.params["sample"] else None
    variables = reader.variables() if reader else {}
    env = {**os.environ, **{key: str(value) for key, value in module.params["environment"].items()}}
    samples = []
    wall_started = time.time()
    server_cpus, client_cpus = module.params["server_cpus"], module.params["client_cpus"]
    server_pid = reader.pid if reader else main_pid(module)
    if server_cpus and server_pid:
        try:
            pin_threads(server_pid, server_cpus)
        except OSError as error:
            module.fail_json(msg=f"cannot pin the server's threads to CPUs {server_cpus}: {error}")
    with tempfile.NamedTemporaryFile(mode="w+", encoding="utf-8") as output:
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd="/",
            preexec_fn=(lambda: os.sched_setaffinity(0, client_cpus)) if client_cpus else None,
        )
        previous = reader.reading(started, process.pid) if reader else None
        deadline = started + module.params["timeout"]
        failure = None
        while process.poll() is None:
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                failure = f"sysbench ran past {module.params['timeout']} s and was stopped"
                break
            time.sleep(1.0 - (time.monotonic() - started) % 1.0)
            if reader and reader.cursor is None and reader.as_root and threads_started(output):
                reader.connect()
                variables = reader.variables()
            if reader and process.poll() is None:  # a reading after the end would show an idle host
                current = reader.reading(started, process.pid)
                samples.append(sample(previous, current))
                previous = current
        output.seek(0)
        text = output.read()
    if not failure and process.returncode != 0:
        failure = f"sysbench {module.params['command']} failed (exit {process.returncode})"
    # a failed run keeps what was measured up to its end: the report shows it as failed
    result = {
        "output": text,
        "rc": process.returncode,
        "samples": samples,
        "variables": variables,
        "command": command,
        "started": wall_started,
        "server_pid": {"before": server_pid, "after": reader.main_pid() if reader else None},
    }
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(changed=True, **result)


if __name__ == "__main__":
    main()
