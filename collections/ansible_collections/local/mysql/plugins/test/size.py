"""Jinja test: ``value is local.mysql.size`` when value is bytes or a number with K/M/G/T."""

from __future__ import annotations

from ansible_collections.local.mysql.plugins.module_utils.sizing import SizingError, parse_size


def is_size(value) -> bool:
    try:
        parse_size(value)
    except SizingError:
        return False
    return True


class TestModule:
    def tests(self):
        return {"size": is_size}
