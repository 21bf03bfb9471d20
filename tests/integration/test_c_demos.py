"""The C demos traced from their first instruction: starts, joins, exits, names, against the
tids and joins each demo prints itself (its ground truth)."""
import pytest

from conftest import DEMOS, SCALE, trace_command

S = float(SCALE)


def check_two_loops(t):
    """main creates loop0 and loop1, joins loop0 then loop1, and returns."""
    main, l0, l1 = t.tids["main"], t.tids["loop0"], t.tids["loop1"]
    assert t.rc == 0, t.stderr
    starts = t.events("start")
    assert sorted(int(r["tid"]) for r in starts) == sorted([l0, l1])
    assert all(int(r["peer_tid"]) == main for r in starts)
    joins = t.events("join")
    assert [(int(r["tid"]), int(r["peer_tid"]), r["detail"]) for r in joins] == \
        [(main, l0, "pthread"), (main, l1, "pthread")]
    assert t.joins == [(main, l0), (main, l1)]
    assert t.exit_of(l0)["detail"] == "exited"
    assert t.exit_of(l1)["detail"] == "exited"
    me = t.exit_of(main)
    assert me["detail"] == "process-exit" and me["exit_code"] == "0" and me["signal"] == "0"
    # loop0 sleeps 4 s, loop1 2 s (times SCALE): the lifetimes say so
    assert 4 * S * 0.95 < int(t.exit_of(l0)["dur_ns"]) / 1e9 < 4 * S + 1.0
    assert 2 * S * 0.95 < int(t.exit_of(l1)["dur_ns"]) / 1e9 < 2 * S + 1.0
    assert not t.events("end")
    return joins


@pytest.mark.parametrize("demo", ["mtsleep3", "mtsleep4"])
def test_join_waits_for_the_longer_loop_then_not_at_all(demo, tmp_path):
    t = trace_command([DEMOS / demo], tmp_path)
    j0, j1 = check_two_loops(t)
    # joined loop0 right after creating it: waited about its 4 s
    assert 4 * S * 0.9 < int(j0["dur_ns"]) / 1e9 < 4 * S + 1.0
    # loop1 had already ended: no futex wait at all
    assert int(j1["dur_ns"]) < 50e6


def test_mtsleep2_waits_on_semaphores_then_joins_at_once(tmp_path):
    t = trace_command([DEMOS / "mtsleep2"], tmp_path)
    j0, j1 = check_two_loops(t)
    assert int(j0["dur_ns"]) < 200e6 and int(j1["dur_ns"]) < 200e6
    # no inferred join in a C program: sem_post before exit is no join
    assert all(r["detail"] == "pthread" for r in t.events("join"))


def test_mtsleep1_has_no_threads(tmp_path):
    t = trace_command([DEMOS / "mtsleep1"], tmp_path)
    assert t.rc == 0
    assert not t.events("start") and not t.events("join")
    assert [r["tid"] for r in t.events("exit")] == [str(t.tids["main"])]
    assert t.exit_of(t.tids["main"])["detail"] == "process-exit"
    # the program's life starts at its exec: 6 s of loops (times SCALE)
    assert 6 * S * 0.95 < int(t.exit_of(t.tids["main"])["dur_ns"]) / 1e9 < 6 * S + 1.5
    assert len(t.events("exec")) == 1


def test_mtsleep5_renames_by_self_and_by_another_thread(tmp_path):
    t = trace_command([DEMOS / "mtsleep5"], tmp_path)
    check_two_loops(t)
    main, l0, l1 = t.tids["main"], t.tids["loop0"], t.tids["loop1"]
    renames = [(int(r["tid"]), r["name"], r["peer_tid"]) for r in t.events("rename")]
    assert sorted(renames) == sorted([(main, "mt5-main", ""), (l0, "loop0", ""),
                                      (l1, "loop1", str(main))])
    assert t.exit_of(l0)["name"] == "loop0" and t.exit_of(l1)["name"] == "loop1"
    assert t.exit_of(main)["name"] == "mt5-main"
    # threads start with their creator's name
    assert {r["name"] for r in t.events("start")} == {"mt5-main"}


def test_detached_thread_is_daemon_killed(tmp_path):
    t = trace_command([DEMOS / "daemon"], tmp_path)
    main, worker, daemon = t.tids["main"], t.tids["worker"], t.tids["daemon"]
    assert t.rc == 0
    assert t.exit_of(worker)["detail"] == "exited"
    assert t.exit_of(daemon)["detail"] == "daemon-killed"
    assert t.exit_of(main)["detail"] == "process-exit"
    joins = [(int(r["tid"]), int(r["peer_tid"]), r["detail"]) for r in t.events("join")]
    assert joins == [(main, worker, "pthread")]


