"""Server hardening (mysql_server): files the server may reach, names it resolves, who logs in without a password.

Pure: the mysql_server role asks here which server settings serve its ``mysql_server_hardening_*``
inputs (rendered in the tuning drop-in beside the sized values, each with its reason), which
accounts to drop, and which configuration files and directories to bring to their modes. The
modules read the server and the files and hand the raw values in; nothing here talks to a server.
"""

from __future__ import annotations

import posixpath
import re

from ansible_collections.local.mysql.plugins.module_utils.flavor import FLAVOR_NAMES
from ansible_collections.local.mysql.plugins.module_utils.refusal import must_be
from ansible_collections.local.mysql.plugins.module_utils.sizes import SizingError

PREFIX = "mysql_server_hardening_"

# Each input's safe default, as roles/mysql_server/defaults/main.yml is to carry it.
DEFAULTS = {
    # LOAD DATA LOCAL lets a server that a client reaches ask for any file the client can read.
    f"{PREFIX}local_infile": False,
    # FILE-privilege imports and exports (LOAD DATA INFILE, SELECT ... INTO OUTFILE, LOAD_FILE) stay in
    # one directory of their own; empty would let them reach any file the server can read.
    f"{PREFIX}secure_file_priv": "/var/lib/mysql-files",
    # Table files are not followed out of the datadir through symbolic links.
    f"{PREFIX}symbolic_links": False,
    # A routine's creator gets no EXECUTE and ALTER ROUTINE beyond what mysql_server_users grants.
    f"{PREFIX}automatic_sp_privileges": False,
    # Off: tools that list schemas (backup, monitoring, admin consoles) need SHOW DATABASES.
    f"{PREFIX}skip_show_database": False,
    # auto: on when every account's host is an address pattern (no DNS lookup, no spoofed names).
    f"{PREFIX}skip_name_resolve": "auto",
    # Accounts anyone can log in as are dropped.
    f"{PREFIX}remove_passwordless": True,
    # Configuration files 0640 root:<server group>, the datadir at most 0750.
    f"{PREFIX}file_modes": True,
}

# Where both flavors' Debian packages put the datadir (mysql_server reads the live one from the server).
PACKAGED_DATADIR = "/var/lib/mysql"

# local_infile's compiled default: MySQL turned it OFF in 8.0.2 (Bug #24511108); MariaDB ships it ON.
LOCAL_INFILE_OFF_SINCE = {"mysql": (8, 0, 2)}
# secure_file_priv as the packages ship it: MySQL's DEB/RPM layouts since 5.6.34 and 5.7.16 set the
# directory (the server shows it with a trailing /); MariaDB ships it empty.
PACKAGED_SECURE_FILE_PRIV = {"mysql": "/var/lib/mysql-files/", "mariadb": ""}
# symbolic_links: MySQL 8.0.2 (WL#8392) made it OFF by default and deprecated it, without removing it
# (8.4 and later manuals still list it); turning it off by name logs "is the default ... deprecated"
# (MY-011070) at every start, so there it is written only to turn it on. MariaDB keeps it ON by
# default. No variable has the name (have_symlink says YES or DISABLED): it is a start-up option.
SYMBOLIC_LINKS_OFF_SINCE = {"mysql": (8, 0, 2)}

# What the server reads only at start (a change needs a restart); local_infile and
# automatic_sp_privileges are dynamic.
STARTUP_ONLY = frozenset({"secure_file_priv", "skip_show_database", "skip_name_resolve", "symbolic_links"})

# Server settings the hardening inputs own, and the variable that owns each (with the skip_ forms a
# boolean option also takes): an override of any of them is refused naming the owner.
OWNED: dict[str, str] = {
    "local_infile": f"{PREFIX}local_infile",
    "skip_local_infile": f"{PREFIX}local_infile",
    "secure_file_priv": f"{PREFIX}secure_file_priv",
    "symbolic_links": f"{PREFIX}symbolic_links",
    "skip_symbolic_links": f"{PREFIX}symbolic_links",
    "automatic_sp_privileges": f"{PREFIX}automatic_sp_privileges",
    "skip_automatic_sp_privileges": f"{PREFIX}automatic_sp_privileges",
    "skip_show_database": f"{PREFIX}skip_show_database",
    "skip_name_resolve": f"{PREFIX}skip_name_resolve",
}

