#!/usr/bin/python
"""Ansible module: read what the query report needs from the server, changing nothing."""

DOCUMENTATION = r"""
module: query_probe
short_description: Read statement digests, plans, indexes and open transactions for the query report
description:
  - Connects as the report's own account over the local socket and reads performance_schema's
    statement digests (a snapshot; the window is this one less I(previous)) or, where
    performance_schema is off, the part of the slow query log written since I(previous) through
    C(pt-query-digest --output json) (the live file and the one rotated before it), MySQL's latency
    histograms, the plan of each top SELECT that reads far more rows than it sends (C(EXPLAIN
    FORMAT=JSON) of a sample of it, nothing else is ever run), sys's unused and redundant indexes,
    InnoDB's oldest open transaction and its history list length.
  - Returns the report (statements masked unless I(show_literals)) and the snapshot to keep for
    the next window (digests and counts, no statement with its values).
  - Changes nothing on the host, in check mode or not.
options:
  socket:
    description: The server's socket.
    type: path
    required: true
  user:
    description: The report's account.
    type: str
    required: true
  password:
    description: Its password.
    type: str
    required: true
  flavor:
    description: The server's flavor.
    type: str
    required: true
    choices: [mysql, mariadb]
  window:
    description: Since the previous report (else since the server started), or since the server started.
    type: str
    default: previous
    choices: [previous, start]
  previous:
    description: The snapshot the previous report kept (empty when there is none).
    type: dict
    default: {}
  top:
    description: How many statements the report ranks.
    type: int
    default: 10
  n_plus_one_calls:
    description: Calls in the window from which a one-row SELECT among the top is an N+1 suspect.
    type: int
    default: 100
  plan_ratio:
    description: Rows examined per row sent from which a top SELECT gets its plan read.
    type: float
    default: 100
  show_literals:
    description: Show statements with their values (masked otherwise).
    type: bool
    default: false
  digest_tool:
    description:
      - The pt-query-digest that reads the slow log where performance_schema is off (mysql_tune
        unpacks one and records where); else the one on the PATH.
    type: path
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: Read the report
  local.mysql.query_probe:
    socket: /run/mysqld/mysqld.sock
    user: toolkit_report
    password: "{{ password }}"
    flavor: mysql
  no_log: false
"""

