"""A distribution package unpacked into a private directory, the host's package database untouched.

Used by the modules that need a tool whose package cannot, or should not, be installed beside
the database server: sysbench (its libmariadb3 conflicts with MySQL's server) and pt-query-digest
(percona-toolkit's Perl drivers pull in the same library). ``apt-get download`` fetches each
package file, ``dpkg-deb -x`` unpacks it under ``root``. Debian-family hosts only.
"""

from __future__ import annotations

import glob
import os
import shutil

from ansible_collections.local.mysql.plugins.module_utils.bench import parse_depends, unmet

TOOLS = ("apt-get", "dpkg-deb", "dpkg-query")


class Unpacker:
    def __init__(self, module, path):
        self.module = module
        self.debs = os.path.join(path, "debs")
        self.root = os.path.join(path, "root")
        self.fetched = {}

    def missing_tools(self) -> list[str]:
        return [tool for tool in TOOLS if not self.module.get_bin_path(tool)]

    def installed(self, name):
        rc, out, _err = self.module.run_command(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", name])
        return rc == 0 and out.startswith("ii")

    def download(self, name):
        rc, _out, err = self.module.run_command(["apt-get", "download", name], cwd=self.debs)
        files = glob.glob(os.path.join(self.debs, f"{name}_*.deb"))
        return files[0] if rc == 0 and files else None, err.strip()

    def fetch(self, package, dependencies=True):
        """The package and, with ``dependencies``, each one it needs that the host lacks."""
        os.makedirs(self.debs, mode=0o700, exist_ok=True)
        queue = [[package]]
        while queue:
            group = queue.pop(0)
            if any(name in self.fetched for name in group):
                continue
            errors = []
            for name in group:
                deb, error = self.download(name)
                if deb:
                    self.fetched[name] = deb
                    break
                errors.append(f"{name}: {error}")
            else:
                self.module.fail_json(msg=f"cannot download {' | '.join(group)} for {package}: {'; '.join(errors)}")
            if not dependencies:
                return
            rc, out, err = self.module.run_command(["dpkg-deb", "-f", self.fetched[name], "Pre-Depends", "Depends"])
            if rc != 0:
                self.module.fail_json(msg=f"dpkg-deb cannot read {self.fetched[name]}: {err}")
            fields = " , ".join(line.partition(":")[2] for line in out.splitlines())
            queue.extend(unmet(parse_depends(fields), lambda n: n in self.fetched or self.installed(n)))

    def unpack(self):
        for deb in self.fetched.values():
            rc, _out, err = self.module.run_command(["dpkg-deb", "-x", deb, self.root])
            if rc != 0:
                self.module.fail_json(msg=f"dpkg-deb cannot unpack {deb}: {err}")


def argument_spec(package: str) -> dict:
    """The options every unpacking module takes: its private directory, whether the tool is there,
    and the package that holds it."""
    return {
        "path": {"type": "path", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "package": {"type": "str", "default": package},
    }


def exit_if_absent(module) -> None:
    """With state=absent, remove the private directory (in check mode, say it would) and exit."""
    if module.params["state"] != "absent":
        return
    path = module.params["path"]
    changed = os.path.exists(path)
    if changed and not module.check_mode:
        shutil.rmtree(path)
    module.exit_json(changed=changed)
