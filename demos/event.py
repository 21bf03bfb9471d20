#!/usr/bin/env python3
"""event.py: 3 waiters block on threading.Event.wait(); main sets the event after 1 s."""
import threading
import time

import _demo
from _demo import SCALE, hello, out

NWAITERS = 3


def waiter(event, role):
    hello(role)
    event.wait()
    out("WOKE %s" % role)


def main():
    hello("main")
    event = threading.Event()
    roles = ["waiter%d" % i for i in range(NWAITERS)]
    threads = _demo.start_threads(waiter, roles, event)
    time.sleep(1.0 * SCALE)
    out("SET")                  # before set(), so it precedes every WOKE line
    event.set()
    _demo.join_all(threads, roles)


if __name__ == "__main__":
    main()
