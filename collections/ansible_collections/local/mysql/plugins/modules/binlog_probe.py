#!/usr/bin/python
"""Ansible module: whether the server writes binary logs, and how fast."""

from __future__ import annotations

DOCUMENTATION = r"""
module: binlog_probe
short_description: Read whether binary logging is on and the binary logs the server holds
description:
  - Asks the running server for C(log_bin), C(log_bin_index) and C(datadir), then stats every
    file the index lists. Changes nothing; safe in check mode.
  - The sizing turns the bytes written over the span into a daily rate and the retention that
    fits the datadir's free space (C(local.mysql.sizing.binlog_retention)).
options:
  socket:
    description: The server's socket.
    type: path
    required: true
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Read the binary logs
  local.mysql.binlog_probe:
    socket: /run/mysqld/mysqld.sock
  register: binlog
"""

RETURN = r"""
enabled: {description: Whether the server writes binary logs, type: bool, returned: success}
files: {description: Binary log files the index lists and that exist, type: int, returned: success}
bytes: {description: Their total size, type: int, returned: success}
written: {description: Bytes written after the oldest file was closed, type: int, returned: success}
span: {description: Seconds since the oldest file was closed, type: int, returned: success}
basename:
  description: The files' path without suffix (log_bin_basename), empty when binary logging is off.
  type: str
  returned: success
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.binlog import history, index_paths
from ansible_collections.local.mysql.plugins.module_utils.live import connect_or_fail, pymysql


def main():
    module = AnsibleModule(argument_spec={"socket": {"type": "path", "required": True}}, supports_check_mode=True)
    connection = connect_or_fail(module, module.params["socket"])
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT @@log_bin, @@log_bin_index, @@datadir")
        log_bin, index_file, datadir = cursor.fetchone()
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"cannot read the binary-log variables: {error}")
    finally:
        connection.close()
    if not int(log_bin) or not index_file:
        module.exit_json(changed=False, enabled=False, basename="", **history([], time.time()))
    index_path = os.path.join(datadir, index_file)
    try:
        with open(index_path, encoding="utf-8") as handle:
            paths = index_paths(handle.read(), datadir)
    except OSError as error:
        module.fail_json(msg=f"cannot read the binary-log index {index_path}: {error}")
    files = []
    for path in paths:
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            continue  # purged between reading the index and this stat
        files.append((stat.st_size, stat.st_mtime))
    # the files' common name without suffix (log_bin_basename), which a new log_bin must keep
    basename = index_path[: -len(".index")] if index_path.endswith(".index") else ""
    module.exit_json(changed=False, enabled=True, basename=basename, **history(files, time.time()))


if __name__ == "__main__":
    main()
