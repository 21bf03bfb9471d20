#!/usr/bin/env python3
"""cpu_threads.py: 4 threads run a pure-Python CPU loop for 3 s each; they share the GIL, so ~1 CPU in total."""
import math
import os
import sys
import threading
import time

NTHREADS = 4
RUN_SEC = 3.0                   # per thread, times TT_SCALE
CHECK_EVERY = 10000             # look at the clock every this many iterations

tids = {}                       # role -> native thread id, set by the thread itself
iters = {}                      # role -> loop iterations done
out_lock = threading.Lock()


def out(line):
    with out_lock:
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


def hello(role):
    tids[role] = threading.get_native_id()
    out("TID %s %d" % (role, tids[role]))


def spin(seconds):
    """Pure-Python busy loop (holds the GIL but for the forced switches); returns the iterations."""
    end = time.monotonic() + seconds
    n = total = 0
    while True:
        total += n
        n += 1
        if n % CHECK_EVERY == 0 and time.monotonic() >= end:
            return n


def worker(role):
    hello(role)
    iters[role] = spin(RUN_SEC * SCALE)


def main():
    out("TID main %d" % threading.get_native_id())
    roles = ["w%d" % i for i in range(NTHREADS)]
    threads = [threading.Thread(target=worker, args=(r,), name=r) for r in roles]
    for t in threads:
        t.start()
    for r, t in zip(roles, threads):
        t.join()
        out("JOIN %d %d" % (threading.get_native_id(), tids[r]))
    for r in roles:
        out("ITER %s %d" % (r, iters[r]))


if __name__ == "__main__":
    main()
