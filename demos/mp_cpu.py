#!/usr/bin/env python3
"""mp_cpu.py: cpu_threads.py with 4 worker processes (multiprocessing, "fork"): no shared GIL, so ~2 CPUs here."""
import multiprocessing
import os
import sys
import threading

from _demo import SCALE, spin
from _demo import write_line as out     # no out_lock needed: each process has its own stdout buffer

NPROCS = 4
RUN_SEC = 3.0                   # per process, times TT_SCALE


def worker(role):
    # A process, not a thread of the traced process: PID line, not TID.
    out("PID %s %d" % (role, os.getpid()))
    out("ITER %s %d" % (role, spin(RUN_SEC * SCALE)))


def main():
    out("TID main %d" % threading.get_native_id())
    ctx = multiprocessing.get_context("fork")
    roles = ["w%d" % i for i in range(NPROCS)]
    procs = [ctx.Process(target=worker, args=(r,), name=r) for r in roles]
    for p in procs:
        p.start()
    for r, p in zip(roles, procs):
        p.join()
        if p.exitcode != 0:
            out("FAILED %s exitcode %s" % (r, p.exitcode))
    sys.exit(0 if all(p.exitcode == 0 for p in procs) else 1)


if __name__ == "__main__":
    main()
