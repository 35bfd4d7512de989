"""Run one command; print its wall time (s) and peak resident memory (KiB) on one line.

`python -S bench/measure.py CMD ...` — used by `bench/run.py` and `bench/dask_run.py`
instead of spawning the command themselves. On Linux a process started with vfork (what
`subprocess` and `posix_spawn` use) takes its parent's memory high-water mark as its own
starting `ru_maxrss` when it calls exec: spawned from a driver that once held 500 MB (pyarrow
imported, a Dask client, data generated or compared), every command measured "peaked" at 500
MB or more. This launcher is a fresh, small process (about 10 MB, no site packages), so the
figure it reports is the command's own peak, floored at the launcher's size.

The command's stdout goes to /dev/null; its stderr is this process's stderr. The exit status
is the command's.
"""

import os
import sys
import time


def main() -> int:
    cmd = sys.argv[1:]
    devnull = os.open(os.devnull, os.O_WRONLY)
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.6f} {usage.ru_maxrss}", flush=True)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
