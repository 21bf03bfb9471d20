"""What the report says of a deadlock (summary, verdict, --stacks at attach), and -i's own figures."""
import csv
import json
import os
import re
import subprocess
import time

import pytest

from conftest import DEMOS, TT


def run_tt(args, timeout=60):
    return subprocess.run([str(TT), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def summary_part(out):
    """The end-of-trace summary of a text report (from its thread table on)."""
    assert "\nThreads of process " in out, out
    return out[out.index("\nThreads of process "):]


def deadlock_section(summary):
    """The summary's Deadlocks section: its lines, up to the blank line after it."""
    assert "\nDeadlocks (" in summary, summary
    return summary.split("\nDeadlocks (", 1)[1].split("\n\n", 1)[0].splitlines()[1:]


def verdict_line(summary):
    (line,) = [l for l in summary.splitlines() if l.startswith("Verdict:")]
    return line


def test_deadlock_during_the_trace_is_in_the_summary_and_the_verdict(demo_proc, tmp_path):
    # the demo deadlocks 1 s after READY: well inside the trace, seen forming by the watch
    d = demo_proc([DEMOS / "deadlock"], env={"TT_DEADLOCK_DELAY": "1.0"})
    d.wait_for("READY")
    sj, sc = tmp_path / "s.json", tmp_path / "csv"
    sc.mkdir()
    p = run_tt(["-q", "-d", "3", "--summary-json", sj, "--summary-csv", sc, "-p", d.proc.pid])
    assert p.returncode == 0, p.stderr
    ab, ba = d.tids["ab"], d.tids["ba"]
    summary = summary_part(p.stdout)
    # each thread of the cycle, what it waits for and who holds it
    rows = deadlock_section(summary)
    assert rows[0].strip().startswith("deadlock 1, found at "), rows
    members = {int(l.split()[0]): l for l in rows[1:] if l.split() and l.split()[0].isdigit()}
    assert set(members) == {ab, ba}, rows
    assert f"waits for lock_b+0x0 held by {ba}" in members[ab], members
    assert f"waits for lock_a+0x0 held by {ab}" in members[ba], members
    # the verdict leads with it, naming both threads and both locks
    v = verdict_line(summary)
    assert v.startswith("Verdict: DEADLOCK: 2 threads wait for each other forever"), v
    assert (f"{ab} waits for lock_b+0x0 held by {ba}" in v and f"{ba} waits for lock_a+0x0 held by {ab}" in v), v
    assert "(confidence high)" in v, v
    # the same in --summary-json and --summary-csv
    doc = json.loads(sj.read_text())
    assert doc["verdict"]["deadlock"] is True and doc["verdict"]["deadlocks"] == 1, doc["verdict"]
    got = {(r["deadlock"], r["tid"], r["owner"], r["lock"]) for r in doc["deadlocks"]}
    assert got == {(1, ab, ba, "lock_b+0x0"), (1, ba, ab, "lock_a+0x0")}, doc["deadlocks"]
    with open(sc / "deadlocks.csv", newline="") as f:
        got = {(r["deadlock"], int(r["tid"]), int(r["owner"]), r["lock"]) for r in csv.DictReader(f)}
    assert got == {("1", ab, ba, "lock_b+0x0"), ("1", ba, ab, "lock_a+0x0")}, got


def test_no_deadlock_no_deadlock_in_the_report(demo_proc, tmp_path):
    # the same demo, traced before it deadlocks: nothing claimed
    d = demo_proc([DEMOS / "deadlock"], env={"TT_DEADLOCK_DELAY": "30"})
    d.wait_for("READY")
    sj = tmp_path / "s.json"
    p = run_tt(["-q", "-d", "1", "--summary-json", sj, "-p", d.proc.pid])
    assert p.returncode == 0, p.stderr
    summary = summary_part(p.stdout)
    assert "\nDeadlocks (" not in summary and "DEADLOCK" not in summary, summary
    assert verdict_line(summary).startswith("Verdict: no lock serializes"), summary
    doc = json.loads(sj.read_text())
    assert doc["deadlocks"] == [] and doc["verdict"]["deadlock"] is False, doc["verdict"]


def test_stacks_show_where_a_deadlock_formed_before_the_attach_blocks(demo_proc, tmp_path):
    # deadlocked before threadtrace starts: the kernel saw no wait begin, so no stack of its own
    d = demo_proc([DEMOS / "deadlock"], env={"TT_DEADLOCK_DELAY": "0"})
    d.wait_for("ab waits for lock_b")
    time.sleep(0.5)
    sj = tmp_path / "s.json"
    p = run_tt(["--stacks", "-d", "1.5", "--summary-json", sj, "-p", d.proc.pid])
    assert p.returncode == 0, p.stderr
    ab, ba = d.tids["ab"], d.tids["ba"]
    # the summary: each thread of the cycle, then the frames it blocked in (the demo's locker
    # takes both locks through pthread_mutex_lock)
    rows = deadlock_section(summary_part(p.stdout))
    frames = {}
    for i, l in enumerate(rows):
        if l.split() and l.split()[0].isdigit():
            nxt = rows[i + 1] if i + 1 < len(rows) else ""
            assert "blocked at: " in nxt, rows
            frames[int(l.split()[0])] = nxt.split("blocked at: ", 1)[1]
    assert set(frames) == {ab, ba}, rows
    for tid, f in frames.items():
        assert "pthread_mutex_lock" in f and "locker+0x" in f, (tid, f)
        assert f.index("pthread_mutex_lock") < f.index("locker+0x"), f
    # the live lines as the deadlock is found, and the summary JSON, carry them too
    live = [l for l in p.stdout.split("\nThreads of process ")[0].splitlines() if "blocked at:" in l]
    assert len(live) == 2 and all("locker+0x" in l for l in live), p.stdout
    doc = json.loads(sj.read_text())
    assert {r["tid"] for r in doc["deadlocks"]} == {ab, ba}
    assert all("locker+0x" in (r["stack"] or "") for r in doc["deadlocks"]), doc["deadlocks"]


# A thread that computes without a break, one that waits 50 ms on a futex word at a time
# (about 20 waits a second), and main asleep in pause().
BUSY_TICKER_C = r"""
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int tick_word;

static void *busy(void *arg)
{
	volatile unsigned long n = 0;

	printf("TID busy %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	for (;;)
		n++;
	return arg;
}

static void *ticker(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	printf("TID ticker %ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	for (;;)
		syscall(SYS_futex, &tick_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
	return arg;
}

int main(void)
{
	pthread_t a, b;

	printf("TID main %ld\n", (long)getpid());
	fflush(stdout);
	pthread_create(&a, NULL, busy, NULL);
	pthread_create(&b, NULL, ticker, NULL);
	pause();
	return 0;
}
"""

INTERVAL_HEAD = re.compile(r"^-- interval (\d+)( \(the last: the trace ended\))?, ([\d.]+) \.\. ([\d.]+) s: ")


def parse_intervals(out):
    """Each -i block: number, last?, from, to, {tid: (on-cpu, runq, futex, sleep, waits)}, {lock: (waits, total)}."""
    blocks = []
    lines = out.splitlines()
    for i, l in enumerate(lines):
        m = INTERVAL_HEAD.match(l)
        if not m:
            continue
        threads, locks, j = {}, {}, i + 2
        while lines[j].strip():
            f = lines[j].split()
            threads[int(f[0])] = tuple(float(x) for x in f[-5:-1]) + (int(f[-1]),)
            j += 1
        assert lines[j + 1] == "Locks waited on in this interval", lines[j + 1]
        j += 3
        while j < len(lines) and not lines[j].startswith("Threads running at once"):
            f = lines[j].split()
            locks[f[0]] = int(f[3])
            j += 1
        blocks.append(dict(n=int(m.group(1)), last=bool(m.group(2)), start=float(m.group(3)),
                           end=float(m.group(4)), threads=threads, locks=locks))
    return blocks


def summary_states(summary):
    """The summary's 'Where the threads' time went' rows: {tid: (on-cpu, runq, futex, sleep, waits)}."""
    part = summary.split("\nWhere the threads' time went (seconds)\n", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for l in part.splitlines()[1:]:
        f = l.split()
        rows[int(f[0])] = tuple(float(x) for x in f[-5:-1]) + (int(f[-1]),)
    return rows


def summary_lock_waits(summary, name):
    part = summary.split("\nLocks (futex words) by total wait", 1)[1].split("\n\n", 1)[0]
    (row,) = [l for l in part.splitlines() if l.split() and l.split()[0] == name]
    return int(row.split()[3])


def cpu_seconds(pid, tid):
    """A thread's CPU time so far from /proc (utime + stime)."""
    with open(f"/proc/{pid}/task/{tid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture
def busy_ticker(tmp_path):
    src, exe = tmp_path / "busy_ticker.c", tmp_path / "busy_ticker"
    src.write_text(BUSY_TICKER_C)
    subprocess.run(["cc", "-O1", "-pthread", "-o", str(exe), str(src)], check=True)
    proc = subprocess.Popen([str(exe)], stdout=subprocess.PIPE, text=True)
    try:
        tids = {}
        while len(tids) < 3:
            parts = proc.stdout.readline().split()
            assert len(parts) == 3 and parts[0] == "TID", parts
            tids[parts[1]] = int(parts[2])
        yield proc, tids
    finally:
        proc.kill()
        proc.wait()


def test_interval_figures_are_the_intervals_own_and_add_up_to_the_totals(busy_ticker):
    proc, tids = busy_ticker
    busy, ticker = tids["busy"], tids["ticker"]
    # CPU burnt before the attach: /proc says how much (2 s at least, however busy the machine)
    deadline = time.monotonic() + 60
    while cpu_seconds(proc.pid, busy) < 2.0:
        assert time.monotonic() < deadline, "the busy thread never got 2 s of CPU"
        time.sleep(0.1)
    before = cpu_seconds(proc.pid, busy)
    p = run_tt(["-q", "-i", "1", "-d", "4.5", "-p", proc.pid])
    assert p.returncode == 0, p.stderr
    blocks = parse_intervals(p.stdout)
    assert [b["n"] for b in blocks] == list(range(1, len(blocks) + 1)), blocks
    assert len(blocks) >= 4 and blocks[-1]["last"] and not any(b["last"] for b in blocks[:-1]), blocks
    # back to back, from the start of the trace
    assert blocks[0]["start"] == 0.0
    for a, b in zip(blocks, blocks[1:]):
        assert b["start"] == a["end"], (a, b)
    for b in blocks:
        length = b["end"] - b["start"]
        assert set(b["threads"]) == {proc.pid, busy, ticker}, b
        for tid, (oncpu, runq, futex, sleep, waits) in b["threads"].items():
            # a thread's times in an interval fit in it: never its CPU since it started
            assert oncpu <= length + 0.05, (tid, b, before)
            assert oncpu + runq + futex + sleep <= length + 0.05, (tid, b)
        # the ticker's waits in this interval: about 20 a second (fewer on a busy machine)
        waits = b["threads"][ticker][4]
        if not b["last"] and length >= 0.8:
            assert 5 * length <= waits <= 20 * length + 3, (waits, b)
        # the lock table: this interval's waits on its word, the ticker's
        assert b["locks"].get("tick_word+0x0", 0) == waits, b
    # the totals since the start, at the end: the intervals' sums
    summary = summary_part(p.stdout)
    totals = summary_states(summary)
    for tid in (proc.pid, busy, ticker):
        for col in range(4):
            got = sum(b["threads"][tid][col] for b in blocks)
            assert abs(got - totals[tid][col]) <= 0.001 * len(blocks) + 0.001, (tid, col, got, totals[tid])
        assert sum(b["threads"][tid][4] for b in blocks) == totals[tid][4], (tid, totals[tid])
    assert totals[busy][0] > 0.3, totals  # it computed all along
    assert sum(b["locks"].get("tick_word+0x0", 0) for b in blocks) == summary_lock_waits(summary, "tick_word+0x0")
