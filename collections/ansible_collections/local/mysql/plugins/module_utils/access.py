"""Who can reach the data: listening addresses, TLS and application accounts.

Pure: the mysql_server role asks here which server settings serve its inputs (rendered in the
tuning drop-in beside the sized values) and the ``server_accounts`` module asks which statements
bring the accounts to what the inventory lists. Nothing here talks to a server.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass

from ansible_collections.local.mysql.plugins.module_utils.refusal import must_be
from ansible_collections.local.mysql.plugins.module_utils.sizes import SizingError

WILDCARDS = ("*", "0.0.0.0", "::")
# A comma-separated bind_address: MySQL since 8.0.13; MariaDB 10.11 takes it (checked in the lab).
BIND_LIST_SINCE = {"mysql": (8, 0, 13), "mariadb": (10, 11)}
# The server presents a certificate of its own when given none: MySQL makes files in its datadir at
# initialisation, MariaDB from 11.4 one in memory at each start; MariaDB before 11.4 needs files.
OWN_CERTIFICATE_SINCE = {"mysql": (5, 7, 5), "mariadb": (11, 4)}
TLS_VERSIONS = {"TLSv1.2": "TLSv1.2,TLSv1.3", "TLSv1.3": "TLSv1.3"}
# Where each given TLS file goes in the server's TLS directory, and its mode: only the key is private.
TLS_FILES = {"cert": ("server-cert.pem", "0644"), "key": ("server-key.pem", "0600"), "ca": ("ca.pem", "0644")}
# Every name server_settings may set: how applications reach the server.
SETTING_NAMES = (
    "bind_address",
    "mysqlx_bind_address",
    "mysqlx",
    *(f"ssl_{name}" for name in TLS_FILES),
    "tls_version",
    "require_secure_transport",
)
# Headroom beside the application pools: the toolkit's own sessions, a DBA, a monitoring agent.
HEADROOM_CONNECTIONS = 10
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")

# Every privilege name either server accepts in GRANT (static ones; MySQL's dynamic privileges
# are upper-case words with underscores and MariaDB's are words with spaces, both listed here).
PRIVILEGES = frozenset(
    """ALL|ALL PRIVILEGES|USAGE|SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|RELOAD|SHUTDOWN|PROCESS|FILE|
    REFERENCES|INDEX|ALTER|SHOW DATABASES|SUPER|CREATE TEMPORARY TABLES|LOCK TABLES|EXECUTE|
    REPLICATION SLAVE|REPLICATION CLIENT|REPLICA MONITOR|SLAVE MONITOR|BINLOG MONITOR|BINLOG ADMIN|
    BINLOG REPLAY|CONNECTION ADMIN|READ_ONLY ADMIN|FEDERATED ADMIN|REPLICATION MASTER ADMIN|
    REPLICATION SLAVE ADMIN|SET USER|CREATE VIEW|SHOW VIEW|CREATE ROUTINE|ALTER ROUTINE|CREATE USER|
    EVENT|TRIGGER|CREATE TABLESPACE|DELETE HISTORY|CREATE ROLE|DROP ROLE|SHOW CREATE ROUTINE|
    BACKUP_ADMIN|BINLOG_ADMIN|CONNECTION_ADMIN|REPLICATION_SLAVE_ADMIN|SYSTEM_VARIABLES_ADMIN|
    SESSION_VARIABLES_ADMIN|XA_RECOVER_ADMIN|SHOW_ROUTINE|FLUSH_OPTIMIZER_COSTS|FLUSH_STATUS|
    FLUSH_TABLES|FLUSH_USER_RESOURCES|SENSITIVE_VARIABLES_OBSERVER|TRANSACTION_GTID_TAG""".replace("\n", "")
    .replace("    ", "")
    .split("|")
)
SCOPE = re.compile(r"^(\*|[A-Za-z0-9_$]+)\.(\*|[A-Za-z0-9_$]+)$")


class AccessError(SizingError):
    """An access input the server cannot serve; the message names the input."""


# ---- listening addresses and TLS -------------------------------------------------------------


def bind_address_words(addresses) -> str | None:
    """What mysql_server_bind_address accepts when ``addresses`` is outside it, else None."""
    accepted = "a list of IP addresses (a wildcard such as 0.0.0.0 or :: only alone), each once"
    if not isinstance(addresses, list) or not addresses:
        return accepted
    for address in addresses:
        if address in WILDCARDS:
            continue
        try:
            ipaddress.ip_address(str(address))
        except ValueError:
            return f"{accepted}; {address!r} is not an IP address"
    if len(addresses) > 1 and any(address in WILDCARDS for address in addresses):
        return f"{accepted}; a wildcard listens everywhere and cannot be listed beside other addresses"
    if len(set(addresses)) != len(addresses):
        return accepted
    return None


def presents_tls(flavor: str, version: tuple, has_files: bool) -> bool:
    """Whether the server presents a certificate to TCP clients: its own, or the files given."""
    return has_files or version >= OWN_CERTIFICATE_SINCE[flavor]


def loopback_only(addresses: list[str]) -> bool:
    return all(address not in WILDCARDS and ipaddress.ip_address(address).is_loopback for address in addresses)


@dataclass(frozen=True)
class Listen:
    """The access inputs of mysql_server, as the role passes them."""

    flavor: str
    version: tuple
    bind_address: tuple
    mysqlx: bool = False
    tls_cert: str = ""
    tls_key: str = ""
    tls_ca: str = ""
    tls_dir: str = "/etc/mysql/tls"
    tls_min_version: str = "TLSv1.2"
    require_secure_transport: bool = False
    tls_accounts: bool = False


def server_settings(listen: Listen) -> dict:
    """{variables: {name: {value, formula}}, options: {name: {value, formula}}, files: [...]}.

    ``variables`` and ``options`` go into the drop-in; ``options`` are start-up options the server
    does not show as variables (MySQL's X plugin). ``files`` are the controller's TLS files to
    install ({src, dest, mode}), at the paths the ``ssl_*`` variables name.
    """
    bind = list(listen.bind_address)
    problem = bind_address_words(bind)
    if problem:
        raise AccessError(must_be("mysql_server_bind_address", bind, problem))
    if len(bind) > 1 and listen.version < BIND_LIST_SINCE[listen.flavor]:
        since = ".".join(map(str, BIND_LIST_SINCE[listen.flavor]))
        raise AccessError(
            must_be(
                "mysql_server_bind_address",
                bind,
                f"one address on {listen.flavor} before {since} (the server takes a list only from that version)",
            )
        )
    where = "loopback only: no other host reaches it" if loopback_only(bind) else "mysql_server_bind_address"
    variables = {"bind_address": {"value": ",".join(bind), "formula": where}}
    options = {}
    if listen.flavor == "mysql":
        if listen.mysqlx:
            variables["mysqlx_bind_address"] = {
                "value": ",".join(bind),
                "formula": "as bind_address (mysql_server_mysqlx)",
            }
        else:
            options["mysqlx"] = {"value": "OFF", "formula": "X protocol closed: mysql_server_mysqlx is false"}

    wants_tls = listen.require_secure_transport or listen.tls_accounts
    files = bool(listen.tls_cert)
    own = presents_tls(listen.flavor, listen.version, False)
    if wants_tls and not files and not own:
        raise AccessError(
            must_be(
                "mysql_server_tls_cert",
                "",
                f"a certificate file on {listen.flavor} {'.'.join(map(str, listen.version))} (it generates none "
                "of its own, and "
                + (
                    "mysql_server_require_secure_transport is true)"
                    if listen.require_secure_transport
                    else "mysql_server_users has accounts with require_tls)"
                ),
            )
        )
    installed = []
    if files:
        given = {"cert": listen.tls_cert, "key": listen.tls_key, "ca": listen.tls_ca}
        for name in ("cert", "key") + (("ca",) if listen.tls_ca else ()):
            file_name, mode = TLS_FILES[name]
            variables[f"ssl_{name}"] = {
                "value": f"{listen.tls_dir}/{file_name}",
                "formula": f"mysql_server_tls_{name}, installed owned by the server user",
            }
            installed.append({"src": given[name], "dest": variables[f"ssl_{name}"]["value"], "mode": mode})
    if files or own:
        variables["tls_version"] = {
            "value": TLS_VERSIONS[listen.tls_min_version],
            "formula": f"mysql_server_tls_min_version={listen.tls_min_version} and newer",
        }
    variables["require_secure_transport"] = {
        "value": "ON" if listen.require_secure_transport else "OFF",
        "formula": "mysql_server_require_secure_transport: TCP clients "
        + ("must use TLS" if listen.require_secure_transport else "may connect without TLS"),
    }
    return {"variables": variables, "options": options, "files": installed}


# ---- application accounts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """One name@host row of an application account, as listed."""

    name: str
    host: str
    password: str
    grants: dict
    require_tls: bool = False
    max_user_connections: int = 0

    @property
    def key(self) -> str:
        return f"{self.name}@{self.host}"


def parse_privileges(text: str) -> dict[tuple[str, str], frozenset]:
    """'shop.*:SELECT,INSERT/shop.orders:UPDATE' -> {(schema, table): privileges}; ValueError when unreadable."""
    grants: dict[tuple[str, str], frozenset] = {}
    for part in filter(None, (text or "").split("/")):
        scope, colon, privileges = part.partition(":")
        match = SCOPE.match(scope.strip())
        if not colon or not match:
            raise ValueError(f"{part!r} is not schema.table:PRIVILEGE[,PRIVILEGE]")
        names = [" ".join(name.split()).upper() for name in privileges.split(",")]
        unknown = [name for name in names if name not in PRIVILEGES]
        if unknown or not names:
            raise ValueError(
                f"{', '.join(map(repr, unknown)) or 'nothing'} in {part!r} is not a privilege the servers know"
            )
        normal = frozenset("ALL PRIVILEGES" if name == "ALL" else name for name in names) - {"USAGE"}
        schema, table = match.groups()
        if schema == "*" and table != "*":
            raise ValueError(f"{part!r}: a table needs its schema")
        if (schema, table) == ("*", "*") and "ALL PRIVILEGES" in normal:
            raise ValueError(f"{part!r}: an application account gets no global ALL; grant on its schema")
        if "ALL PRIVILEGES" in normal and len(normal) > 1:
            raise ValueError(f"{part!r}: ALL already holds every privilege of its scope")
        if (schema, table) in grants:
            raise ValueError(f"{scope.strip()!r} is listed twice")
        if normal:
            grants[(schema, table)] = normal
    return grants


def users_words(users) -> str | None:
    """What mysql_server_users accepts, beyond its argument spec, when ``users`` is outside it."""
    seen = set()
    for user in users:
        name = user.get("name")
        hosts = user.get("hosts") or []
        if not name or not str(name).strip():
            return "accounts with a name"
        if name == "root":
            return "application accounts: root keeps its local accounts only"
        if not str(user.get("password") or "").strip():
            return f"accounts with a password ({name} has none)"
        if not hosts:
            return f"accounts with at least one host pattern ({name} has none)"
        try:
            parse_privileges(user.get("priv") or "")
        except ValueError as error:
            return f"privileges in schema.table:PRIVILEGE form for {name}: {error}"
        for host in hosts:
            if not str(host).strip() or any(char in str(host) for char in "'\"`@ "):
                return f"host patterns such as 198.18.0.% or app.example ({name} has {host!r})"
            account = f"{name}@{host}"
            if account in seen:
                return f"each name@host once (lists {account} twice)"
            seen.add(account)
    return None


def expand(users: list[dict]) -> list[Account]:
    """One Account per listed name and host pattern."""
    return [
        Account(
            name=user["name"],
            host=host,
            password=user["password"],
            grants=parse_privileges(user.get("priv") or ""),
            require_tls=bool(user.get("require_tls")),
            max_user_connections=int(user.get("max_user_connections") or 0),
        )
        for user in users
        for host in user.get("hosts") or ["localhost"]
    ]


def pool_connections(users: list[dict]) -> int:
    """Connections the applications' pools may hold at once: each account's max_user_connections
    counted once per host pattern (every pattern is a separate account with its own limit)."""
    return sum(int(user.get("max_user_connections") or 0) * len(user.get("hosts") or ["localhost"]) for user in users)


def pools_words(users: list[dict], max_connections, others: int = 0) -> str | None:
    """Whether the pools (and ``others``, the toolkit's own accounts' limits) fit max_connections
    with the headroom beside them."""
    pools = pool_connections(users) + others
    if max_connections is None or pools + HEADROOM_CONNECTIONS <= int(max_connections):
        return None
    return (
        f"pools whose max_user_connections add up to at most {int(max_connections) - HEADROOM_CONNECTIONS} "
        f"(max_connections={max_connections} less {HEADROOM_CONNECTIONS} for administration); they add up to {pools}"
    )


# ---- what the server holds, and the statements that bring it to the list --------------------


def native_hash(password: str) -> str:
    """mysql_native_password's stored form: '*' + SHA1(SHA1(password)) in upper-case hex."""
    return "*" + hashlib.sha1(hashlib.sha1(password.encode()).digest()).hexdigest().upper()


_CRYPT64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# SHA-crypt's output order of the digest's bytes, three at a time (the last group has two).
_SHA256_ORDER = [
    (0, 10, 20), (21, 1, 11), (12, 22, 2), (3, 13, 23), (24, 4, 14),
    (15, 25, 5), (6, 16, 26), (27, 7, 17), (18, 28, 8), (9, 19, 29),
]  # fmt: skip


def _repeat(digest: bytes, length: int) -> bytes:
    return (digest * (length // len(digest) + 1))[:length]


def sha256_crypt(password: bytes, salt: bytes, rounds: int) -> str:
    """The SHA-256 crypt digest (43 characters, no prefix), as MySQL's caching_sha2_password stores it."""
    digest_b = hashlib.sha256(password + salt + password).digest()
    context = hashlib.sha256(password + salt + _repeat(digest_b, len(password)))
    length = len(password)
    while length:
        context.update(digest_b if length & 1 else password)
        length >>= 1
    digest_a = context.digest()
    p_bytes = _repeat(hashlib.sha256(password * len(password)).digest(), len(password))
    s_bytes = _repeat(hashlib.sha256(salt * (16 + digest_a[0])).digest(), len(salt))
    current = digest_a
    for index in range(rounds):
        context = hashlib.sha256(p_bytes if index % 2 else current)
        if index % 3:
            context.update(s_bytes)
        if index % 7:
            context.update(p_bytes)
        context.update(current if index % 2 else p_bytes)
        current = context.digest()
    out = []
    for a, b, c in _SHA256_ORDER:
        value = (current[a] << 16) | (current[b] << 8) | current[c]
        out.extend(_CRYPT64[(value >> (6 * k)) & 63] for k in range(4))
    value = (current[31] << 8) | current[30]
    out.extend(_CRYPT64[(value >> (6 * k)) & 63] for k in range(3))
    return "".join(out)


def password_holds(plugin: str, stored: bytes, password: str) -> bool:
    """Whether the stored authentication string is ``password``'s (for the plugins the servers use
    by default); any other plugin, such as socket authentication, does not hold it."""
    if plugin == "mysql_native_password":
        return stored.decode("ascii", "replace") == native_hash(password)
    if plugin == "caching_sha2_password":
        # $A$<rounds/1000 in hex, 3 digits>$<20 bytes of salt><43 characters>
        if len(stored) != 7 + 20 + 43 or not stored.startswith(b"$A$"):
            return False
        rounds = int(stored[3:6], 16) * 1000
        return sha256_crypt(password.encode(), stored[7:27], rounds).encode() == stored[27:]
    return False


GRANT = re.compile(r"^GRANT (?P<privileges>.+?) ON (?P<scope>\S+) TO ", re.IGNORECASE)


def parse_grants(lines: list[str]) -> dict[tuple[str, str], frozenset]:
    """SHOW GRANTS lines -> {(schema, table): privileges}; USAGE and roles left out."""
    grants: dict[tuple[str, str], frozenset] = {}
    for line in lines:
        match = GRANT.match(line)
        if not match:
            continue
        schema, _, table = match.group("scope").partition(".")
        scope = (schema.strip("`"), table.strip("`"))
        names = frozenset(name.strip().upper() for name in match.group("privileges").split(",")) - {"USAGE"}
        if names:
            grants[scope] = grants.get(scope, frozenset()) | names
    return grants


@dataclass(frozen=True)
class Current:
    """What the server holds for one account."""

    plugin: str
    stored: bytes
    require_tls: bool
    max_user_connections: int
    grants: dict


def account_statements(account: Account, current: Current | None) -> tuple[list[tuple[str, list]], list[str]]:
    """(statements with their arguments, what differs) to make the server hold ``account``."""
    who = [account.name, account.host]
    options = (
        f" REQUIRE {'SSL' if account.require_tls else 'NONE'} WITH MAX_USER_CONNECTIONS {account.max_user_connections}"
    )
    statements: list[tuple[str, list]] = []
    if current is None:
        statements.append(("CREATE USER %s@%s IDENTIFIED BY %s" + options, [*who, account.password]))
        differs = ["created"]
        held: dict = {}
    else:
        differs = []
        if not password_holds(current.plugin, current.stored, account.password):
            differs.append("password")
        if current.require_tls != account.require_tls:
            differs.append("require_tls")
        if current.max_user_connections != account.max_user_connections:
            differs.append("max_user_connections")
        if differs:
            statements.append(("ALTER USER %s@%s IDENTIFIED BY %s" + options, [*who, account.password]))
        held = current.grants
    if held != account.grants:
        if held:
            statements.append(("REVOKE ALL PRIVILEGES, GRANT OPTION FROM %s@%s", who))
        for (schema, table), privileges in sorted(account.grants.items()):
            scope = "*" if schema == "*" else f"`{schema}`"
            scope += ".*" if table == "*" else f".`{table}`"
            statements.append((f"GRANT {', '.join(sorted(privileges))} ON {scope} TO %s@%s", who))
        if current is not None:
            differs.append("privileges")
    return statements, differs


def unlisted(listed: list[Account], created: list[str], existing: list[str]) -> list[str]:
    """Accounts this toolkit created that the list no longer names and the server still has."""
    keys = {account.key for account in listed}
    return sorted(key for key in created if key not in keys and key in existing)
