"""CPython: a join of a thread that had already ended does not wait, so no join is seen;
its row says "not seen" (with the reason), never "-" (nobody joined it). Issue 12 item 10."""
from conftest import PYDEMOS, PYTHON, trace_command


def test_join_of_an_ended_thread_is_not_seen_not_absent(tmp_path):
    t = trace_command([PYTHON, PYDEMOS / "pyjoinended.py"], tmp_path)
    assert t.rc == 0, t.stderr
    main, ended, running, unjoined = (t.tids[r] for r in ("main", "ended", "running", "unjoined"))
    # ground truth: main joined "ended" after its OS thread was gone, "running" while it ran
    assert f"GONE {ended}" in t.stdout
    assert (main, ended) in t.joins and (main, running) in t.joins
    rows = {int(r["tid"]): r for r in t.summary["threads"]}
    # the join that waited is seen, with its wait (running sleeps 0.3 s times TT_SCALE 0.25)
    assert rows[running]["join"] == "inferred" and int(rows[running]["joined_by"]) == main
    assert int(rows[running]["join_wait_ns"]) > 0.05e9
    # the one that did not wait: "not seen", not an empty "nobody"
    assert rows[ended]["join"] == "not-seen" and rows[ended]["joined_by"] == ""
    # a thread never joined cannot be told from it: "not seen" too, never "joined"
    assert rows[unjoined]["join"] == "not-seen" and rows[unjoined]["joined_by"] == ""
    # the main thread ends the process: no join to see
    assert rows[main]["join"] == ""
    text = {int(l.split()[0]): l for l in t.stderr.splitlines()
            if l.strip() and l.split()[0].isdigit() and "exited" in l}
    assert text[ended].rstrip().endswith("not seen*")
    assert text[running].rstrip().endswith(f"{main} ({int(rows[running]['join_wait_ns']) // 1000 / 1e6:.6f}s, inferred)")
    assert "* not seen: CPython's Thread.join of a thread that has already ended returns without waiting" in t.stderr
