#!/usr/bin/env python3
"""mtsleep3.py: one threading.Thread per loop (target function); main joins loop0, then loop1."""
import math
import os
import sys
import threading
from time import ctime, sleep

loops = [4, 2]
tids = {}                       # loop number -> native thread id, set by the thread itself
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


def loop(nloop, nsec):
    tids[nloop] = threading.get_native_id()
    out("TID loop%d %d" % (nloop, tids[nloop]))
    out("start loop %d at: %s" % (nloop, ctime()))
    sleep(nsec * SCALE)
    out("loop %d done at: %s" % (nloop, ctime()))


def main():
    out("TID main %d" % threading.get_native_id())
    out("starting at: %s" % ctime())
    threads = [threading.Thread(target=loop, args=(i, loops[i])) for i in range(len(loops))]
    for t in threads:
        t.start()
    for i, t in enumerate(threads):
        t.join()
        out("JOIN %d %d" % (threading.get_native_id(), tids[i]))
    out("all DONE at: %s" % ctime())


if __name__ == "__main__":
    main()
