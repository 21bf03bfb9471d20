"""Threads with known names, each blocked at a marked line, for tests of build/tools/pystack.

Prints `TID role native_id` for every thread, then READY; every thread then
stays where its `# WAIT:role` comment is until stdin closes. Roles:
  worker-0, worker-1  Thread(name=...), blocked in lock_worker on a held Lock
  renamed             renames itself through threading.current_thread().name
  sleeper             a Thread subclass, blocked in Sleeper.run
  event               blocked in Event.wait (innermost frames are threading's)
  deep                150 calls deep in deep() (more frames than pystack keeps)
  raw                 started by _thread.start_new_thread: threading does not know it
  main                the main thread, reading stdin
"""
import _thread
import sys
import threading

gate = threading.Lock()     # held by main until the end: every acquire blocks
done = threading.Event()
reports = []
reports_lock = threading.Lock()


def report(role):
    with reports_lock:
        reports.append((role, threading.get_native_id()))


def lock_worker():
    report(threading.current_thread().name)
    gate.acquire()  # WAIT:worker
    gate.release()


def renaming_worker():
    threading.current_thread().name = "renamed"
    report("renamed")
    gate.acquire()  # WAIT:renamed
    gate.release()


class Sleeper(threading.Thread):
    def run(self):
        report("sleeper")
        gate.acquire()  # WAIT:sleeper
        gate.release()


def event_worker():
    report("event")
    done.wait()  # WAIT:event


def deep(n):
    if n:
        return deep(n - 1)  # WAIT:deep-caller
    report("deep")
    gate.acquire()  # WAIT:deep
    gate.release()


def raw_worker():
    report("raw")
    gate.acquire()  # WAIT:raw
    gate.release()


def main():
    gate.acquire()
    threads = [threading.Thread(target=lock_worker, name=f"worker-{i}") for i in range(2)]
    threads.append(threading.Thread(target=renaming_worker, name="before-rename"))
    threads.append(Sleeper(name="sleeper"))
    threads.append(threading.Thread(target=event_worker, name="event"))
    threads.append(threading.Thread(target=deep, args=(150,), name="deep"))
    for t in threads:
        t.start()
    _thread.start_new_thread(raw_worker, ())
    while True:
        with reports_lock:
            if len(reports) == len(threads) + 1:
                break
        done.wait(0.01)
    for role, tid in reports:
        print("TID", role, tid)
    print("TID main", threading.get_native_id())
    print("READY", flush=True)
    sys.stdin.readline()  # WAIT:main
    done.set()
    gate.release()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
