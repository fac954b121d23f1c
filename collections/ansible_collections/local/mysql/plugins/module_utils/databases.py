"""The application's databases, as the inventory lists them.

Pure: the pre-flight asks whether mysql_server_databases can be served, and the
``server_databases`` module asks which statements bring the server's databases to it. Dropping a
database loses its data: a listed ``absent`` is refused unless mysql_server_databases_allow_drop
is true, and a database the list does not name is never touched. Nothing here talks to a server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ansible_collections.local.mysql.plugins.module_utils.refusal import must_be
from ansible_collections.local.mysql.plugins.module_utils.sizes import SizingError

# Names the toolkit quotes in backticks itself (CREATE DATABASE takes no placeholder): letters,
# digits, _ and $, as both servers take unquoted.
NAME = re.compile(r"[A-Za-z0-9_$]{1,64}")
WORD = re.compile(r"[a-z0-9_]{1,64}")
SYSTEM_SCHEMAS = ("mysql", "information_schema", "performance_schema", "sys")
DEFAULT_CHARSET = "utf8mb4"
ALLOW_DROP = "mysql_server_databases_allow_drop"


class DatabaseError(SizingError):
    """A database input the server cannot serve; the message names the input."""


@dataclass(frozen=True)
class Database:
    name: str
    charset: str = DEFAULT_CHARSET
    # None: the server's default collation for the character set
    collation: str | None = None
    state: str = "present"


@dataclass(frozen=True)
class Step:
    name: str
    action: str
    statement: str
    differs: tuple[str, ...] = ()


def databases_words(entries) -> str | None:
    """What mysql_server_databases accepts, beyond its argument spec, when ``entries`` is outside it."""
    seen = set()
    for entry in entries:
        name = str(entry.get("name") or "")
        if not NAME.fullmatch(name):
            return f"databases named with letters, digits, _ and $ (1..64), not {name!r}"
        if name.lower() in SYSTEM_SCHEMAS:
            return f"application databases: {name} belongs to the server"
        if name.lower() in seen:
            return f"each database once (lists {name} twice)"
        seen.add(name.lower())
        charset = str(entry.get("charset") or DEFAULT_CHARSET)
        collation = entry.get("collation")
        if not WORD.fullmatch(charset):
            return f"a character set name such as utf8mb4 for {name}, not {charset!r}"
        if collation and not belongs(str(collation), charset):
            return f"a collation of {charset} for {name} (such as {charset}_bin), not {collation!r}"
    return None


def drop_words(entries, allow_drop: bool) -> str | None:
    """Why a listed ``absent`` is refused: dropping needs the flag as well."""
    absent = [str(entry.get("name")) for entry in entries if entry.get("state") == "absent"]
    if absent and not allow_drop:
        return (
            f"without state: absent unless {ALLOW_DROP} is true (dropping a database loses its data; "
            f"listed absent: {', '.join(absent)})"
        )
    return None


def belongs(collation: str, charset: str) -> bool:
    return bool(WORD.fullmatch(collation)) and (collation == charset or collation.startswith(f"{charset}_"))


def listed(entries: list[dict]) -> list[Database]:
    """The list as Databases; refused as a whole when any entry is outside what is accepted."""
    problem = databases_words(entries)
    if problem:
        raise DatabaseError(f"mysql_server_databases: must be {problem}")
    return [
        Database(
            name=str(entry["name"]),
            charset=str(entry.get("charset") or DEFAULT_CHARSET),
            collation=str(entry["collation"]) if entry.get("collation") else None,
            state=str(entry.get("state") or "present"),
        )
        for entry in entries
    ]


def default_collations(charsets: list[tuple[str, str]], character_set_collations: str = "") -> dict[str, str]:
    """Each character set's default collation as a new database gets it.

    ``charsets`` are information_schema.CHARACTER_SETS' name and default collation;
    ``character_set_collations`` is MariaDB's variable (from 11.2) that overrides them, such as
    ``utf8mb4=utf8mb4_uca1400_ai_ci``. MySQL has no such variable: pass "".
    """
    defaults = {str(name): str(collation) for name, collation in charsets}
    for pair in str(character_set_collations or "").split(","):
        charset, _, collation = pair.strip().partition("=")
        if charset and collation:
            defaults[charset] = collation
    return defaults


def intended(database: Database, defaults: dict[str, str], collations: dict[str, str]) -> tuple[str, str]:
    """The character set and collation the database is to have on this server.

    ``collations`` maps every collation the server has to its character set.
    """
    entry = f"mysql_server_databases.{database.name}"
    if database.charset not in defaults:
        known = ", ".join(sorted(defaults)) or "none"
        raise DatabaseError(must_be(f"{entry}.charset", database.charset, f"one the server has ({known})"))
    collation = database.collation or defaults[database.charset]
    if collations.get(collation) != database.charset:
        raise DatabaseError(
            must_be(f"{entry}.collation", collation, f"a collation of {database.charset} that the server has")
        )
    return database.charset, collation


def plan(
    databases: list[Database],
    live: dict[str, tuple[str, str]],
    defaults: dict[str, str],
    collations: dict[str, str],
    allow_drop: bool,
) -> list[Step]:
    """The statements that bring the server's databases to the list, in list order.

    ``live`` maps each database the server has to its character set and collation. Every input is
    checked before any step is returned, so a refused list changes nothing.
    """
    problem = drop_words([{"name": db.name, "state": db.state} for db in databases], allow_drop)
    if problem:
        raise DatabaseError(f"mysql_server_databases: must be {problem}")
    steps = []
    for database in databases:
        found = live.get(database.name)
        if database.state == "absent":
            if found:
                steps.append(Step(database.name, "drop", f"DROP DATABASE `{database.name}`"))
            continue
        charset, collation = intended(database, defaults, collations)
        clause = f"CHARACTER SET {charset} COLLATE {collation}"
        if found is None:
            steps.append(Step(database.name, "create", f"CREATE DATABASE `{database.name}` {clause}"))
        elif tuple(found) != (charset, collation):
            differs = tuple(
                f"{what} {had} -> {wanted}"
                for what, had, wanted in zip(("charset", "collation"), found, (charset, collation))
                if had != wanted
            )
            # the default for tables created from now on: existing tables keep theirs
            steps.append(Step(database.name, "alter", f"ALTER DATABASE `{database.name}` {clause}", differs))
    return steps


def record(databases: list[Database], defaults: dict[str, str], collations: dict[str, str]) -> dict:
    """The intent the drift report compares with: each present database's character set and collation."""
    return {
        db.name: dict(zip(("charset", "collation"), intended(db, defaults, collations)))
        for db in databases
        if db.state == "present"
    }
