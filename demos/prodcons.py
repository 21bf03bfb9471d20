#!/usr/bin/env python3
"""prodcons.py: queue.Queue(maxsize=4): 1 producer puts 40 items (random 0..50 ms apart), 2 consumers take them."""
import math
import os
import queue
import random
import sys
import threading
import time

CAPACITY = 4
NITEMS = 40
NCONSUMERS = 2

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


def producer(q):
    hello("producer")
    random.seed(42)
    for i in range(NITEMS):
        time.sleep(random.randint(0, 50) / 1000.0 * SCALE)
        out("PUT %d" % i)       # printed before put(), so it always precedes its GOT line
        q.put(i)
    for _ in range(NCONSUMERS):
        out("PUT None")
        q.put(None)             # one sentinel per consumer


def consumer(q, role):
    hello(role)
    while True:
        item = q.get()
        out("GOT %s %s" % (role, item))
        if item is None:
            return
        time.sleep(0.020 * SCALE)   # "process" the item


def main():
    out("TID main %d" % threading.get_native_id())
    q = queue.Queue(maxsize=CAPACITY)
    roles = ["producer"] + ["consumer%d" % i for i in range(NCONSUMERS)]
    threads = [threading.Thread(target=producer, args=(q,), name="producer")]
    threads += [threading.Thread(target=consumer, args=(q, r), name=r) for r in roles[1:]]
    for t in threads:
        t.start()
    for r, t in zip(roles, threads):
        t.join()
        out("JOIN %d %d" % (threading.get_native_id(), tids[r]))


if __name__ == "__main__":
    main()
