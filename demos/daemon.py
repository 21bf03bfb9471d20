#!/usr/bin/env python3
"""daemon.py: daemon threads still running when main returns; worker1 is joined only by interpreter shutdown."""
import math
import os
import sys
import threading
from time import sleep

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


def daemon(role):
    hello(role)
    while True:                 # never ends by itself
        sleep(0.1 * SCALE)


def worker(role, nsec):
    hello(role)
    sleep(nsec * SCALE)


def main():
    out("TID main %d" % threading.get_native_id())
    for i in range(2):
        threading.Thread(target=daemon, args=("daemon%d" % i,), daemon=True).start()
    w0 = threading.Thread(target=worker, args=("worker0", 1.0))
    w1 = threading.Thread(target=worker, args=("worker1", 1.5))
    w0.start()
    w1.start()
    w0.join()
    out("JOIN %d %d" % (threading.get_native_id(), tids["worker0"]))
    # worker1 is not joined here: threading._shutdown() joins it at exit.
    out("main done")


if __name__ == "__main__":
    main()
