"""Run one command; print its wall time (s), peak resident memory (KiB) and the fresh memory
it wrote (KiB, see `fresh`) on one line.

`python -S bench/measure.py CMD ...` — used by `bench/run.py` and `bench/dask_run.py`
instead of spawning the command themselves. On Linux a process started with vfork (what
`subprocess` and `posix_spawn` use) takes its parent's memory high-water mark as its own
starting `ru_maxrss` when it calls exec: spawned from a driver that once held 500 MB (pyarrow
imported, a Dask client, data generated or compared), every command measured "peaked" at 500
MB or more. This launcher is a fresh, small process (about 10 MB, no site packages), so the
figure it reports is the command's own peak, floored at the launcher's size.

Fresh memory is what the command's page faults mapped: each fault maps a 4 KiB page, or a
transparent huge page (2 MiB) when the kernel hands one (`thp_fault_alloc` in /proc/vmstat;
that counter is the machine's, so other work running meanwhile would count too). On the
benchmark's VMs first touching memory costs 0.4–3.4 s per GiB, depending on what the host
has taken back, so this is the figure that predicts a run's time (issue 21), beside the peak.

The command's stdout goes to /dev/null; its stderr is this process's stderr. The exit status
is the command's.
"""

import os
import sys
import time


def huge_faults() -> int:
    """Transparent huge pages the kernel has handed on a fault since it started (0 where it
    does not say)."""
    try:
        with open("/proc/vmstat") as fh:
            for line in fh:
                if line.startswith("thp_fault_alloc "):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> int:
    cmd = sys.argv[1:]
    devnull = os.open(os.devnull, os.O_WRONLY)
    huge = huge_faults()
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    huge = min(huge_faults() - huge, usage.ru_minflt)
    fresh = huge * 2048 + (usage.ru_minflt - huge) * 4
    print(f"{elapsed:.6f} {usage.ru_maxrss} {fresh}", flush=True)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
