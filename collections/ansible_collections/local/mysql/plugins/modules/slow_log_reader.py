#!/usr/bin/python
"""Ansible module: pt-query-digest from the distribution's percona-toolkit, unpacked into a private directory."""

from __future__ import annotations

DOCUMENTATION = r"""
module: slow_log_reader
short_description: Unpack the distribution's pt-query-digest into a private directory for the query report
description:
  - Where performance_schema is off the query report reads the slow log through pt-query-digest.
    Debian's percona-toolkit package depends on Perl's MySQL driver, whose libmariadb3 cannot be
    installed beside MySQL's server (apt would remove the server), and reading a log needs none of
    it. So the package alone is downloaded with C(apt-get download) and unpacked with
    C(dpkg-deb -x) under I(path); the host's package database is not touched. The host's own Perl
    (which MySQL's and MariaDB's server packages depend on) runs it; the module checks that it does.
  - I(state=absent) removes the directory.
options:
  path:
    description: Private directory; created, and removed with I(state=absent).
    type: path
    required: true
  state:
    description: Whether the reader is there.
    type: str
    default: present
    choices: [present, absent]
  package:
    description: The package that holds pt-query-digest.
    type: str
    default: percona-toolkit
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Unpack pt-query-digest
  local.mysql.slow_log_reader:
    path: /usr/local/lib/mysql-toolkit/percona-toolkit
"""

RETURN = r"""
tool: {description: The pt-query-digest script, type: str, returned: state=present}
version: {description: What it says of its version, type: str, returned: state=present and not check mode}
"""

import os
import shutil

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.slow_log import reader_tool
from ansible_collections.local.mysql.plugins.module_utils.unpack import Unpacker, argument_spec, exit_if_absent


def version(module, tool: str) -> tuple[int, str]:
    rc, out, err = module.run_command(["perl", tool, "--version"])
    return rc, (out or err).strip()


def main():
    module = AnsibleModule(argument_spec=argument_spec("percona-toolkit"), supports_check_mode=True)
    exit_if_absent(module)
    path = module.params["path"]
    tool = reader_tool(path)
    if os.path.exists(tool):
        rc, said = version(module, tool)
        if rc == 0:
            module.exit_json(changed=False, tool=tool, version=said)
    if module.check_mode:
        module.exit_json(changed=True, tool=tool)
    unpacker = Unpacker(module, path)
    for missing in unpacker.missing_tools():
        module.fail_json(msg=f"{missing} is missing: unpacking pt-query-digest is implemented for Debian-family hosts")
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    unpacker.fetch(module.params["package"], dependencies=False)
    unpacker.unpack()
    shutil.rmtree(unpacker.debs)
    rc, said = version(module, tool)
    if rc != 0 or not os.path.exists(tool):
        module.fail_json(msg=f"the unpacked {tool} does not run with the host's perl: {said}")
    module.exit_json(changed=True, tool=tool, version=said)


if __name__ == "__main__":
    main()