# Plugins whose authentication string is the password's hash: empty means no password ("" is the
# native plugin in rows written before the plugin column was filled).
PASSWORD_PLUGINS = frozenset(
    {"", "mysql_native_password", "caching_sha2_password", "sha256_password", "mysql_old_password", "ed25519", "parsec"}
)
# The operating system vouches for these: an empty authentication string is their normal form.
SOCKET_PLUGINS = frozenset({"auth_socket", "unix_socket"})
# The servers' own accounts (locked, or used by the server itself): never dropped.
SYSTEM_USERS = frozenset({"mysql.sys", "mysql.session", "mysql.infoschema", "mariadb.sys"})
# The address a TCP client on the server's own host connects from (the default bind address).
LOOPBACK = "127.0.0.1"
# Every role connects as root over the local socket: dropping root@localhost locks the toolkit out.
TOOLKIT_ACCOUNT = ("root", "localhost")

CONFIG_FILE_MODE = 0o640
CONFIG_DIR_MODE = 0o750
DATADIR_MODE = 0o750
# The import/export directory: the server user's only, so no other user reads exports or plants imports.
SECURE_FILE_PRIV_MODE = "0700"

# Directories whose files FILE must never reach (configuration, keys, the system) or that every user
# may write to; secure_file_priv is refused there and anywhere beneath.
SYSTEM_TREES = (
    *("/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/root"),
    *("/dev", "/proc", "/sys", "/run", "/var/run", "/tmp", "/var/tmp"),
)
# Directories refused themselves (their subdirectories are fine): they hold every other service's files.
SYSTEM_DIRS = ("/", "/var", "/var/lib", "/var/log", "/srv", "/opt", "/home", "/mnt", "/media")

_NO_LETTERS = re.compile(r"[0-9.%_/]*")
_IPV6_PATTERN = re.compile(r"[0-9A-Fa-f:.%_/]+")


class HardeningError(SizingError):
    """A hardening input the server cannot serve; the message names the input."""


def since(table: dict, flavor: str, version: tuple) -> bool:
    return flavor in table and tuple(version) >= table[flavor]


def on_off(value: bool) -> str:
    return "ON" if value else "OFF"


# ---- input rules (for inputs.RULES and inputs.JOINT) -------------------------------------------


def _inside(path: str, tree: str) -> bool:
    return path == tree or path.startswith(tree.rstrip("/") + "/")


def clean(path: str) -> str:
    """'/srv//in/../files/' -> '/srv/files' (normpath keeps a leading '//', which names the same directory)."""
    return "/" + posixpath.normpath(path).lstrip("/")


def secure_file_priv_words(value, datadir: str = PACKAGED_DATADIR) -> str | None:
    """What mysql_server_hardening_secure_file_priv accepts when ``value`` is outside it, else None."""
    accepted = "an absolute path of a directory for imports and exports only, such as /var/lib/mysql-files"
    if not isinstance(value, str) or not value.strip():
        return f"{accepted} (empty lets FILE reach any file the server can read)"
    if not value.startswith("/"):
        return f"{accepted} (a relative path depends on the server's working directory)"
    path, home = clean(value), clean(datadir)
    if path in SYSTEM_DIRS or any(_inside(path, tree) for tree in SYSTEM_TREES):
        return f"{accepted}, not a system directory (FILE would reach the files there)"
    if _inside(path, home) or _inside(home, path):
        return f"{accepted}, neither in nor above the datadir {home} (FILE would read and write table files)"
    return None


def skip_name_resolve_words(value) -> str | None:
    if isinstance(value, bool) or value == "auto":
        return None
    return "auto, true or false"


