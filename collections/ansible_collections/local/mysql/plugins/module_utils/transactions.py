"""The oldest open transaction and the history list as metrics for the node exporter's textfile
collector. Standard library only: the mysql_monitor role installs this file on the host beside
`mysql-toolkit-transactions`, which reads the server every 30 seconds (mysqld_exporter has no
collector for a transaction's age).
"""

from __future__ import annotations

# The oldest transaction InnoDB holds open: its age in seconds and the rows it changed.
OLDEST = (
    "SELECT TIMESTAMPDIFF(SECOND, trx_started, NOW()), trx_rows_modified"
    " FROM information_schema.INNODB_TRX ORDER BY trx_started LIMIT 1"
)
HISTORY_LENGTH = "SELECT COUNT FROM information_schema.INNODB_METRICS WHERE NAME = 'trx_rseg_history_len'"
PREFIX = "mysql_toolkit_"


def metrics_text(oldest: tuple | None, history_length: int | None, threshold_s: int, now: float) -> str:
    """The metrics in the text format: the oldest transaction's age and rows modified (0 when none is
    open), the history list length (left out when the server does not count it), the long-transaction
    threshold the alert compares with, and when they were read."""
    age, modified = (int(oldest[0] or 0), int(oldest[1] or 0)) if oldest else (0, 0)
    series = [
        ("oldest_transaction_seconds", "Age of the oldest open InnoDB transaction (0: none open).", age),
        ("oldest_transaction_rows_modified", "Rows the oldest open InnoDB transaction has changed.", modified),
        ("long_transaction_threshold_seconds", "mysql_monitor_long_transaction_s: a longer one alerts.", threshold_s),
        ("transactions_read_timestamp_seconds", "When the transactions were last read.", round(now, 3)),
    ]
    if history_length is not None:
        series.insert(2, ("history_list_length", "Undo logs of committed transactions not purged yet.", history_length))
    lines = []
    for name, help_text, value in series:
        lines += [f"# HELP {PREFIX}{name} {help_text}", f"# TYPE {PREFIX}{name} gauge", f"{PREFIX}{name} {value}"]
    return "\n".join(lines) + "\n"
