#!/usr/bin/env python3
"""semaphore.py: threading.BoundedSemaphore(2) guards a pool; 5 threads hold a slot 0.3 s, 2 rounds each."""
import threading
import time

import _demo
from _demo import SCALE, hello, out

POOL_SIZE = 2
NTHREADS = 5
ROUNDS = 2


def worker(pool, role):
    hello(role)
    for r in range(ROUNDS):
        with pool:
            out("ACQUIRE %s %d" % (role, r))
            time.sleep(0.3 * SCALE)     # use the pool slot
            out("RELEASE %s %d" % (role, r))


def main():
    hello("main")
    pool = threading.BoundedSemaphore(POOL_SIZE)
    roles = ["w%d" % i for i in range(NTHREADS)]
    threads = _demo.start_threads(worker, roles, pool)
    _demo.join_all(threads, roles)


if __name__ == "__main__":
    main()