def listed_accounts(users: list) -> list[dict]:
    """mysql_server_users as {user, host} rows, one per host pattern. A 'localhost' account without
    127.0.0.1 beside it is marked ``loopback_by_name``: a client on this host that connects over TCP
    (an application given host 'localhost' or 127.0.0.1) arrives from 127.0.0.1 and matches it only
    while the server resolves that address to the name localhost."""
    rows = []
    for user in users or []:
        hosts = [str(host) for host in user.get("hosts") or ["localhost"]]
        for host in hosts:
            row = {"user": str(user.get("name") or ""), "host": host}
            if host.lower() == "localhost" and LOOPBACK not in hosts:
                row["loopback_by_name"] = True
            rows.append(row)
    return rows


def name_resolve_users(values: dict) -> str | None:
    """A joint rule: skip_name_resolve=true refused before any change when a listed account has a host name."""
    variable = f"{PREFIX}skip_name_resolve"
    _, _, problem = name_resolve_plan(values[variable], listed_accounts(values["mysql_server_users"]))
    return problem.split(": must be ", 1)[1] if problem else None


# What the argument spec cannot say (the booleans are typed there; skip_name_resolve is raw: auto or a boolean).
RULES = {
    f"{PREFIX}secure_file_priv": secure_file_priv_words,
    f"{PREFIX}skip_name_resolve": skip_name_resolve_words,
}
JOINT = ((f"{PREFIX}skip_name_resolve", (f"{PREFIX}skip_name_resolve", "mysql_server_users"), name_resolve_users),)


# ---- host names ---------------------------------------------------------------------------------


def address_pattern(host: str) -> bool:
    """Whether an account's host matches by address alone: localhost, an IPv4 or IPv6 literal, a wildcard
    of digits, dots, % and _, a netmask (198.18.0.0/255.255.255.0) or a CIDR (198.18.0.0/24, MySQL
    8.0.23+). Anything else (a letter other than in localhost or in IPv6's hex) is a host name."""
    text = str(host)
    if text.lower() == "localhost":
        return True
    if ":" in text:
        # a host name never holds ':'; IPv6 literals and wildcards are hex digits
        return bool(_IPV6_PATTERN.fullmatch(text))
    return bool(_NO_LETTERS.fullmatch(text))


def quoted(account: dict) -> str:
    return f"'{account['user']}'@'{account['host']}'"


def needs_names(account: dict) -> bool:
    """Whether the server must resolve names for this account to keep matching its clients."""
    return bool(account.get("loopback_by_name")) or not address_pattern(account["host"])


def named_words(account: dict) -> str:
    if account.get("loopback_by_name"):
        return f"{quoted(account)} without '{LOOPBACK}' (its TCP clients on this host arrive as {LOOPBACK})"
    return f"{quoted(account)} names a host"


def name_resolve_plan(choice, accounts: list[dict]) -> tuple[bool, str, str | None]:
    """(skip_name_resolve on?, the reason, a problem message or None) for ``accounts`` ({user, host}).

    ``accounts`` are the server's accounts after securing (anonymous and remote root gone) and the
    listed ones. With name resolution off the server ignores an account whose host is a name, so
    ``true`` is refused before any change while one exists, naming it. ('localhost' accounts then
    match socket connections only: a TCP client from 127.0.0.1 is 127.0.0.1; the roles use the socket.)
    """
    variable = f"{PREFIX}skip_name_resolve"
    words = skip_name_resolve_words(choice)
    if words:
        return False, f"{variable} is not auto, true or false", must_be(variable, choice, words)
    named = sorted((account for account in accounts if needs_names(account)), key=quoted)
    first = f"{named_words(named[0])}{f' (and {len(named) - 1} more)' if len(named) > 1 else ''}" if named else ""
    if choice is False:
        return False, f"OFF: {variable} is false (each new client's address is looked up in DNS)", None
    if not named:
        if choice is True:
            return True, f"ON: {variable} is true (no DNS lookup per connection)", None
        return True, f"ON: every account's host is an address ({variable}=auto): no DNS lookup per connection", None
    if choice == "auto":
        return False, f"OFF: {first}: matched only while names resolve ({variable}=auto)", None
    problem = must_be(
        variable,
        choice,
        f"auto or false while an account depends on name resolution: {first} "
        "(with name resolution off the server refuses its clients)",
    )
    return False, f"OFF: {variable} is true but {first}", problem


# ---- the settings -------------------------------------------------------------------------------


