#!/usr/bin/env python3
"""cpu_threads.py: 4 threads run a pure-Python CPU loop for 3 s each; they share the GIL, so ~1 CPU in total."""

import _demo
from _demo import SCALE, hello, out, spin

NTHREADS = 4
RUN_SEC = 3.0                   # per thread, times TT_SCALE

iters = {}                      # role -> loop iterations done


def worker(role):
    hello(role)
    iters[role] = spin(RUN_SEC * SCALE)


def main():
    hello("main")
    roles = ["w%d" % i for i in range(NTHREADS)]
    threads = _demo.start_threads(worker, roles)
    _demo.join_all(threads, roles)
    for r in roles:
        out("ITER %s %d" % (r, iters[r]))


if __name__ == "__main__":
    main()
