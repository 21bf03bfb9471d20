#!/usr/bin/env python3
"""mtsleep5.py: Thread subclass MyThread(func, args, name) named loop0/loop1 (Python names only, no OS rename)."""
import threading
from time import ctime, sleep

import _demo
from _demo import SCALE, hello, out

loops = [4, 2]


class MyThread(threading.Thread):
    def __init__(self, func, args, name=""):
        threading.Thread.__init__(self, name=name)
        self.func = func
        self.args = args

    def run(self):
        hello(self.name)
        self.func(*self.args)


def loop(nloop, nsec):
    out("start loop %d at: %s" % (nloop, ctime()))
    sleep(nsec * SCALE)
    out("loop %d done at: %s" % (nloop, ctime()))


def main():
    hello("main")
    out("starting at: %s" % ctime())
    threads = [MyThread(loop, (i, loops[i]), "loop%d" % i) for i in range(len(loops))]
    for t in threads:
        t.start()
    for t in threads:
        _demo.join(t, t.name)
    out("all DONE at: %s" % ctime())


if __name__ == "__main__":
    main()
