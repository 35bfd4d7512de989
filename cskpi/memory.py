"""Give freed memory back to the system between the big steps of a report, and tell how much
this process can still use (`available`: MemAvailable and the cgroup limit).

Arrow's allocator (mimalloc in the wheels) and glibc's malloc keep pages that were freed, so
they can be reused without asking the kernel again. After a file is read and normalised,
that is memory the rest of the report never reuses: on 10 million tickets it was about
1.3 GiB (RSS 2.3 GiB against 1.0 GiB live), and it all adds to the peak. `release()` hands it
back: Arrow's pool (`release_unused`) and, on glibc, `malloc_trim(0)`. It costs a few
milliseconds and touches nothing that is still in use.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    """glibc's `malloc_trim`, or None elsewhere (macOS, musl, Windows)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release() -> None:
    """Return freed-but-kept memory to the system. Imports nothing that is not loaded yet."""
    pa = sys.modules.get("pyarrow")
    if pa is not None:
        pa.default_memory_pool().release_unused()
    trim = _libc()
    if trim is not None:
        trim(0)


def available(proc: str = "/proc", cgroup: str = "/sys/fs/cgroup") -> int | None:
    """Bytes this process can still use: the kernel's `MemAvailable` (free memory plus the
    page cache it can drop; `MemFree` alone counts a machine full of cache as full), capped
    by the room left under a cgroup memory limit (a container's: v2 `memory.max` less
    `memory.current`, v1 `memory.limit_in_bytes` less `memory.usage_in_bytes`). None when
    none of these can be read (not Linux). `proc`, `cgroup`: the mount points, for tests."""
    found = [n for n in (_meminfo(proc), _cgroup_room(proc, cgroup)) if n is not None]
    return min(found) if found else None


def _meminfo(proc: str) -> int | None:
    try:
        with open(f"{proc}/meminfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024  # kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_room(proc: str, cgroup: str) -> int | None:
    """The room under the tightest limit of this process's cgroup (v2 or v1, memory)."""
    try:
        with open(f"{proc}/self/cgroup", encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    rooms = []
    for line in lines:
        fields = line.split(":", 2)
        if len(fields) != 3:
            continue
        _, controllers, path = fields
        if controllers == "":  # v2: one unified hierarchy
            pairs = [
                (f"{cgroup}{d}/memory.max", f"{cgroup}{d}/memory.current")
                for d in (path.rstrip("/"), "")
            ]
        elif "memory" in controllers.split(","):  # v1
            base = f"{cgroup}/memory"
            pairs = [
                (f"{base}{d}/memory.limit_in_bytes", f"{base}{d}/memory.usage_in_bytes")
                for d in (path.rstrip("/"), "")
            ]
        else:
            continue
        for limit_file, usage_file in pairs:  # own path, else the namespace's root
            limit, usage = _number(limit_file), _number(usage_file)
            if limit is not None:
                if limit < 2**60:  # "max" or v1's 2**63 rounded down: no limit
                    rooms.append(max(limit - (usage or 0), 0))
                break
    return min(rooms) if rooms else None


def _number(path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as fh:
            text = fh.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    if text == "max":
        return 2**63
    try:
        return int(text)
    except ValueError:
        return None
