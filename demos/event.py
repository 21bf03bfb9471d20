#!/usr/bin/env python3
"""event.py: 3 waiters block on threading.Event.wait(); main sets the event after 1 s."""
import math
import os
import sys
import threading
import time

NWAITERS = 3

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


def waiter(event, role):
    hello(role)
    event.wait()
    out("WOKE %s" % role)


def main():
    out("TID main %d" % threading.get_native_id())
    event = threading.Event()
    roles = ["waiter%d" % i for i in range(NWAITERS)]
    threads = [threading.Thread(target=waiter, args=(event, r), name=r) for r in roles]
    for t in threads:
        t.start()
    time.sleep(1.0 * SCALE)
    out("SET")                  # before set(), so it precedes every WOKE line
    event.set()
    for r, t in zip(roles, threads):
        t.join()
        out("JOIN %d %d" % (threading.get_native_id(), tids[r]))


if __name__ == "__main__":
    main()
