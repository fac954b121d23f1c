"""What the binary logs on a host say about how fast the server writes them."""

from __future__ import annotations

import os


def index_paths(index_text: str, datadir: str) -> list[str]:
    """The files a binary-log index lists, oldest first; relative entries are under the datadir."""
    paths = []
    for line in index_text.splitlines():
        name = line.strip()
        if name:
            paths.append(os.path.normpath(os.path.join(datadir, name)))
    return paths


def history(files: list[tuple[int, float]], now: float) -> dict:
    """Bytes the binary logs hold, and what was written over which span of seconds.

    ``files`` are (size, mtime) oldest first. The oldest file's mtime is when the server closed
    it, so the files after it were written between then and ``now``: that is the rate's window.
    """
    total = sum(size for size, _mtime in files)
    if len(files) < 2:
        return {"files": len(files), "bytes": total, "written": 0, "span": 0}
    return {
        "files": len(files),
        "bytes": total,
        "written": sum(size for size, _mtime in files[1:]),
        "span": max(0, int(now - files[0][1])),
    }
