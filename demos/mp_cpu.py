#!/usr/bin/env python3
"""mp_cpu.py: cpu_threads.py with 4 worker processes (multiprocessing, "fork"): no shared GIL, so ~2 CPUs here."""
import math
import multiprocessing
import os
import sys
import threading
import time

NPROCS = 4
RUN_SEC = 3.0                   # per process, times TT_SCALE
CHECK_EVERY = 10000             # look at the clock every this many iterations


def out(line):
    # One write() per line; no lock needed: each process has its own stdout buffer.
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def read_scale():
    s = os.environ.get("TT_SCALE", "1.0")
    try:
        v = float(s)
    except ValueError:
        v = -1.0
    if not math.isfinite(v) or v < 0:
        sys.stderr.write("invalid TT_SCALE '%s' (want a float >= 0)\n" % s)
        sys.exit(2)
    return v


SCALE = read_scale()


def spin(seconds):
    """Pure-Python busy loop; returns the iterations."""
    end = time.monotonic() + seconds
    n = total = 0
    while True:
        total += n
        n += 1
        if n % CHECK_EVERY == 0 and time.monotonic() >= end:
            return n


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
