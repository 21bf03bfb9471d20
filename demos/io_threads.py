#!/usr/bin/env python3
"""io_threads.py: 4 threads each sleep 0.1 s and read 4 KiB from /dev/zero, 30 times (GIL released while waiting)."""
import os
import time

import _demo
from _demo import SCALE, hello, out

NTHREADS = 4
ROUNDS = 30
SLEEP_SEC = 0.1                 # per round, times TT_SCALE
READ_BYTES = 4096


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
    hello("main")
    roles = ["w%d" % i for i in range(NTHREADS)]
    threads = _demo.start_threads(worker, roles)
    _demo.join_all(threads, roles)


if __name__ == "__main__":
    main()
