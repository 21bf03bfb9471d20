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


def text_table(text, title):
    """The rows of a text table of the summary: the lines after the title's header line, up to a blank."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(title))
    header = lines[start + 1].split()
    rows = []
    for l in lines[start + 2:]:
        if not l.strip() or l.startswith("  *") or l.startswith("  ..."):
            break
        rows.append(l.split())
    return header, rows


def test_follow_tables_say_which_process_each_row_is_of(tmp_path):
    # a parent with a thread, two children with two threads each: each thread says its process
    t = trace_command([PYTHON, PYDEMOS / "forkthreads.py"], tmp_path, args=["-f"])
    assert t.rc == 0, t.stderr
    truth = {int(tid): int(pid) for pid, tid in
             (l.split()[1:] for l in t.stdout.splitlines() if l.startswith("THREAD "))}
    parent = next(p for p in truth.values() if list(truth.values()).count(p) == 2)
    assert len(truth) == 8 and len(set(truth.values())) == 3
    assert f"Threads of process {parent} and of 2 processes it started" in t.stderr
    for title in ("Threads of process", "Where the threads' time went"):
        header, rows = text_table(t.stderr, title)
        assert header[:2] == ["PID", "TID"], header
        # every thread listed once, under its own process: no child is a thread of the parent
        assert {int(r[1]): int(r[0]) for r in rows} == truth
        assert len(rows) == len(truth)
    # the CSV tables carry the process too
    assert {int(r["tid"]): int(r["tgid"]) for r in t.summary["threads"]} == truth


def test_one_process_tables_have_no_pid_column(tmp_path):
    t = trace_command([PYTHON, PYDEMOS / "forkthreads.py"], tmp_path)
    assert t.rc == 0, t.stderr
    header, rows = text_table(t.stderr, "Threads of process")
    assert header[0] == "TID" and "PID" not in header
