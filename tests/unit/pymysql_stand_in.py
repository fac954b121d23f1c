"""A stand-in for PyMySQL, for the modules that reach the server through it (module_utils.live).

It is put ahead of the collection on PYTHONPATH, answers each statement from a script of
``{"match": regex, "rows": [...]}`` (or ``"sequence": [rows, rows, ...]`` for successive answers,
or ``"error": message``) and logs every connect and statement as a JSON line, so a test sees
what a module asked and what it would have changed. A statement no rule matches returns no rows.
"""

from __future__ import annotations

import json
from pathlib import Path

from module_runner import ROOT

DRIVER = '''"""Stand-in for PyMySQL: answers from $PYMYSQL_SCRIPT, logs to $PYMYSQL_LOG."""
import json
import os
import re
import time


class MySQLError(Exception):
    pass


class OperationalError(MySQLError):
    pass


with open(os.environ["PYMYSQL_SCRIPT"], encoding="utf-8") as _handle:
    _SCRIPT = json.load(_handle)
_asked = {}


def _log(**entry):
    with open(os.environ["PYMYSQL_LOG"], "a", encoding="utf-8") as handle:
        handle.write(json.dumps(dict(entry, time=time.time())) + "\\n")


def connect(**kwargs):
    _log(connect=kwargs)
    if _SCRIPT.get("refuse"):
        raise OperationalError(2002, _SCRIPT["refuse"])
    return Connection()


class cursors:
    class DictCursor:
        """Rows as column -> value: the script gives them as mappings."""


class Connection:
    def cursor(self, kind=None):
        return Cursor()

    def close(self):
        _log(close=True)


class Cursor:
    def __init__(self):
        self._rows = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, query, args=None):
        _log(query=query, args=list(args) if args is not None else None)
        self._rows = []
        for number, rule in enumerate(_SCRIPT["answers"]):
            if not re.search(rule["match"], query):
                continue
            if "error" in rule:
                raise OperationalError(1105, rule["error"])
            if "sequence" in rule:
                count = _asked.get(number, 0)
                _asked[number] = count + 1
                self._rows = list(rule["sequence"][min(count, len(rule["sequence"]) - 1)])
            else:
                self._rows = list(rule["rows"])
            break
        return len(self._rows)

    def fetchall(self):
        rows, self._rows = self._rows, []
        return tuple(_row(row) for row in rows)

    def fetchone(self):
        return _row(self._rows.pop(0)) if self._rows else None


def _row(row):
    return dict(row) if isinstance(row, dict) else tuple(row)
'''


def server(tmp_path: Path, answers: list[dict], refuse: str | None = None) -> dict:
    """Environment for run_module that puts the stand-in driver in front of the collection."""
    package = tmp_path / "stand-in" / "pymysql"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(DRIVER)
    script = tmp_path / "pymysql-script.json"
    script.write_text(json.dumps({"answers": answers, "refuse": refuse}))
    return {
        "PYTHONPATH": f"{package.parent}:{ROOT / 'collections'}",
        "PYMYSQL_SCRIPT": str(script),
        "PYMYSQL_LOG": str(tmp_path / "pymysql.log"),
    }


def no_driver(tmp_path: Path) -> dict:
    """Environment in which ``import pymysql`` fails, as on a host without python3-pymysql."""
    package = tmp_path / "no-driver" / "pymysql"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('raise ImportError("No module named pymysql")\n')
    return {"PYTHONPATH": f"{package.parent}:{ROOT / 'collections'}"}


def log(tmp_path: Path) -> list[dict]:
    """Every connect and statement, in order; empty when the module never reached the driver."""
    path = tmp_path / "pymysql.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def statements(tmp_path: Path) -> list[str]:
    return [entry["query"] for entry in log(tmp_path) if "query" in entry]


def connects(tmp_path: Path) -> list[dict]:
    return [entry["connect"] for entry in log(tmp_path) if "connect" in entry]


def writes(tmp_path: Path) -> list[str]:
    """Statements that change the server (anything but a read)."""
    return [query for query in statements(tmp_path) if not query.lstrip().upper().startswith(("SELECT", "SHOW"))]
