"""-f: child processes are traced too, side by side with the threaded version."""
from conftest import PYDEMOS, PYTHON, parallelism_mean, trace_command


def worker_pids(t):
    return {int(line.split()[2]) for line in t.stdout.splitlines()
            if line.startswith("PID ") and len(line.split()) == 3}


def test_multiprocessing_workers_followed_and_parallel(tmp_path):
    t = trace_command([PYTHON, PYDEMOS / "mp_cpu.py"], tmp_path, args=["-f"],
                      env={"TT_SCALE": "0.5"})
    assert t.rc == 0, t.stderr
    main = t.tids["main"]
    pids = worker_pids(t)
    assert len(pids) == 4
    forks = t.events("fork")
    assert {int(r["tid"]) for r in forks} == pids
    assert all(int(r["tgid"]) == int(r["tid"]) and int(r["peer_tid"]) == main for r in forks)
    assert {int(r["tgid"]) for r in t.events("exit")} == pids | {main}
    # four processes compute on two cores; the threaded version cannot (test_locks: < 1.3)
    assert parallelism_mean(t.summary["parallelism"]) > 1.6
    threads = {int(r["tid"]): r for r in t.summary["threads"]}
    assert all(int(threads[p]["oncpu_ns"]) > 0.3e9 for p in pids)


def test_without_follow_children_are_not_traced(tmp_path):
    t = trace_command([PYTHON, PYDEMOS / "mp_cpu.py"], tmp_path, env={"TT_SCALE": "0.3"})
    assert t.rc == 0
    assert not t.events("fork")
    assert {int(r["tgid"]) for r in t.rows} == {t.tids["main"]}
    assert parallelism_mean(t.summary["parallelism"]) < 0.5  # the parent only waits
