#!/usr/bin/env python3
"""daemon.py: daemon threads still running when main returns; worker1 is joined only by interpreter shutdown."""
import threading
from time import sleep

import _demo
from _demo import SCALE, hello, out


def daemon(role):
    hello(role)
    while True:                 # never ends by itself
        sleep(0.1 * SCALE)


def worker(role, nsec):
    hello(role)
    sleep(nsec * SCALE)


def main():
    hello("main")
    for i in range(2):
        threading.Thread(target=daemon, args=("daemon%d" % i,), daemon=True).start()
    w0 = threading.Thread(target=worker, args=("worker0", 1.0))
    w1 = threading.Thread(target=worker, args=("worker1", 1.5))
    w0.start()
    w1.start()
    _demo.join(w0, "worker0")
    # worker1 is not joined here: threading._shutdown() joins it at exit.
    out("main done")


if __name__ == "__main__":
    main()
