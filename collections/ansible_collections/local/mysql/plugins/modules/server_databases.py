#!/usr/bin/python
"""Ansible module: the application's databases, as listed."""

DOCUMENTATION = r"""
module: server_databases
short_description: Create the listed databases, correct their character set and collation, drop only when allowed
description:
  - Connects as root over the local socket and reads every database's character set and default
    collation. A listed database that is missing is created; one whose character set or collation
    differs is altered (the default for tables created from then on; existing tables keep theirs).
  - A database listed with C(state=absent) is dropped only with I(allow_drop); without it the whole
    list is refused before any statement. A database the list does not name is never touched.
  - Without a collation the server's default for the character set is used, as the server reports
    it (MariaDB's C(character_set_collations) included). The character set and collation of each
    listed database are recorded in the fact file's C(databases) section for the drift report.
  - Check mode reports what a run would do; diff mode lists each database and what differs.
options:
  socket:
    description: The server's socket.
    type: path
    required: true
  databases:
    description: The databases.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Database name (letters, digits, _ and $).
        type: str
        required: true
      charset:
        description: Character set.
        type: str
        default: utf8mb4
      collation:
        description: Collation; empty for the server's default collation of the character set.
        type: str
        default: ""
      state:
        description: C(absent) drops the database, with I(allow_drop) only.
        type: str
        choices: [present, absent]
        default: present
  allow_drop:
    description: Let a database listed C(absent) be dropped, with its data.
    type: bool
    default: false
  path:
    description: The fact file (default the toolkit's).
    type: path
author: MySQL tuning toolkit contributors
requirements: [PyMySQL]
"""

EXAMPLES = r"""
- name: The application's database
  local.mysql.server_databases:
    socket: /run/mysqld/mysqld.sock
    databases:
      - name: appdb
"""

RETURN = r"""
created:
  description: Databases created.
  type: list
  elements: str
  returned: success
altered:
  description: Databases altered, each with what differed.
  type: dict
  returned: success
dropped:
  description: Databases dropped.
  type: list
  elements: str
  returned: success
databases:
  description: Each present database's character set and collation, as recorded.
  type: dict
  returned: success
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.local.mysql.plugins.module_utils.databases import (
    DatabaseError,
    default_collations,
    listed,
    plan,
    record,
)
from ansible_collections.local.mysql.plugins.module_utils.live import connect_or_fail, pymysql
from ansible_collections.local.mysql.plugins.module_utils.observe import FactFileError, load_facts, save_facts

SECTION = "databases"
DONE = {"create": "created", "alter": "altered", "drop": "dropped"}


def read_server(cursor) -> tuple[dict, dict, dict]:
    """The server's databases, default collations and collations."""
    cursor.execute(
        "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA"
    )
    live = {str(name): (str(charset), str(collation)) for name, charset, collation in cursor.fetchall()}
    cursor.execute("SELECT CHARACTER_SET_NAME, DEFAULT_COLLATE_NAME FROM information_schema.CHARACTER_SETS")
    charsets = [(str(name), str(collation)) for name, collation in cursor.fetchall()]
    cursor.execute("SHOW GLOBAL VARIABLES LIKE 'character_set_collations'")
    row = cursor.fetchone()
    cursor.execute("SELECT COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLLATIONS")
    collations = {str(name): str(charset) for name, charset in cursor.fetchall() if charset is not None}
    # MariaDB >= 10.10 names a charset's UCA 14 collations in FULL_COLLATION_NAME only
    # (COLLATIONS lists "uca1400_ai_ci", a database says "utf8mb4_uca1400_ai_ci").
    cursor.execute(
        "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'information_schema'"
        " AND TABLE_NAME = 'COLLATION_CHARACTER_SET_APPLICABILITY' AND COLUMN_NAME = 'FULL_COLLATION_NAME'"
    )
    full_names = cursor.fetchone()
    if full_names and full_names[0]:
        cursor.execute(
            "SELECT FULL_COLLATION_NAME, CHARACTER_SET_NAME"
            " FROM information_schema.COLLATION_CHARACTER_SET_APPLICABILITY"
        )
        collations.update((str(name), str(charset)) for name, charset in cursor.fetchall())
    return live, default_collations(charsets, str(row[1]) if row else ""), collations


def main():
    database_options = {
        "name": {"type": "str", "required": True},
        "charset": {"type": "str", "default": "utf8mb4"},
        "collation": {"type": "str", "default": ""},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    }
    module = AnsibleModule(
        argument_spec={
            "socket": {"type": "path", "required": True},
            "databases": {"type": "list", "elements": "dict", "required": True, "options": database_options},
            "allow_drop": {"type": "bool", "default": False},
            "path": {"type": "path"},
        },
        supports_check_mode=True,
    )
    try:
        facts = load_facts(module.params["path"])
        databases = listed(module.params["databases"])
    except (FactFileError, DatabaseError) as error:
        module.fail_json(msg=str(error))

    connection = connect_or_fail(module, module.params["socket"])
    done = []
    try:
        cursor = connection.cursor()
        live, defaults, collations = read_server(cursor)
        steps = plan(databases, live, defaults, collations, module.params["allow_drop"])
        intent = record(databases, defaults, collations)
        for step in [] if module.check_mode else steps:
            cursor.execute(step.statement)
            done.append(step)
    except DatabaseError as error:
        module.fail_json(msg=str(error))
    except pymysql.MySQLError as error:
        module.fail_json(
            msg=f"mysql_server_databases: the server refused it: {error}",
            created=[step.name for step in done if step.action == "create"],
        )
    finally:
        connection.close()

    shown = steps if module.check_mode else done
    record_changed = (facts.get(SECTION) or {}) != intent
    if record_changed and not module.check_mode:
        facts[SECTION] = intent
        save_facts(module.params["path"], facts, module.atomic_move)
    result = {
        "changed": bool(shown or record_changed),
        "created": [step.name for step in shown if step.action == "create"],
        "altered": {step.name: list(step.differs) for step in shown if step.action == "alter"},
        "dropped": [step.name for step in shown if step.action == "drop"],
        "databases": intent,
    }
    if module._diff:
        result["diff"] = {
            "before_header": "databases",
            "after_header": "databases",
            "before": "".join(
                f"{step.name}: {', '.join(step.differs) or 'present'}\n" for step in shown if step.action != "create"
            ),
            "after": "".join(f"{step.name}: {DONE[step.action]}\n" for step in shown),
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()
