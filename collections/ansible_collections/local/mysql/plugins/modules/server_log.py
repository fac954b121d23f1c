#!/usr/bin/python
"""Ansible module: mark where the server's logs end before a restart, then read that start's errors."""

from __future__ import annotations

DOCUMENTATION = r"""
module: server_log
short_description: Mark the server's logs before a restart; afterwards, the error lines that start wrote
description:
  - Without I(since), returns a mark of where the server's logs end now (the journal's cursor
    for its unit, the size of each error-log file), for the task that restarts the server.
  - With I(since), reads only what the journal and the error-log files got after that mark and
    returns that start's error lines, the one that gives the reason first (see
    C(module_utils/serverconfig.py)), so a failed start is never reported with an older one's.
  - Changes nothing; runs in check mode.
options:
  service:
    description: The server's systemd unit.
    type: str
    required: true
  log_files:
    description: The error-log files the server may write (a missing one is read as empty).
    type: list
    elements: path
    default: []
  since:
    description: A mark this module returned before the restart.
    type: dict
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Mark the logs
  local.mysql.server_log:
    service: mysql
    log_files: [/var/log/mysql/error.log]
  register: mark

- name: Read what the start said
  local.mysql.server_log:
    service: mysql
    log_files: [/var/log/mysql/error.log]
    since: "{{ mark.mark }}"
  register: start
"""

RETURN = r"""
mark: {description: "Where the logs end now: journal cursor, error-log sizes", type: dict, returned: success}
errors: {description: The error lines written since I(since), the reason first, type: list, returned: with since}
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.serverconfig import start_errors

CURSOR_PREFIX = "-- cursor: "


def journal_cursor(module, service: str) -> str:
    rc, out, _ = module.run_command(["journalctl", "--unit", service, "--lines", "0", "--show-cursor", "--no-pager"])
    lines = [line for line in out.splitlines() if line.startswith(CURSOR_PREFIX)]
    return lines[-1][len(CURSOR_PREFIX) :] if rc == 0 and lines else ""


def journal_since(module, service: str, cursor: str) -> str:
    command = ["journalctl", "--unit", service, "--no-pager", "--output", "cat"]
    command += ["--after-cursor", cursor] if cursor else ["--since", "-10min"]
    rc, out, _ = module.run_command(command, environ_update={"LC_ALL": "C"})
    return out if rc == 0 else ""


def file_since(path: str, offset: int) -> str:
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size < offset:
                offset = 0  # rotated since the mark: all of it is new
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def main():
    module = AnsibleModule(
        argument_spec={
            "service": {"type": "str", "required": True},
            "log_files": {"type": "list", "elements": "path", "default": []},
            "since": {"type": "dict"},
        },
        supports_check_mode=True,
    )
    service, files = module.params["service"], module.params["log_files"]
    mark = {
        "cursor": journal_cursor(module, service),
        "offsets": {path: os.path.getsize(path) if os.path.exists(path) else 0 for path in files},
    }
    since = module.params["since"]
    if since is None:
        module.exit_json(changed=False, mark=mark)
    text = journal_since(module, service, since.get("cursor", ""))
    for path in files:
        text += "\n" + file_since(path, int(since.get("offsets", {}).get(path, 0)))
    module.exit_json(changed=False, mark=mark, errors=start_errors(text))


if __name__ == "__main__":
    main()
