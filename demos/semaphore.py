#!/usr/bin/env python3
"""semaphore.py: threading.BoundedSemaphore(2) guards a pool; 5 threads hold a slot 0.3 s, 2 rounds each."""
import math
import os
import sys
import threading
import time

POOL_SIZE = 2
NTHREADS = 5
ROUNDS = 2

tids = {}                       # role -> native thread id, set by the thread itself
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


def worker(pool, role):
    hello(role)
    for r in range(ROUNDS):
        with pool:
            out("ACQUIRE %s %d" % (role, r))
            time.sleep(0.3 * SCALE)     # use the pool slot
            out("RELEASE %s %d" % (role, r))


def main():
    out("TID main %d" % threading.get_native_id())
    pool = threading.BoundedSemaphore(POOL_SIZE)
    roles = ["w%d" % i for i in range(NTHREADS)]
    threads = [threading.Thread(target=worker, args=(pool, r), name=r) for r in roles]
    for t in threads:
        t.start()
    for r, t in zip(roles, threads):
        t.join()
        out("JOIN %d %d" % (threading.get_native_id(), tids[r]))


if __name__ == "__main__":
    main()