def _bool_choice(choices: dict, key: str) -> bool:
    name = f"{PREFIX}{key}"
    value = choices.get(name, DEFAULTS[name])
    if not isinstance(value, bool):
        raise HardeningError(must_be(name, value, "true or false"))
    return value


def server_settings(
    flavor: str,
    version: tuple,
    choices: dict,
    accounts: list[dict] = (),
    datadir: str = PACKAGED_DATADIR,
) -> dict:
    """{variables: {name: {value, formula}}, options: {name: {value, formula}}, shown, directories: [...]}.

    ``choices`` maps ``mysql_server_hardening_*`` names to values (missing ones take DEFAULTS);
    ``accounts`` ({user, host}) decide skip_name_resolve's auto; ``datadir`` is the server's own.
    ``variables`` are shown by SHOW GLOBAL VARIABLES under their names (the live check compares them),
    ``options`` are read at start only; STARTUP_ONLY names what takes a restart. ``shown`` maps the
    variables through which the server shows start-up options to the values they must show (read,
    never written: the live check compares them, so a change restarts the server). ``directories``
    ({path, mode}, owned by the server user) must exist before the server starts: it refuses to start
    with a secure_file_priv that does not.
    """
    version = tuple(version)
    who = FLAVOR_NAMES.get(flavor, flavor)
    variables: dict[str, dict] = {}
    options: dict[str, dict] = {}

    local_infile = _bool_choice(choices, "local_infile")
    if local_infile:
        why = f"ON: {PREFIX}local_infile is true (clients may send their files with LOAD DATA LOCAL)"
    elif since(LOCAL_INFILE_OFF_SINCE, flavor, version):
        why = "OFF: a server cannot ask its clients for their files (MySQL's default since 8.0.2, kept so)"
    else:
        why = f"OFF: a server cannot ask its clients for their files ({who} ships it ON)"
    variables["local_infile"] = {"value": on_off(local_infile), "formula": why}

    name = f"{PREFIX}secure_file_priv"
    directory = choices.get(name, DEFAULTS[name])
    words = secure_file_priv_words(directory, datadir)
    if words:
        raise HardeningError(must_be(name, directory, words))
    # the server shows the directory with a trailing /: written so, the live value reads the same
    shown = clean(directory).rstrip("/") + "/"
    shipped = PACKAGED_SECURE_FILE_PRIV.get(flavor)
    if shipped == shown:
        packaged = f"as {who}'s packages set it"
    elif shipped:
        packaged = f"{who}'s packages set {shipped}"
    else:
        packaged = f"{who} ships it empty: any file the server can read"
    variables["secure_file_priv"] = {
        "value": shown,
        "formula": f"FILE imports and exports only in this directory ({name}; {packaged})",
    }

    links = _bool_choice(choices, "symbolic_links")
    off_by_default = since(SYMBOLIC_LINKS_OFF_SINCE, flavor, version)
    if links:
        deprecated = " (deprecated since MySQL 8.0.2)" if off_by_default else ""
        options["symbolic_links"] = {
            "value": "ON",
            "formula": f"{PREFIX}symbolic_links is true: table files may live outside the datadir{deprecated}",
        }
    elif not off_by_default:
        options["symbolic_links"] = {
            "value": "OFF",
            "formula": f"no table file is followed out of the datadir through a symbolic link ({who} ships it ON)",
        }

    routines = _bool_choice(choices, "automatic_sp_privileges")
    variables["automatic_sp_privileges"] = {
        "value": on_off(routines),
        "formula": (
            f"ON: {PREFIX}automatic_sp_privileges is true (a routine's creator may run and change it)"
            if routines
            else "OFF: a routine's creator gets no grants beyond mysql_server_users (both servers ship it ON)"
        ),
    }

    hidden = _bool_choice(choices, "skip_show_database")
    variables["skip_show_database"] = {
        "value": on_off(hidden),
        "formula": (
            f"ON: {PREFIX}skip_show_database is true (only accounts with SHOW DATABASES list schemas)"
            if hidden
            else f"OFF: tools that list schemas need SHOW DATABASES ({PREFIX}skip_show_database is false)"
        ),
    }

    name = f"{PREFIX}skip_name_resolve"
    enabled, why, problem = name_resolve_plan(choices.get(name, DEFAULTS[name]), list(accounts))
    if problem:
        raise HardeningError(problem)
    variables["skip_name_resolve"] = {"value": on_off(enabled), "formula": why}

    directories = [{"path": shown.rstrip("/"), "mode": SECURE_FILE_PRIV_MODE}]
    # written or not, the server says whether it follows links: a change of the input restarts it
    live = {"have_symlink": "YES" if links else "DISABLED"}
    return {"variables": variables, "options": options, "shown": live, "directories": directories}


