#!/usr/bin/env python3
"""pylocks.py SCENARIO: each of threading's primitives, waited on where the demo says.

    lock       3 threads take one Lock 20 times each and sleep 10 ms x S holding it (contention)
    rlock      2 threads take one RLock 10 times, again inside (recursively), sleep 10 ms x S
    condition  a producer notifies 8 items, 50 ms x S apart; 2 consumers wait on the Condition
    semaphore  4 threads share a BoundedSemaphore(2), each holds a slot 100 ms x S
    event      3 threads wait on an Event that main sets after 300 ms x S
    queue      2 consumers block in Queue.get(); main puts 6 items 50 ms x S apart, then stops them
    simplequeue  the same with a queue.SimpleQueue (its get is C: no frame of queue.py)
    barrier    3 threads meet at a Barrier, arriving 0, 100 and 200 ms x S late
    join       main joins a thread that has ended, then one that runs 300 ms x S more

Prints, besides the TID lines of _demo.hello (role = the thread's threading name):
    SITE <scenario> <function> <line>   where the scenario's threads wait (the tagged line)
"""
import queue
import sys
import threading
import time

from _demo import SCALE, hello, out


def site_line(tag):
    """The line of this file that ends with the comment '# SITE ' + tag."""
    with open(__file__, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.rstrip().endswith("# SITE " + tag):
                return n
    raise SystemExit("no line tagged " + tag)


def report_site(scenario, function):
    out("SITE %s %s %d" % (scenario, function, site_line(scenario)))


def threads_named(target, names, *args):
    ts = [threading.Thread(target=target, args=args + (n,), name=n) for n in names]
    for t in ts:
        t.start()
    return ts


def post_entry(lock):
    with lock:  # SITE lock
        time.sleep(0.010 * SCALE)


def lock_worker(lock, name):
    hello(name)
    for _ in range(20):
        post_entry(lock)


def inner(rlock):
    with rlock:  # recursive: the owner takes it again without waiting
        time.sleep(0.010 * SCALE)


def outer(rlock):
    with rlock:  # SITE rlock
        inner(rlock)


def rlock_worker(rlock, name):
    hello(name)
    for _ in range(10):
        outer(rlock)


def consume(cond, items, name):
    hello(name)
    while True:
        with cond:
            while not items:
                cond.wait()  # SITE condition
            item = items.pop(0)
        if item is None:
            return


def use_slot(sem, name):
    hello(name)
    with sem:  # SITE semaphore
        time.sleep(0.100 * SCALE)


def wait_for_go(event, name):
    hello(name)
    event.wait()  # SITE event


def consume_queue(q, name):
    hello(name)
    while q.get() is not None:  # SITE queue
        pass


def consume_simple(q, name):
    hello(name)
    while q.get() is not None:  # SITE simplequeue
        pass


def meet(barrier, delay, name):
    hello(name)
    time.sleep(delay * SCALE)
    barrier.wait()  # SITE barrier


def napper(seconds, name):
    hello(name)
    time.sleep(seconds * SCALE)


def join_both(ended, running):
    ended.join()  # it has ended: no wait
    running.join()  # SITE join


def main(scenario):
    hello("main")
    if scenario == "lock":
        report_site(scenario, "post_entry")
        ts = threads_named(lock_worker, ["lk-0", "lk-1", "lk-2"], threading.Lock())
    elif scenario == "rlock":
        report_site(scenario, "outer")
        ts = threads_named(rlock_worker, ["rl-0", "rl-1"], threading.RLock())
    elif scenario == "condition":
        report_site(scenario, "consume")
        cond, items = threading.Condition(), []
        ts = threads_named(consume, ["cons-0", "cons-1"], cond, items)
        for i in list(range(8)) + [None, None]:
            time.sleep(0.050 * SCALE)
            with cond:
                items.append(i)
                cond.notify()
    elif scenario == "semaphore":
        report_site(scenario, "use_slot")
        ts = threads_named(use_slot, ["sem-0", "sem-1", "sem-2", "sem-3"], threading.BoundedSemaphore(2))
    elif scenario == "event":
        report_site(scenario, "wait_for_go")
        event = threading.Event()
        ts = threads_named(wait_for_go, ["ev-0", "ev-1", "ev-2"], event)
        time.sleep(0.300 * SCALE)
        event.set()
    elif scenario == "queue":
        report_site(scenario, "consume_queue")
        q = queue.Queue()
        ts = threads_named(consume_queue, ["q-0", "q-1"], q)
        for i in list(range(6)) + [None, None]:
            time.sleep(0.050 * SCALE)
            q.put(i)
    elif scenario == "simplequeue":
        report_site(scenario, "consume_simple")
        q = queue.SimpleQueue()
        ts = threads_named(consume_simple, ["sq-0", "sq-1"], q)
        for i in list(range(6)) + [None, None]:
            time.sleep(0.050 * SCALE)
            q.put(i)
    elif scenario == "barrier":
        report_site(scenario, "meet")
        barrier = threading.Barrier(3)
        ts = [threading.Thread(target=meet, args=(barrier, 0.1 * i, "bar-%d" % i), name="bar-%d" % i)
              for i in range(3)]
        for t in ts:
            t.start()
    elif scenario == "join":
        report_site(scenario, "join_both")
        ended = threading.Thread(target=napper, args=(0, "ended"), name="ended")
        running = threading.Thread(target=napper, args=(0.400, "running"), name="running")
        ended.start()
        running.start()
        time.sleep(0.100 * SCALE)
        join_both(ended, running)
        return
    else:
        raise SystemExit(__doc__)
    for t in ts:
        t.join()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
