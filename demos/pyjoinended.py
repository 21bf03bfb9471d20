"""pyjoinended.py: CPython joins of a thread already ended, and of one still running.

"ended" returns after 0.1 s; main waits until its OS thread is gone (/proc/self/task/<tid>
vanishes), then joins it: Thread.join returns without waiting. "running" sleeps 0.3 s
and main joins it while it runs: a join that waits. "unjoined" is a daemon thread that
returns after 0.1 s and is never joined. Prints TID lines, "GONE <tid>" once ended's OS thread is
gone, and JOIN lines.
"""
import os
import threading
import time

import _demo


def ended():
    _demo.hello("ended")
    time.sleep(0.1)  # main is past Thread.start's wait: the exit wakes no one (no join to infer)


def running():
    _demo.hello("running")
    time.sleep(0.3 * _demo.SCALE)


def unjoined():
    _demo.hello("unjoined")
    time.sleep(0.1)


def main():
    _demo.hello("main")
    a = threading.Thread(target=ended, name="ended")
    a.start()
    u = threading.Thread(target=unjoined, name="unjoined", daemon=True)
    u.start()
    while "ended" not in _demo.tids or os.path.exists("/proc/self/task/%d" % _demo.tids["ended"]):
        time.sleep(0.005)
    _demo.out("GONE %d" % _demo.tids["ended"])
    b = threading.Thread(target=running, name="running")
    b.start()
    _demo.join(a, "ended")
    _demo.join(b, "running")
    while "unjoined" not in _demo.tids or os.path.exists("/proc/self/task/%d" % _demo.tids["unjoined"]):
        time.sleep(0.005)


if __name__ == "__main__":
    main()