# ---- accounts -----------------------------------------------------------------------------------


def passwordless(accounts: list[dict]) -> list[tuple[str, str]]:
    """(user, host) of each account anyone can log in as, to drop: an empty authentication string
    under a password plugin. Socket-authenticated, locked and the servers' own accounts are kept, and
    so is root@localhost, the toolkit's own connection.

    ``accounts``: {user, host, plugin, authentication_string_empty, locked} (never the string itself).
    """
    found = set()
    for account in accounts:
        user, host = str(account["user"]), str(account["host"])
        plugin = str(account.get("plugin") or "").lower()
        if plugin in SOCKET_PLUGINS or plugin not in PASSWORD_PLUGINS:
            continue
        if not account.get("authentication_string_empty") or account.get("locked"):
            continue
        if user in SYSTEM_USERS or (user, host.lower()) == TOOLKIT_ACCOUNT:
            continue
        found.add((user, host))
    return sorted(found)


# ---- files ----------------------------------------------------------------------------------------


def config_file(choices: dict, group: str) -> dict:
    """Owner, group and mode of the configuration files the roles write (the tuning drop-in)."""
    if _bool_choice(choices, "file_modes"):
        return {"owner": "root", "group": group, "mode": f"{CONFIG_FILE_MODE:04o}"}
    return {"owner": "root", "group": "root", "mode": "0644"}


def file_mode(value) -> int:
    """'0644' (Ansible's stat) or 0o644 -> 0o644."""
    return value if isinstance(value, int) else int(str(value), 8)


def file_mode_plan(paths: dict[str, dict], server_gid: int, datadir: str = "") -> dict[str, dict]:
    """{path: {mode, uid, gid, changes, reason}} for each path not yet as it should be.

    ``paths`` maps each path to its stat ({mode, uid, gid}, ``isdir`` for a directory): the
    configuration files the server reads and their directories, and the datadir when ``datadir``
    names it. Nothing gains a permission bit. Configuration goes to root:<server group> and loses
    every bit beyond 0640 (files) or 0750 (directories): the server reads it through its group and
    cannot rewrite it, other users read none of it. A file only its owner may read (a client's
    credentials) is left as it is. The datadir keeps its owner and loses every bit beyond 0750.
    """
    plan = {}
    home = clean(datadir) if datadir else None
    for path, stat in sorted(paths.items()):
        mode, uid, gid = file_mode(stat["mode"]), int(stat["uid"]), int(stat["gid"])
        if home and clean(path) == home:
            want = (mode & DATADIR_MODE, uid, gid)
            reason = "the datadir: the server user's, its group may read, no other user reaches a table file"
        elif stat.get("isdir"):
            want = (mode & CONFIG_DIR_MODE, 0, int(server_gid))
            reason = "a configuration directory: root's, the server's group may list it, no other user"
        elif not mode & 0o077:
            continue
        else:
            want = (mode & CONFIG_FILE_MODE, 0, int(server_gid))
            reason = "configuration: root's, the server reads it through its group, no other user reads it"
        changes = [
            f"{what} {before} -> {after}"
            for what, before, after in (
                ("mode", f"{mode:04o}", f"{want[0]:04o}"),
                ("owner", uid, want[1]),
                ("group", gid, want[2]),
            )
            if before != after
        ]
        if changes:
            plan[path] = {
                "mode": f"{want[0]:04o}",
                "uid": want[1],
                "gid": want[2],
                "changes": changes,
                "reason": reason,
            }
    return plan
