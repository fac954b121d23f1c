#!/usr/bin/python
"""Ansible module: a MariaDB backup streamed from a source to a new replica, host to host."""

from __future__ import annotations

DOCUMENTATION = r"""
module: backup_stream
short_description: Stream mariadb-backup from a source straight into a new replica's empty datadir
description:
  - C(receive), on the replica (run it with C(async)); listens on I(address):I(port), takes one
    connection from I(peer) only (any other is closed unread) and unpacks it with C(mbstream -x)
    into I(target), which must be empty. Returns the backup's GTID position from its
    C(mariadb_backup_binlog_info) (C(xtrabackup_binlog_info) before MariaDB 10.5).
  - C(send), on the source; runs C(mariadb-backup --backup --stream=mbstream) as root over the
    local socket and sends its output to I(address):I(port).
  - The stream is not encrypted; it crosses the members' own network, once, for the seed.
    Both ends stop after I(timeout) seconds. In check mode nothing listens, runs or is sent.
options:
  mode:
    description: Which end this host is.
    type: str
    required: true
    choices: [receive, send]
  address:
    description: The replica's address (where C(receive) listens and C(send) connects).
    type: str
    required: true
  port:
    description: The port on it.
    type: int
    required: true
  peer:
    description: With C(receive), the only address a stream is taken from (the source's).
    type: str
    default: ""
  target:
    description: With C(receive), the empty directory the backup is unpacked into.
    type: path
  socket:
    description: With C(send), the source server's socket.
    type: path
  timeout:
    description: Seconds either end waits and streams at most.
    type: int
    default: 3600
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Take the stream on the replica
  local.mysql.backup_stream:
    mode: receive
    address: 198.18.0.32
    port: 4444
    peer: 198.18.0.31
    target: /var/lib/mysql
  async: 3600
  poll: 0
  register: receiving
"""

RETURN = r"""
bytes:
  description: Bytes streamed.
  type: int
  returned: success
seconds:
  description: How long the stream took.
  type: float
  returned: success
gtid:
  description: With C(receive), the backup's GTID position (for C(gtid_slave_pos)).
  type: str
  returned: success
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.replica import backup_gtid

CHUNK = 1 << 20
POSITION_FILES = ("mariadb_backup_binlog_info", "xtrabackup_binlog_info")


def receive(module, params) -> dict:
    target = params["target"]
    if not target or (os.path.isdir(target) and os.listdir(target)):
        module.fail_json(
            msg=f"backup_stream: {target} must be an empty directory (the replica's old data goes aside first)"
        )
    unpack = shutil.which("mbstream") or module.fail_json(msg="backup_stream: mbstream is not installed")
    os.makedirs(target, exist_ok=True)
    listener = socket.create_server((params["address"], params["port"]))
    listener.settimeout(params["timeout"])
    started = time.monotonic()
    try:
        while True:
            connection, (peer, _) = listener.accept()
            if peer == params["peer"]:
                break
            connection.close()
    except TimeoutError:
        module.fail_json(msg=f"backup_stream: no stream from {params['peer']} within {params['timeout']} s")
    finally:
        listener.close()
    connection.settimeout(params["timeout"])
    received = 0
    with (
        tempfile.TemporaryFile() as log,
        subprocess.Popen([unpack, "-x", "-C", target], stdin=subprocess.PIPE, stderr=log) as child,
    ):
        while chunk := connection.recv(CHUNK):
            child.stdin.write(chunk)
            received += len(chunk)
        child.stdin.close()
        child.wait()
        log.seek(0)
        errors = log.read().decode(errors="replace")
    connection.close()
    if child.returncode:
        module.fail_json(msg=f"backup_stream: mbstream failed: {errors.strip()[-500:]}", bytes=received)
    position = next(
        (os.path.join(target, name) for name in POSITION_FILES if os.path.exists(os.path.join(target, name))), ""
    )
    if not position:
        module.fail_json(
            msg="backup_stream: the stream holds no binary-log position: not a complete backup", bytes=received
        )
    with open(position, encoding="utf-8") as handle:
        gtid = backup_gtid(handle.read())
    return {"bytes": received, "seconds": round(time.monotonic() - started, 1), "gtid": gtid}


def send(module, params) -> dict:
    backup = shutil.which("mariadb-backup") or module.fail_json(msg="backup_stream: mariadb-backup is not installed")
    command = [
        backup,
        "--backup",
        "--stream=mbstream",
        "--target-dir=/tmp",
        "--user=root",
        f"--socket={params['socket']}",
    ]
    started = time.monotonic()
    sent = 0
    # mariadb-backup logs its progress on stderr: a file, so that a full pipe never stalls it
    with (
        tempfile.TemporaryFile() as log,
        socket.create_connection((params["address"], params["port"]), timeout=params["timeout"]) as connection,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log) as child,
    ):
        while chunk := child.stdout.read(CHUNK):
            connection.sendall(chunk)
            sent += len(chunk)
        child.wait()
        log.seek(0)
        errors = log.read().decode(errors="replace")
    if child.returncode:
        module.fail_json(msg=f"backup_stream: mariadb-backup failed: {errors.strip()[-500:]}", bytes=sent)
    return {"bytes": sent, "seconds": round(time.monotonic() - started, 1), "gtid": ""}


def main():
    module = AnsibleModule(
        argument_spec={
            "mode": {"type": "str", "required": True, "choices": ["receive", "send"]},
            "address": {"type": "str", "required": True},
            "port": {"type": "int", "required": True},
            "peer": {"type": "str", "default": ""},
            "target": {"type": "path"},
            "socket": {"type": "path"},
            "timeout": {"type": "int", "default": 3600},
        },
        required_if=[("mode", "receive", ("peer", "target")), ("mode", "send", ("socket",))],
        supports_check_mode=True,
    )
    params = module.params
    if module.check_mode:
        module.exit_json(changed=True, bytes=0, seconds=0.0, gtid="")
    result = receive(module, params) if params["mode"] == "receive" else send(module, params)
    module.exit_json(changed=True, **result)


if __name__ == "__main__":
    main()