def test_200_threads_started_and_joined(tmp_path):
    t = trace_command([DEMOS / "manythreads", "200"], tmp_path)
    assert t.rc == 0
    printed = {tid for role, tid in t.tids.items() if role != "main"}
    assert len(printed) == 200
    assert {int(r["tid"]) for r in t.events("start")} == printed
    joins = t.events("join", detail="pthread")
    assert len(joins) == 200
    assert [int(r["peer_tid"]) for r in joins] == [j for _, j in t.joins]
    assert {int(r["tid"]) for r in joins} == {t.tids["main"]}
    assert all(t.exit_of(tid)["detail"] == "exited" for tid in printed)
    assert not t.events("lost")


def test_scheduling_states_add_up_to_known_sleeps_and_waits(tmp_path):
    t = trace_command([DEMOS / "mtsleep3"], tmp_path)
    assert t.rc == 0
    th = {int(r["tid"]): r for r in t.summary["threads"]}
    secs = {tid: {k: int(r[k]) / 1e9 for k in ("oncpu_ns", "runq_ns", "lock_ns", "sleep_ns")}
            for tid, r in th.items()}
    l0, l1, main = t.tids["loop0"], t.tids["loop1"], t.tids["main"]
    # each loop only sleeps (nanosleep: asleep, not a futex wait), for 4 s and 2 s times SCALE
    assert 4 * S * 0.95 < secs[l0]["sleep_ns"] < 4 * S + 0.2 and secs[l0]["lock_ns"] < 0.01
    assert 2 * S * 0.95 < secs[l1]["sleep_ns"] < 2 * S + 0.2 and secs[l1]["lock_ns"] < 0.01
    # main waits in pthread_join (a futex wait on loop0's tid word) for about 4 s
    assert 4 * S * 0.9 < secs[main]["lock_ns"] < 4 * S + 0.2
    # an ended thread's books close at its exit: its states add up to its lifetime
    for tid in (l0, l1):
        life = int(t.exit_of(tid)["dur_ns"]) / 1e9
        assert life * 0.95 < sum(secs[tid].values()) < life + 0.05, (tid, secs[tid], life)


def test_every_libc_join_function_and_joins_that_join_nothing(tmp_path):
    """One probe inside glibc sees pthread_join's siblings too; a busy try-join and a timed join
    that times out are no joins."""
    t = trace_command([DEMOS / "joinkinds"], tmp_path)
    assert t.rc == 0, t.stderr
    main, slow, quick, c11 = (t.tids[k] for k in ("main", "slow", "quick", "c11"))
    assert "FAILED pthread_tryjoin_np EBUSY" in t.stdout
    assert "FAILED pthread_timedjoin_np ETIMEDOUT" in t.stdout
    joins = [(int(r["tid"]), int(r["peer_tid"])) for r in t.events("join")]
    assert joins == t.joins == [(main, quick), (main, c11), (main, slow)]
    by = {int(r["peer_tid"]): int(r["dur_ns"]) for r in t.events("join")}
    assert by[quick] < 50e6
    # slow sleeps 1 s: main got to its last join after the others, and waited for the rest
    assert 0 < by[slow] < 1 * S * 1e9
    # the timed join's wait on slow's tid word ended by its timeout
    word = next(r["addr"] for r in t.events("join") if int(r["peer_tid"]) == slow)
    timed = [(r["detail"], r["peer_tid"]) for r in t.events("wait") if r["addr"] == word]
    # then the clock join's wait, woken by slow's exit
    assert timed == [("timeout", ""), ("woken", str(slow))]


def test_a_cancelled_join_joins_nothing(tmp_path):
    # joiner is cancelled while it waits to join sleeper; sleeper is then detached and ends
    # unjoined: the only join is main's of joiner (the demo prints it)
    t = trace_command([DEMOS / "joincancel"], tmp_path)
    assert t.rc == 0, t.stderr
    main, joiner, sleeper = t.tids["main"], t.tids["joiner"], t.tids["sleeper"]
    assert f"CANCELLED {joiner}" in t.stdout
    joins = [(int(r["tid"]), int(r["peer_tid"])) for r in t.events("join")]
    assert joins == t.joins == [(main, joiner)]
    # sleeper sleeps 0.4 s and ends by itself; no thread is left over as alive
    assert t.exit_of(sleeper)["detail"] == "exited"
    assert 0.4 * S * 0.95 < int(t.exit_of(sleeper)["dur_ns"]) / 1e9 < 0.4 * S + 1.0
    assert not t.events("end")
