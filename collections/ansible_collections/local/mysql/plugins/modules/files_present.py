#!/usr/bin/python
"""Ansible module: write a role's set of files in one call."""

DOCUMENTATION = r"""
module: files_present
short_description: Write each listed file whose content, owner or mode differs
description:
  - One call for a role's whole set of units, scripts and rules, where a loop of
    C(ansible.builtin.template) or C(ansible.builtin.copy) costs a round trip (or three) per file
    on every host, on every run.
  - Each file is written through a temporary one in its directory, validated where asked and moved
    into place; a missing parent directory is made (0755). Supports check mode and diff; check
    mode validates nothing, since the validating tool may not be installed yet.
options:
  files:
    description: The files, each {path, content, mode (octal string, default 0644), owner and group
      (default root), validate (a command run on the new content, C(%s) its path, before it is moved in)}.
    type: list
    elements: dict
    required: true
author: MySQL tuning toolkit contributors
"""

EXAMPLES = r"""
- name: Install the service and its timer
  local.mysql.files_present:
    files:
      - path: /etc/systemd/system/mysql-backup.service
        content: "{{ lookup('ansible.builtin.template', 'mysql-backup.service.j2') }}"
      - path: /usr/local/sbin/mysql-backup
        content: "{{ lookup('ansible.builtin.file', 'mysql-backup', rstrip=false) }}"
        mode: "0755"
"""

RETURN = r"""
changed_paths:
  description: The files written (or that would be, in check mode), in the order given.
  type: list
  elements: str
  returned: success
"""

import grp
import os
import pwd
import shlex
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule


def wanted(entry: dict) -> dict:
    mode = entry.get("mode", "0644")
    return {
        "path": entry["path"],
        "content": entry["content"].encode(),
        "mode": int(mode, 8) if isinstance(mode, str) else int(mode),
        "uid": pwd.getpwnam(entry.get("owner", "root")).pw_uid,
        "gid": grp.getgrnam(entry.get("group", "root")).gr_gid,
        "validate": entry.get("validate"),
    }


def current(path: str) -> dict | None:
    """The file as it is: content, mode, uid, gid; None where there is none."""
    if not os.path.lexists(path):
        return None
    found = os.lstat(path)
    if not stat.S_ISREG(found.st_mode):
        raise ValueError(f"{path} exists and is not a regular file")
    with open(path, "rb") as handle:
        content = handle.read()
    return {"content": content, "mode": stat.S_IMODE(found.st_mode), "uid": found.st_uid, "gid": found.st_gid}


def write(module: AnsibleModule, file: dict) -> None:
    """Through a temporary file beside it, validated before it is moved in."""
    directory = os.path.dirname(file["path"])
    os.makedirs(directory, mode=0o755, exist_ok=True)
    handle, candidate = tempfile.mkstemp(prefix=".files-present-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(file["content"])
        if file["validate"]:
            rc, out, err = module.run_command(shlex.split(file["validate"].replace("%s", shlex.quote(candidate))))
            if rc != 0:
                module.fail_json(
                    msg=f"{file['path']}: the new content fails {file['validate']!r}: {(err or out).strip()}"
                )
        os.chown(candidate, file["uid"], file["gid"])
        os.chmod(candidate, file["mode"])
        os.replace(candidate, file["path"])
    finally:
        if os.path.exists(candidate):
            os.unlink(candidate)


def diff_of(path: str, before: dict | None, after: dict) -> dict:
    def shown(state):
        if state is None:
            return ""
        header = f"# mode {state['mode']:04o}, uid {state['uid']}, gid {state['gid']}\n"
        return header + state["content"].decode(errors="replace")

    return {"before_header": path, "after_header": path, "before": shown(before), "after": shown(after)}


def main():
    module = AnsibleModule(
        argument_spec={"files": {"type": "list", "elements": "dict", "required": True}},
        supports_check_mode=True,
    )
    changed_paths, diffs = [], []
    for entry in module.params["files"]:
        try:
            file = wanted(entry)
            before = current(file["path"])
        except (KeyError, ValueError) as error:
            module.fail_json(msg=f"files_present: {entry.get('path')}: {error}")
        after = {key: file[key] for key in ("content", "mode", "uid", "gid")}
        if before == after:
            continue
        changed_paths.append(file["path"])
        diffs.append(diff_of(file["path"], before, after))
        if not module.check_mode:
            write(module, file)
    module.exit_json(changed=bool(changed_paths), changed_paths=changed_paths, diff=diffs)


if __name__ == "__main__":
    main()