RETURN = r"""
report:
  description: window, statements (ranked, with plans), n_plus_one, indexes, transactions.
  type: dict
  returned: success
snapshot:
  description: What the next report's window starts from.
  type: dict
  returned: success
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.flavor import FLAVOR_NAMES
from ansible_collections.local.mysql.plugins.module_utils.live import pymysql
from ansible_collections.local.mysql.plugins.module_utils.query_digest import (
    COUNTERS,
    n_plus_one,
    needs_a_plan,
    window,
    window_start,
)
from ansible_collections.local.mysql.plugins.module_utils.query_health import index_suggestions, oldest_transaction
from ansible_collections.local.mysql.plugins.module_utils.query_plan import reading
from ansible_collections.local.mysql.plugins.module_utils.query_slow_log import schema_for, source, span
from ansible_collections.local.mysql.plugins.module_utils.query_slow_log import window as slow_log_window

DIGESTS = (
    # the counts in query_digest.COUNTERS' order
    "SELECT IFNULL(SCHEMA_NAME, ''), DIGEST, DIGEST_TEXT, COUNT_STAR, SUM_TIMER_WAIT, SUM_ROWS_EXAMINED,"
    " SUM_ROWS_SENT, SUM_ROWS_AFFECTED, SUM_NO_INDEX_USED, SUM_NO_GOOD_INDEX_USED, SUM_SELECT_SCAN,"
    " SUM_SELECT_FULL_JOIN, SUM_CREATED_TMP_DISK_TABLES, SUM_SORT_ROWS, SUM_SORT_MERGE_PASSES, SUM_ERRORS{sample}"
    " FROM performance_schema.events_statements_summary_by_digest WHERE DIGEST IS NOT NULL"
)
# MySQL keeps a sample with its values and a latency histogram for each digest.
MYSQL_HISTOGRAMS = (
    "SELECT IFNULL(SCHEMA_NAME, ''), DIGEST, BUCKET_TIMER_HIGH, COUNT_BUCKET"
    " FROM performance_schema.events_statements_histogram_by_digest WHERE COUNT_BUCKET > 0"
)
# MariaDB keeps none: its last statements (the history_long consumer mysql_tune turns on with it).
MARIADB_SAMPLES = (
    "SELECT IFNULL(CURRENT_SCHEMA, ''), DIGEST, SQL_TEXT FROM performance_schema.events_statements_history_long"
    " WHERE DIGEST IS NOT NULL ORDER BY EVENT_ID"
)
UNUSED = "SELECT object_schema, object_name, index_name FROM sys.schema_unused_indexes"
REDUNDANT = (
    "SELECT table_schema, table_name, redundant_index_name, redundant_index_columns, dominant_index_name,"
    " dominant_index_columns, sql_drop_index FROM sys.schema_redundant_indexes"
)
OLDEST = (
    "SELECT TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), t.trx_rows_modified, t.trx_mysql_thread_id, t.trx_state,"
    " t.trx_query, p.USER, p.HOST, p.COMMAND FROM information_schema.INNODB_TRX t"
    " LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id ORDER BY t.trx_started LIMIT 1"
)
LAST_STATEMENT = (
    "SELECT c.SQL_TEXT FROM performance_schema.events_statements_current c"
    " JOIN performance_schema.threads t ON t.THREAD_ID = c.THREAD_ID WHERE t.PROCESSLIST_ID = %s"
)
APPLICATION_TABLES = (
    "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES"
    " WHERE TABLE_SCHEMA NOT IN ('mysql', 'sys', 'performance_schema', 'information_schema')"
)
HISTORY_LENGTH = "SELECT COUNT FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'"
SOURCES = (
    "SELECT @@performance_schema, @@slow_query_log, @@slow_query_log_file, @@long_query_time, @@datadir, @@log_output"
)
# pt-query-digest reads the window's part of the slow log as a file on stdin (unnamed, it would
# print "Reading from STDIN" before the JSON); no version check (it would call out to the
# internet); up to 1000 classes, far more than the report ranks (it ranks them itself).
DIGEST_COMMAND = ["--no-version-check", "--output", "json", "--limit", "100%:1000", "/dev/stdin"]
DIGEST_TIMEOUT_S = 600
# pt-query-digest learns a log's fields from its first 1000 entries; MariaDB writes the plan's
# fields (Full_scan, Merge_passes ...) only for statements that had one, maybe none of those.
DIGEST_ENVIRONMENT = {"PT_QUERY_DIGEST_CHECK_ATTRIB_LIMIT": str(2**31 - 1)}
# An EXPLAIN reads no row, but a plan of many partitions or a view takes time: bounded.
EXPLAIN_TIMEOUT_S = 10


def snapshot(cursor, flavor: str, uptime: int) -> tuple[dict, dict]:
    """(snapshot, samples): the digests' counts now, and a statement with its values for each digest."""
    cursor.execute(DIGESTS.format(sample=", QUERY_SAMPLE_TEXT" if flavor == "mysql" else ""))
    digests, samples = {}, {}
    for row in cursor.fetchall():
        schema, digest, text = str(row[0]), str(row[1]), str(row[2] or "")
        key = f"{schema}/{digest}"
        digests[key] = {
            "schema": schema,
            "digest": digest,
            "text": text,
            **dict(zip(COUNTERS, (int(v or 0) for v in row[3:16]))),
        }
        if flavor == "mysql" and row[16]:
            samples[key] = str(row[16])
    if flavor == "mysql":
        cursor.execute(MYSQL_HISTOGRAMS)
        for schema, digest, upper, count in cursor.fetchall():
            record = digests.get(f"{schema}/{digest}")
            if record is not None:
                record.setdefault("histogram", []).append([int(upper), int(count)])
        for record in digests.values():
            record.setdefault("histogram", [])
    else:
        try:
            cursor.execute(MARIADB_SAMPLES)
            samples.update({f"{schema}/{digest}": str(text) for schema, digest, text in cursor.fetchall() if text})
        except pymysql.MySQLError:
            pass  # the consumer is off: no sample, no plan
    return {"taken_at": time.time(), "uptime": uptime, "source": "performance_schema", "digests": digests}, samples


# The bytes before the offset the previous report kept: a file with its inode but other bytes
# there is another file (the file system gave a freed inode again).
TAIL_BYTES = 64


def opened(path: str):
    try:
        return open(path, "rb")
    except OSError:
        return None


def file_state(path: str, handle, previous: dict | None) -> dict | None:
    """{path, inode, size} of an open file, the size as it was when opened (what this window
    reads up to); no inode where the previous report's inode holds other bytes."""
    if handle is None:
        return None
    found = os.fstat(handle.fileno())
    inode = found.st_ino
    if previous and previous.get("inode") == inode and previous.get("tail") is not None:
        offset = int(previous.get("offset") or 0)
        handle.seek(max(0, offset - TAIL_BYTES))
        if handle.read(min(offset, TAIL_BYTES)).hex() != previous["tail"]:
            inode = None
    return {"path": path, "inode": inode, "size": found.st_size}


