"""Which database server a host runs or should run: pure functions, no I/O.

The roles call them through the ``server_probe`` module; the unit tests call them
directly. A flavor is ``mysql`` or ``mariadb``.
"""

from __future__ import annotations

import re

FLAVORS = ("mysql", "mariadb")
# How a message names each flavor.
FLAVOR_NAMES = {"mysql": "MySQL", "mariadb": "MariaDB"}
SERVER_BINARIES = ("mariadbd", "mysqld")
SBIN = ["/usr/sbin", "/usr/libexec", "/usr/local/sbin"]

_VERSION = re.compile(r"\bVer\s+(?P<version>\d+\.\d+\.\d+)(?P<suffix>[-\w.+~]*)")
_DISTRIB = re.compile(r"\b(?P<version>\d+\.\d+\.\d+)-MariaDB\b")


class FlavorError(ValueError):
    """The flavor cannot be decided; the message says which variable to set."""


def parse_server_version(text: str) -> tuple[str, str] | None:
    """Flavor and X.Y.Z version from ``mysqld --version`` / ``mariadbd --version``.

    MySQL prints ``/usr/sbin/mysqld  Ver 9.7.0 for Linux on x86_64 (MySQL Community Server - GPL)``;
    MariaDB prints ``mariadbd  Ver 11.8.6-MariaDB-0+deb13u1 for debian-linux-gnu``.
    Returns ``None`` when the text is not a server version line.
    """
    match = _VERSION.search(text)
    if match is None:
        match = _DISTRIB.search(text)
        if match is None:
            return None
        return "mariadb", match.group("version")
    flavor = "mariadb" if "mariadb" in text.lower() else "mysql"
    return flavor, match.group("version")


def parse_apt_policy(text: str) -> dict[str, str]:
    """Package name → candidate version from ``apt-cache policy PKG...``.

    Packages with ``Candidate: (none)`` or unknown to apt are left out.
    """
    candidates: dict[str, str] = {}
    package = None
    for line in text.splitlines():
        if line and not line[0].isspace() and line.rstrip().endswith(":"):
            package = line.rstrip()[:-1]
        elif package and line.strip().startswith("Candidate:"):
            version = line.split(":", 1)[1].strip()
            if version and version != "(none)":
                candidates[package] = version
    return candidates


def choose_flavor(
    requested: str,
    installed: str | None,
    available: dict[str, bool],
    preference: list[str],
) -> str:
    """Decide the flavor to manage.

    ``requested`` is the user's ``mysql_server_flavor`` (``auto`` or a flavor). An explicit
    flavor wins, unless a different server is already installed: replacing a server is a
    data migration, not a provisioning step, so it is refused. With ``auto``, an installed
    server decides; otherwise the first flavor of ``preference`` whose packages the host
    can install.
    """
    if requested not in ("auto", *FLAVORS):
        raise FlavorError(f"mysql_server_flavor must be one of auto, {', '.join(FLAVORS)}; got {requested!r}")
    if requested != "auto":
        if installed and installed != requested:
            raise FlavorError(
                f"mysql_server_flavor is {requested!r} but {installed} is already installed on this host; "
                f"set mysql_server_flavor to {installed!r} or 'auto' (switching servers is a migration, not done here)"
            )
        return requested
    if installed:
        return installed
    for flavor in preference:
        if available.get(flavor):
            return flavor
    raise FlavorError(
        "mysql_server_flavor is 'auto' but no server is installed and no package of "
        f"{', '.join(preference)} is installable here; configure a package source or set mysql_server_flavor"
    )


def parse_apt_installed(text: str) -> set[str]:
    """The packages ``apt-cache policy PKG...`` shows as installed (``Installed:`` other than ``(none)``)."""
    installed = set()
    package = None
    for line in text.splitlines():
        if line and not line[0].isspace() and line.rstrip().endswith(":"):
            package = line.rstrip()[:-1]
        elif package and line.strip().startswith("Installed:") and line.split(":", 1)[1].strip() not in ("", "(none)"):
            installed.add(package)
    return installed


def parse_rpm_installed(text: str, names: list[str]) -> set[str]:
    """The packages of ``names`` that ``rpm -q --qf '%{NAME}\\n' NAME...`` printed; it names the rest otherwise."""
    return {line.strip() for line in text.splitlines()} & set(names)


def parse_repoquery(text: str) -> dict[str, str]:
    """Package name → version from ``dnf repoquery --qf '%{name} %{version}' PKG...``."""
    candidates: dict[str, str] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 2:
            candidates.setdefault(fields[0], fields[1])
    return candidates


def installed_server(module) -> tuple[str, str] | None:
    """(flavor, version) of the server binary installed on the host, or None."""
    for binary in SERVER_BINARIES:
        path = module.get_bin_path(binary, opt_dirs=SBIN)
        if path:
            rc, out, err = module.run_command([path, "--version"])
            parsed = parse_server_version(out + err) if rc == 0 else None
            if parsed:
                return parsed
    return None


def upstream_version(package_version: str) -> str:
    """'1:10.11.18-0+deb12u1' -> '10.11.18': the server's own version in a package version."""
    match = re.search(r"\d+\.\d+\.\d+", package_version.split(":", 1)[-1])
    return match.group(0) if match else package_version
