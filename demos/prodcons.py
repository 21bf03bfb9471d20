#!/usr/bin/env python3
"""prodcons.py: queue.Queue(maxsize=4): 1 producer puts 40 items (random 0..50 ms apart), 2 consumers take them."""
import queue
import random
import threading
import time

import _demo
from _demo import SCALE, hello, out

CAPACITY = 4
NITEMS = 40
NCONSUMERS = 2


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
    hello("main")
    q = queue.Queue(maxsize=CAPACITY)
    roles = ["producer"] + ["consumer%d" % i for i in range(NCONSUMERS)]
    threads = [threading.Thread(target=producer, args=(q,), name="producer")]
    threads += [threading.Thread(target=consumer, args=(q, r), name=r) for r in roles[1:]]
    for t in threads:
        t.start()
    _demo.join_all(threads, roles)


if __name__ == "__main__":
    main()