def tail_of(handle, size: int) -> str:
    handle.seek(max(0, size - TAIL_BYTES))
    return handle.read(min(size, TAIL_BYTES)).hex()


def slow_log_snapshot(
    module, path: str, flavor: str, uptime: int, previous: dict | None, own_user: str, recorded_tool: str | None
) -> tuple[dict, dict, dict]:
    """(snapshot, window, samples) from the slow log written since ``previous``, leaving out what
    ``own_user`` (the report's account) ran."""
    digest_tool = recorded_tool if recorded_tool and os.path.exists(recorded_tool) else shutil.which("pt-query-digest")
    if not digest_tool:
        module.fail_json(
            msg="performance_schema is off and pt-query-digest, which reads the slow log in its place, "
            "is not on this host: run provision.yml (mysql_tune unpacks it)"
        )
    kept = (previous or {}).get("slow_log")
    handles = {path: opened(path), f"{path}.1": opened(f"{path}.1")}
    try:
        states = {name: file_state(name, handle, kept) for name, handle in handles.items()}
        read = span(kept, states[path], states[f"{path}.1"])
        taken_at = time.time()
        parts = [(handles[name], offset, states[name]["size"]) for name, offset in read["reads"]]
        digest = run_digest(module, digest_tool, own_user, path, parts) if any(end > at for _, at, end in parts) else {}
        live = handles[path]
        size = states[path]["size"] if live else 0
        kept_now = (
            {"inode": os.fstat(live.fileno()).st_ino, "offset": size, "tail": tail_of(live, size)} if live else {}
        )
    finally:
        for handle in handles.values():
            if handle:
                handle.close()
    now = {"taken_at": taken_at, "uptime": uptime, "source": "slow_log", "slow_log": kept_now}
    ranked, samples = slow_log_window(previous, now, read, digest, flavor)
    return now, ranked, samples


