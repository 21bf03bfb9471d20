#!/usr/bin/env python3
"""mtsleep3.py: one threading.Thread per loop (target function); main joins loop0, then loop1."""
import threading
from time import ctime, sleep

import _demo
from _demo import SCALE, hello, out

loops = [4, 2]


def loop(nloop, nsec):
    hello("loop%d" % nloop)
    out("start loop %d at: %s" % (nloop, ctime()))
    sleep(nsec * SCALE)
    out("loop %d done at: %s" % (nloop, ctime()))


def main():
    hello("main")
    out("starting at: %s" % ctime())
    threads = [threading.Thread(target=loop, args=(i, loops[i])) for i in range(len(loops))]
    for t in threads:
        t.start()
    for i, t in enumerate(threads):
        _demo.join(t, "loop%d" % i)
    out("all DONE at: %s" % ctime())


if __name__ == "__main__":
    main()
