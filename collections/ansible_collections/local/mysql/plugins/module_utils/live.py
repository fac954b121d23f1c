"""The running server, reached as root over its local socket with PyMySQL."""

from __future__ import annotations

try:
    import pymysql
except ImportError:  # the modules report it with MISSING_DRIVER
    pymysql = None

MISSING_DRIVER = "PyMySQL is required on the managed host (python3-pymysql)"


def connect(socket: str):
    """A root connection over the socket (socket authentication); raises pymysql.MySQLError."""
    return pymysql.connect(unix_socket=socket, user="root", autocommit=True)


def connect_tcp(host: str, port: int, user: str, password: str, tls: bool):
    """An account's connection over TCP, encrypted when asked (the lab's certificates are self-signed:
    the channel is what is required, as REQUIRE SSL asks); raises pymysql.MySQLError."""
    return pymysql.connect(
        host=host,
        port=port,
        user=user,
        password=password,
        autocommit=True,
        connect_timeout=10,
        ssl={"check_hostname": False} if tls else None,
    )


def global_variables(cursor) -> dict[str, str]:
    """SHOW GLOBAL VARIABLES, names in lower case."""
    cursor.execute("SHOW GLOBAL VARIABLES")
    return {name.lower(): value for name, value in cursor.fetchall()}


def connect_or_fail(module, socket: str):
    """A root connection, or the module fails saying why."""
    if pymysql is None:
        module.fail_json(msg=MISSING_DRIVER)
    try:
        return connect(socket)
    except pymysql.MySQLError as error:
        module.fail_json(msg=f"cannot reach the server on {socket}: {error}")


def table_exists(cursor, schema: str, table: str) -> bool:
    cursor.execute(
        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s", (schema, table)
    )
    return cursor.fetchone()[0] > 0


def binary_logs(cursor) -> list[str] | None:
    """The binary logs the server lists, oldest first (it writes the last one); None when it writes none."""
    cursor.execute("SELECT @@GLOBAL.log_bin")
    row = cursor.fetchone()
    if not row or not int(row[0] or 0):
        return None
    cursor.execute("SHOW BINARY LOGS")
    return [row[0] for row in cursor.fetchall()]


def replica_connections(cursor) -> int:
    """Replicas reading the binary log now: the server's binlog dump threads."""
    cursor.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")
    return int(cursor.fetchone()[0])
