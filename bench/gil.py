"""gil.py [ITERS] [THREADS]: THREADS (default 4) Python threads each run ITERS (default
2,000,000) iterations of a pure-Python loop. They share CPython's GIL, so they take turns
(a forced switch every 5 ms). Prints ELAPSED_NS from the first start to the last join: a fixed
amount of work, so a slowdown shows as a longer time."""
import sys
import threading
import time


def spin(iters):
    total = 0
    for i in range(iters):
        total += i
    return total


def main():
    iters = int(sys.argv[1]) if len(sys.argv) > 1 else 2000000
    nthreads = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    threads = [threading.Thread(target=spin, args=(iters,)) for _ in range(nthreads)]
    t0 = time.monotonic_ns()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t1 = time.monotonic_ns()
    print("ELAPSED_NS %d" % (t1 - t0))
    print("THREADS %d" % nthreads)


if __name__ == "__main__":
    main()