def run_digest(module, digest_tool: str, own_user: str, path: str, parts: list) -> dict:
    """pt-query-digest's JSON of ``parts`` [(open file, from, to)], fed on its stdin."""
    command = [digest_tool, *DIGEST_COMMAND]
    if re.fullmatch(r"\w+", own_user):
        command[1:1] = ["--filter", f"($event->{{user}} || q()) ne q({own_user})"]
    environment = {**os.environ, **DIGEST_ENVIRONMENT}
    # its output and warnings go to files: a full pipe would stop it while this still writes stdin
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=out, stderr=err, env=environment) as process:
            try:
                for handle, start, end in parts:
                    handle.seek(start)
                    left = end - start
                    while left > 0:
                        chunk = handle.read(min(left, 1 << 20))
                        if not chunk:
                            break
                        process.stdin.write(chunk)
                        left -= len(chunk)
                process.stdin.close()
            except BrokenPipeError:
                pass  # it stopped reading: its exit code and its words below say why
            try:
                process.wait(timeout=DIGEST_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                module.fail_json(msg=f"pt-query-digest ran past {DIGEST_TIMEOUT_S} s on {path} and was stopped")
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            why = err.read().decode(errors="replace").strip()[:500]
            module.fail_json(msg=f"pt-query-digest failed on {path}: {why}")
        try:
            return json.loads(out.read() or b"{}")
        except ValueError as error:
            module.fail_json(msg=f"pt-query-digest gave no JSON for {path}: {error}")
    return {}


def plan_of(connection, flavor: str, schema: str, sample: str, text: str) -> dict:
    """The plan of one SELECT sample, in MySQL's JSON format 1 (the one MariaDB shares)."""
    cursor = connection.cursor()
    try:
        if flavor == "mysql":
            cursor.execute("SET SESSION explain_json_format_version = 1")
        if schema:
            cursor.execute(f"USE `{schema.replace('`', '``')}`")
        cursor.execute(f"EXPLAIN FORMAT=JSON {sample}")
        plan = json.loads(cursor.fetchone()[0])
    except (pymysql.MySQLError, ValueError, TypeError) as error:
        return no_plan(f"no plan: {str(error).splitlines()[0][:120]}")
    return reading(plan, text)


def application_tables(connection) -> dict[str, set[str]]:
    cursor = connection.cursor()
    cursor.execute(APPLICATION_TABLES)
    found: dict[str, set[str]] = {}
    for schema, table in cursor.fetchall():
        found.setdefault(str(schema), set()).add(str(table))
    return found


def no_plan(why: str) -> dict:
    return {"reading": why, "access_type": None, "key": None, "possible_keys": [], "missing": None, "tables": []}


def main():
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "user": {"type": "str", "required": True},
            "password": {"type": "str", "required": True, "no_log": True},
            "flavor": {"type": "str", "required": True, "choices": ["mysql", "mariadb"]},
            "window": {"type": "str", "default": "previous", "choices": ["previous", "start"]},
            "previous": {"type": "dict", "default": {}},
            "top": {"type": "int", "default": 10},
            "n_plus_one_calls": {"type": "int", "default": 100},
            "plan_ratio": {"type": "float", "default": 100},
            "show_literals": {"type": "bool", "default": False},
            "digest_tool": {"type": "path"},
        },
        supports_check_mode=True,
    )
    params = module.params
    flavor = params["flavor"]
    try:
        connection = pymysql.connect(
            unix_socket=params["socket"],
            user=params["user"],
            password=params["password"],
            autocommit=True,
            read_timeout=EXPLAIN_TIMEOUT_S,
        )
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"the report's account cannot connect on {params['socket']}: {error}")
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT VERSION()")
        server = f"{FLAVOR_NAMES[flavor]} {str(cursor.fetchone()[0]).split('-', 1)[0]}"
        cursor.execute("SHOW GLOBAL STATUS LIKE 'Uptime'")
        uptime = int(cursor.fetchone()[1])
        cursor.execute(SOURCES)
        performance_schema, slow_query_log, slow_log_file, long_query_time, datadir, log_output = cursor.fetchone()
        chosen = source(
            bool(int(performance_schema)), bool(int(slow_query_log)), float(long_query_time), str(log_output)
        )
        previous = window_start(params["window"], params["previous"], chosen["name"])
        if chosen["name"] == "performance_schema":
            now, samples = snapshot(cursor, flavor, uptime)
            ranked = window(previous, now)
        elif chosen["name"] == "slow_log":
            path = os.path.join(str(datadir), str(slow_log_file))
            now, ranked, samples = slow_log_snapshot(
                module, path, flavor, uptime, previous, params["user"], params["digest_tool"]
            )
        else:
            now, samples = {"taken_at": time.time(), "uptime": uptime, "source": None}, {}
            ranked = {"seconds": float(uptime), "since": "server start", "statements": []}
        statements = ranked["statements"][: params["top"]]
        tables_by_schema = None
        for statement in statements:
            sample = samples.get(statement["key"])
            if needs_a_plan(statement, params["plan_ratio"]) and sample and not statement["schema"]:
                if tables_by_schema is None:
                    tables_by_schema = application_tables(connection)
                statement["schema"] = schema_for(sample, tables_by_schema) or ""
                statement["schema_inferred"] = bool(statement["schema"])
            if needs_a_plan(statement, params["plan_ratio"]):
                statement["plan"] = (
                    plan_of(connection, flavor, statement["schema"], sample, statement["text"])
                    if sample
                    else no_plan("no statement of this digest is kept to EXPLAIN (MariaDB keeps the last ones only)")
                )
            if params["show_literals"] and sample:
                statement["sample"] = sample
        cursor = connection.cursor()
        unused = None
        if chosen["name"] == "performance_schema":
            # the reads of each index are performance_schema's count: unknown without it
            cursor.execute(UNUSED)
            unused = [tuple(str(value) for value in row) for row in cursor.fetchall()]
        cursor.execute(REDUNDANT)
        redundant = [tuple(str(value) for value in row) for row in cursor.fetchall()]
        cursor.execute(OLDEST)
        oldest = cursor.fetchone()
        last = None
        if oldest and not oldest[4] and chosen["name"] == "performance_schema":
            # idle in its transaction: the last statement it ran (MariaDB: with the consumers mysql_tune turns on)
            cursor.execute(LAST_STATEMENT, (oldest[2],))
            found = cursor.fetchone()
            last = str(found[0]) if found and found[0] else None
        cursor.execute(HISTORY_LENGTH)
        history = cursor.fetchone()
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"reading the query report failed: {error}")
    finally:
        connection.close()
    report = {
        "server": server,
        "source": chosen,
        "window": {"seconds": ranked["seconds"], "since": ranked["since"]},
        "statements": statements,
        "n_plus_one": n_plus_one(ranked["statements"], params["top"], params["n_plus_one_calls"]),
        "indexes": index_suggestions(unused, redundant, uptime),
        "transactions": {
            "oldest": oldest_transaction(oldest, last, params["show_literals"]),
            "history_list_length": int(history[0]) if history else None,
        },
    }
    module.exit_json(changed=False, report=report, snapshot=now)


if __name__ == "__main__":
    main()
