#!/usr/bin/env python3
"""io_threads.py: 4 threads each sleep 0.1 s and read 4 KiB from /dev/zero, 30 times (GIL released while waiting)."""
import math
import os
import sys
import threading
import time

NTHREADS = 4
ROUNDS = 30
SLEEP_SEC = 0.1                 # per round, times TT_SCALE
READ_BYTES = 4096

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


def worker(role):
    hello(role)
    nbytes = 0
    fd = os.open("/dev/zero", os.O_RDONLY)
    try:
        for _ in range(ROUNDS):
            time.sleep(SLEEP_SEC * SCALE)       # the "I/O wait"
            nbytes += len(os.read(fd, READ_BYTES))
    finally:
        os.close(fd)
    out("READ %s %d" % (role, nbytes))


def main():
    out("TID main %d" % threading.get_native_id())
    roles = ["w%d" % i for i in range(NTHREADS)]
    threads = [threading.Thread(target=worker, args=(r,), name=r) for r in roles]
    for t in threads:
        t.start()
    for r, t in zip(roles, threads):
        t.join()
        out("JOIN %d %d" % (threading.get_native_id(), tids[r]))


if __name__ == "__main__":
    main()
