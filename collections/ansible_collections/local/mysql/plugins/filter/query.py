"""Filters that print the query report (module_utils/query_health.py)."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.query_health import page


class FilterModule:
    def filters(self):
        return {"query_page": page}
