"""pylock.py [ROUNDS]: two Python threads hand a turn back and forth ROUNDS times (default
20,000) through two threading.Locks used as binary semaphores: every hand-off is a blocking
wait on a Lock, woken by the other thread's release. Prints ELAPSED_NS from the first start to
the last join, and EXPECTED_EVENTS, the rounds' lower bound of blocking waits (2 per round).
With BENCH_HOLD set (a tracer attaches with -p): prints READY, waits for a line on stdin, plays,
prints its results, then waits for stdin to end before it exits (bench/run's held_traced)."""
import os
import sys
import threading
import time


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    hold = "BENCH_HOLD" in os.environ
    if hold:
        print("READY", flush=True)
        sys.stdin.readline()
    ping, pong = threading.Lock(), threading.Lock()
    ping.acquire()
    pong.acquire()

    def player(mine, other):
        for _ in range(rounds):
            mine.acquire()   # blocks until the other player hands the turn over
            other.release()

    a = threading.Thread(target=player, args=(ping, pong))
    b = threading.Thread(target=player, args=(pong, ping))
    t0 = time.monotonic_ns()
    a.start()
    b.start()
    ping.release()           # the first turn
    a.join()
    b.join()
    t1 = time.monotonic_ns()
    print("ELAPSED_NS %d" % (t1 - t0))
    print("EXPECTED_EVENTS %d" % (2 * rounds), flush=True)
    if hold:
        sys.stdin.read()


if __name__ == "__main__":
    main()
