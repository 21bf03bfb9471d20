#!/usr/bin/env python3
"""mtsleep5.py: Thread subclass MyThread(func, args, name) named loop0/loop1 (Python names only, no OS rename)."""
import math
import os
import sys
import threading
from time import ctime, sleep

loops = [4, 2]
tids = {}                       # thread name -> native thread id, set by the thread itself
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


class MyThread(threading.Thread):
    def __init__(self, func, args, name=""):
        threading.Thread.__init__(self, name=name)
        self.func = func
        self.args = args

    def run(self):
        tids[self.name] = threading.get_native_id()
        out("TID %s %d" % (self.name, tids[self.name]))
        self.func(*self.args)


def loop(nloop, nsec):
    out("start loop %d at: %s" % (nloop, ctime()))
    sleep(nsec * SCALE)
    out("loop %d done at: %s" % (nloop, ctime()))


def main():
    out("TID main %d" % threading.get_native_id())
    out("starting at: %s" % ctime())
    threads = [MyThread(loop, (i, loops[i]), "loop%d" % i) for i in range(len(loops))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
        out("JOIN %d %d" % (threading.get_native_id(), tids[t.name]))
    out("all DONE at: %s" % ctime())


if __name__ == "__main__":
    main()
