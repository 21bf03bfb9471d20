#!/usr/bin/env python3
"""pynames.py: threading names threadtrace reads from the interpreter (CPython 3.11 gives the OS none).

Threads named at creation (one with a name that needs quoting), one renamed from inside, one that
ends early, and one still blocked on a lock when a trace of `-d 4` stops (the process ends at 5 s).
Times are not scaled by TT_SCALE: each thread lives at least 0.5 s, long enough for threadtrace,
which reads names every 250 ms while threads start, to see it.
"""
import threading
from time import sleep

from _demo import hello

ODD_NAME = 'odd, "name" \u00fc'  # a comma, quotes, a space and a non-ASCII letter


def worker(role, seconds):
    hello(role)
    sleep(seconds)


def renamer(role):
    hello(role)
    sleep(0.3)
    threading.current_thread().name = "renamed"
    sleep(0.7)


def blocked(role, gate):
    hello(role)
    gate.acquire()  # BLOCKED-HERE: main holds the gate until the process ends


def main():
    hello("main")
    gate = threading.Lock()
    gate.acquire()
    threads = [
        threading.Thread(target=worker, args=("worker-0", 1.5), name="worker-0"),
        threading.Thread(target=worker, args=("odd", 1.5), name=ODD_NAME),
        threading.Thread(target=worker, args=("early", 0.6), name="early"),
        threading.Thread(target=renamer, args=("renamer",), name="to-rename"),
        threading.Thread(target=blocked, args=("blocked", gate), name="blocked", daemon=True),
    ]
    for t in threads:
        t.start()
    for t in threads[:4]:
        t.join()
    sleep(3.5)  # MAIN-SLEEP: still here when a trace of -d 4 stops; then exits, blocked with it


if __name__ == "__main__":
    main()
