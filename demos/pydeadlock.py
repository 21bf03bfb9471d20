#!/usr/bin/env python3
"""pydeadlock.py: two Python threads take two locks in opposite order and deadlock; prints READY.

`pydeadlock.py` (default) uses two pthread mutexes called through ctypes, as a C extension
would: glibc records their owners, so threadtrace reports the deadlock as it forms.
`pydeadlock.py threading` uses two threading.Lock objects (semaphores: no owner anywhere):
threadtrace cannot see the cycle, but with --stacks shows where each thread is blocked at the end.
The threads lock after TT_DEADLOCK_DELAY seconds (default 1, not scaled); main then waits forever.
"""
import ctypes
import os
import sys
import threading

from _demo import hello, out

libc = ctypes.CDLL("libc.so.6", use_errno=True)


class NativeLock:
    """A default pthread mutex (zeroed = PTHREAD_MUTEX_INITIALIZER); ctypes lets go of the GIL."""

    def __init__(self):
        self.mutex = ctypes.create_string_buffer(64)  # pthread_mutex_t is 40 bytes

    def acquire(self):
        libc.pthread_mutex_lock(self.mutex)  # NATIVE-LOCK


def locker(role, first, second, hold, ready, go):
    hello(role)
    ready.wait()            # READY comes after every TID line
    go.wait()
    first.acquire()
    hold.wait()             # both first locks are held now
    second.acquire()        # SECOND-LOCK: never returns
    out("%s got both locks (no deadlock?)" % role)


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else "native"
    make = NativeLock if kind == "native" else threading.Lock
    a, b = make(), make()
    delay = float(os.environ.get("TT_DEADLOCK_DELAY", "1.0"))
    ready, go, hold = threading.Barrier(3), threading.Barrier(3), threading.Barrier(2)
    hello("main")
    threads = [threading.Thread(target=locker, args=("ab", a, b, hold, ready, go), name="locker-ab"),
               threading.Thread(target=locker, args=("ba", b, a, hold, ready, go), name="locker-ba")]
    for t in threads:
        t.start()
    ready.wait()
    out("READY")
    threading.Event().wait(delay)
    go.wait()
    for t in threads:
        t.join()            # forever


if __name__ == "__main__":
    main()
