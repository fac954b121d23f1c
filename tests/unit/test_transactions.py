"""The transaction reader's metrics (module_utils/transactions.py, installed on the host)."""

from __future__ import annotations

import re

from ansible_collections.local.mysql.plugins.module_utils.transactions import metrics_text
from hypothesis import given
from hypothesis import strategies as st

LINE = re.compile(r"^(mysql_toolkit_[a-z_]+) (\S+)$")


def values(text: str) -> dict[str, float]:
    return {match.group(1): float(match.group(2)) for match in map(LINE.match, text.splitlines()) if match}


def test_an_open_transaction_and_the_history_list():
    text = metrics_text((420, 20000), 2007, 300, 1765000000.5)
    assert values(text) == {
        "mysql_toolkit_oldest_transaction_seconds": 420,
        "mysql_toolkit_oldest_transaction_rows_modified": 20000,
        "mysql_toolkit_history_list_length": 2007,
        "mysql_toolkit_long_transaction_threshold_seconds": 300,
        "mysql_toolkit_transactions_read_timestamp_seconds": 1765000000.5,
    }
    assert text.count("# HELP ") == text.count("# TYPE ") == 5


def test_none_open_is_zero_and_an_uncounted_history_is_left_out():
    found = values(metrics_text(None, None, 300, 0))
    assert found["mysql_toolkit_oldest_transaction_seconds"] == 0
    assert "mysql_toolkit_history_list_length" not in found


@given(st.one_of(st.none(), st.tuples(st.integers(0, 10**7), st.integers(0, 10**9))), st.integers(0, 10**9))
def test_every_line_is_in_the_text_format(oldest, history):
    for line in metrics_text(oldest, history, 300, 1.0).splitlines():
        assert line.startswith(("# HELP mysql_toolkit_", "# TYPE mysql_toolkit_")) or LINE.match(line), line
