"""_demo.py: what the Python demos share (TT_SCALE, TID/JOIN lines, flushed output, a busy loop).

Imported as `import _demo`: a script's own folder is on sys.path, from whatever directory it runs.
"""
import math
import os
import sys
import threading
import time

CHECK_EVERY = 10000             # spin(): look at the clock every this many iterations

tids = {}                       # role -> native thread id, set by the thread itself (hello)
out_lock = threading.Lock()


def write_line(line):
    """Write one line and flush it (one write() per line), without a lock."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def out(line):
    """write_line() under out_lock, so that lines from different threads never mix."""
    with out_lock:
        write_line(line)


def read_scale():
    """TT_SCALE as a float >= 0 (default 1.0); invalid: message on stderr, exit 2."""
    s = os.environ.get("TT_SCALE", "1.0")
    try:
        v = float(s)
    except ValueError:
        v = -1.0
    if not math.isfinite(v) or v < 0:
        sys.stderr.write("invalid TT_SCALE '%s' (want a float >= 0)\n" % s)
        sys.exit(2)
    return v


SCALE = read_scale()            # every demo sleep and run time is multiplied by it


def hello(role):
    """Record the calling thread's native id as tids[role] and print "TID role tid"."""
    tids[role] = threading.get_native_id()
    out("TID %s %d" % (role, tids[role]))


def join(thread, role):
    """Join thread, then print "JOIN joiner joinee" (joinee: tids[role], set by its hello)."""
    thread.join()
    out("JOIN %d %d" % (threading.get_native_id(), tids[role]))


def start_threads(target, roles, *args):
    """Create a threading.Thread(target, args=(*args, role), name=role) per role, then start them all."""
    threads = [threading.Thread(target=target, args=args + (r,), name=r) for r in roles]
    for t in threads:
        t.start()
    return threads


def join_all(threads, roles):
    """join() each thread in order, role by role."""
    for r, t in zip(roles, threads):
        join(t, r)


def spin(seconds):
    """Pure-Python busy loop for about seconds (holds the GIL but for the forced switches); returns the iterations."""
    end = time.monotonic() + seconds
    n = total = 0
    while True:
        total += n
        n += 1
        if n % CHECK_EVERY == 0 and time.monotonic() >= end:
            return n
