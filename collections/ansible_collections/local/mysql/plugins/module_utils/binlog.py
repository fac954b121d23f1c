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


def bench_purge(before: list[str] | None, after: list[str] | None, replicas: int, busy_host: bool) -> dict:
    """Whether the binary logs a load test wrote are purged at its end: {purge_to, note}.

    ``before`` and ``after`` are the server's binary logs when the test began and at its end,
    oldest first, the last one being written (None: binary logging off). Purging to the log being
    written removes every older one, the logs from before the test too: on a host the test found
    unused those hold no application's writes (the provisioning's, an interrupted test's), so they
    go as well, unless the test was allowed on a host in use. A connected replica may still need
    them: nothing goes then.
    """
    if not after:
        return {"purge_to": None, "note": "binary log off at the end of the run: nothing to purge"}
    if before is None:
        return {
            "purge_to": None,
            "note": f"binary logging was off when the run began: the {len(after)} binary logs listed now are kept",
        }
    older = after[:-1]
    earlier = [name for name in before[:-1] if name in older]
    written = len(older) - len(earlier)
    if not written:
        return {"purge_to": None, "note": "the run wrote only into the binary log the server still writes: kept"}
    if replicas:
        return {
            "purge_to": None,
            "note": f"kept the {written} binary logs the run wrote: {replicas} replica(s) connected may read them",
        }
    if earlier and busy_host:
        return {
            "purge_to": None,
            "note": f"kept the {written} binary logs the run wrote: purging them would also remove the "
            f"{len(earlier)} from before it, on a host in use (mysql_bench_allow_busy_host)",
        }
    return {
        "purge_to": after[-1],
        "note": f"purged the {written} binary logs the run wrote"
        + (f" and the {len(earlier)} older ones (the run found the host unused)" if earlier else "")
        + ": no replica connected",
    }
