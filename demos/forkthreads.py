"""forkthreads.py: a process with a thread forks 2 children with 2 threads each (-f).

Each thread, and each process's main thread, prints "THREAD <pid> <tid>": which process
each thread belongs to. Lines go out with os.write (one write each, no lock: a lock held
by another thread at the fork would stay held in the child). The parent's thread has
printed before the forks; children end with os._exit; the parent waits for them, then
joins its own thread.
"""
import os
import threading
import time

import _demo


def say():
    os.write(1, b"THREAD %d %d\n" % (os.getpid(), threading.get_native_id()))


def worker(said):
    say()
    said.set()
    time.sleep(0.2 * _demo.SCALE)


def start(n):
    ts = []
    for _ in range(n):
        said = threading.Event()
        ts.append(threading.Thread(target=worker, args=(said,)))
        ts[-1].start()
        said.wait()
    return ts


def main():
    say()
    mine = start(1)
    children = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            say()
            for t in start(2):
                t.join()
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    for t in mine:
        t.join()


if __name__ == "__main__":
    main()
