"""Threads that come and go by the thousand: reused tid words, and the kernel maps that
hold per-thread figures (issue 12 items 6 and 7). churnwait: N threads, B at a time, each
sleeping once on one futex word (the gate) until main has seen them all asleep."""
import re
import shutil

import pytest

from conftest import DEMOS, trace_command


def churn(tmp_path, n, batch, pause_ms, args=()):
    return trace_command([DEMOS / "churnwait", n, batch, pause_ms], tmp_path, args=list(args), timeout=120)


def demo_lines(t, tag):
    return [l.split()[1:] for l in t.stdout.splitlines() if l.startswith(tag + " ")]


def test_ended_threads_leave_the_kernel_maps_so_they_bound_threads_alive_not_threads_seen(tmp_path):
    # 2000 threads each wait once on the gate: 2000 (word, thread) wait entries and 2000 wake
    # pairs, against maps of 512; at most 10 threads are alive at once
    n = 2000
    t = churn(tmp_path, n, 10, 20, args=["--max-locks", "512"])
    assert t.rc == 0, t.stderr
    (word,) = demo_lines(t, "WORD")
    (slept,) = demo_lines(t, "SLEPT")
    assert int(slept[0]) == n  # every thread slept once on the gate (ground truth)
    assert not t.events("lost") and "lost" not in t.stderr
    assert len(t.events("start")) == n
    (gate,) = [r for r in t.summary["locks"] if r["addr"] == word[0]]
    assert int(gate["waits"]) == n and int(gate["threads"]) == n
    assert int(gate["handoffs"]) == n  # main woke each one: a wake pair per wakee, all kept
    # the threads' own figures too: each of the n waited once on the gate
    workers = [r for r in t.summary["threads"] if r["tid"] != r["tgid"]]
    assert len(workers) == n and sum(int(r["futex_waits"]) >= 1 for r in workers) == n


def test_a_full_map_is_named_with_the_option_and_its_size(tmp_path):
    # no pause, 64 alive at once, maps of 16: the wait and wake maps fill between sweeps
    t = churn(tmp_path, 256, 64, 0, args=["--max-locks", "16"])
    assert t.rc == 0, t.stderr
    lost = {r["detail"].split(":")[0]: int(r["detail"].split(":")[1]) for r in t.events("lost")}
    assert set(lost) <= {"locks", "wakes", "holds", "owners", "sites"} and "wakes" in lost and "locks" in lost
    assert (f"lost {lost['locks']} wait records (the wait map (one entry per futex word and thread that "
            f"waited on it) was full: raise --max-locks, now 16)") in t.stderr
    assert (f"lost {lost['wakes']} wake records (the who-woke-whom map (one entry per futex word, waker "
            f"and wakee) was full: raise --max-locks, now 16)") in t.stderr
    # what was kept plus what was counted lost is every gate wait: none vanished silently
    (word,) = demo_lines(t, "WORD")
    (gate,) = [r for r in t.summary["locks"] if r["addr"] == word[0]]
    assert int(gate["threads"]) + lost["locks"] >= 256


def test_a_reused_tid_word_is_named_after_every_thread_that_had_it(tmp_path):
    # 60 threads, 10 at a time: glibc hands the 10 stacks (struct pthread, tid word) round
    t = churn(tmp_path, 60, 10, 5)
    assert t.rc == 0, t.stderr
    users = {}  # pthread_self -> its threads in start order: the same struct pthread, the same tid word
    for tid, self_ in demo_lines(t, "SELF"):
        users.setdefault(self_, []).append(int(tid))
    group = {tid: ts for ts in users.values() for tid in ts}
    word_of = {}  # tid word -> the joinees joined on it (the trace's own join events)
    for r in t.events("join"):
        word_of.setdefault(r["addr"], set()).add(int(r["peer_tid"]))
    joins = [r for r in t.summary["locks"] if r["kind"] == "join"]
    assert joins, "no join waited"
    for r in joins:
        (ts,) = {tuple(group[j]) for j in word_of[r["addr"]]}  # one word, one stack
        assert len(ts) > 1
        assert r["symbol"] == f"[tid word of {ts[0]} and {len(ts) - 1} later threads]"
    symbols = [r["symbol"] for r in t.summary["locks"]]
    assert len(symbols) == len(set(symbols))


def test_stress_ng_pthread_churn_loses_nothing_and_counts_every_thread(tmp_path):
    # the case, smaller: stress-ng --pthread (64 alive at once, thousands created);
    # its own metrics count the threads it created: the trace must have started every one
    if not shutil.which("stress-ng"):
        pytest.fail("stress-ng is missing: scripts/install-deps.sh --tests installs it")
    t = trace_command(["stress-ng", "--pthread", "1", "--pthread-max", "64", "-t", "2", "--metrics-brief"],
                      tmp_path, args=["-f", "--max-locks", "1024"], timeout=120)
    assert t.rc == 0, t.stderr
    m = re.search(r"metrc: \[\d+\] pthread\s+(\d+)\s", t.stderr)
    assert m, t.stderr
    created = int(m.group(1))
    assert created > 2048  # far more threads than --max-locks 1024 over the run
    assert not t.events("lost") and "lost" not in t.stderr
    assert len(t.events("start")) == created
