"""--timeline: Chrome trace JSON with a track per thread whose slices add up to its life."""
import json
import os
import subprocess
from collections import defaultdict

from conftest import DEMOS, SCALE, TT, parallelism_mean, read_summary

S = float(SCALE)


def timeline(cmd, tmp_path, args=(), opts=None):
    """opts replace ["--timeline", FILE] (the word TL stands for FILE); args come after them."""
    out = tmp_path / "tl.json"
    opts = ["--timeline", str(out)] if opts is None else [str(out) if o == "TL" else o for o in opts]
    p = subprocess.run([str(TT), "-q", *opts, *args, "--", *map(str, cmd)],
                       capture_output=True, text=True, timeout=60, env=dict(os.environ, TT_SCALE=SCALE))
    assert p.returncode == 0, p.stderr
    tids = {l.split()[1]: int(l.split()[2]) for l in p.stdout.splitlines() if l.startswith("TID ")}
    return json.loads(out.read_text())["traceEvents"], tids


def test_mtsleep3_timeline(tmp_path):
    events, tids = timeline([DEMOS / "mtsleep3"], tmp_path)
    main, l0, l1 = tids["main"], tids["loop0"], tids["loop1"]
    names = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    assert names == {main: f"mtsleep3 ({main})", l0: f"mtsleep3 ({l0})", l1: f"mtsleep3 ({l1})"}
    slices = defaultdict(list)
    for e in events:
        if e["ph"] == "X":
            slices[e["tid"]].append(e)
    marks = defaultdict(list)
    for e in events:
        if e["ph"] == "i":
            marks[e["tid"]].append(e)
    for tid, sleep in ((l0, 4 * S), (l1, 2 * S)):
        start = next(e["ts"] for e in marks[tid] if e["name"] == "start")
        end = next(e["ts"] for e in marks[tid] if e["name"].startswith("exit"))
        total = sum(e["dur"] for e in slices[tid])
        # the slices cover the thread's life, without gaps or overlaps
        assert abs(total - (end - start)) < 0.01 * (end - start) + 1000, (tid, total, end - start)
        by = sorted(slices[tid], key=lambda e: e["ts"])
        assert all(a["ts"] + a["dur"] <= b["ts"] + 1 for a, b in zip(by, by[1:]))
        asleep = sum(e["dur"] for e in slices[tid] if e["name"] == "asleep")
        assert sleep * 0.95e6 < asleep < sleep * 1e6 + 0.2e6
    blocked = [e for e in slices[main] if e["name"] == f"blocked on [tid word of {l0}]"]
    assert len(blocked) == 1 and 4 * S * 0.9e6 < blocked[0]["dur"] < 4 * S * 1e6 + 0.2e6
    assert [e["name"] for e in marks[main] if e["name"].startswith("joined")] == \
        [f"joined {l0} (pthread)", f"joined {l1} (pthread)"]
    assert [e["name"] for e in marks[main] if e["name"].startswith("exit")] == ["exit: process-exit"]


def test_gil_timeline_hand_offs_and_running_counter(tmp_path):
    events, tids = timeline([DEMOS / "gil", "3"], tmp_path, args=["--summary-csv", str(tmp_path)])
    workers = {tids[f"w{i}"] for i in range(3)}
    starts = {e["id"]: e["tid"] for e in events if e["ph"] == "s"}
    ends = {e["id"]: e["tid"] for e in events if e["ph"] == "f"}
    assert starts and set(starts) == set(ends)
    pairs = {(starts[i], ends[i]) for i in starts}
    # the lock passes among the workers; an ending worker also wakes main, its joiner
    assert all(a in workers and ((b in workers and a != b) or b == tids["main"]) for a, b in pairs)
    assert len({(a, b) for a, b in pairs if b in workers}) >= 3
    running = [e["args"]["running"] for e in events if e["ph"] == "C"]
    assert running and max(running) <= os.cpu_count() and min(running) >= 0
    # the counter, held from each sample to the next (the last to the trace's last event), is
    # the time the threads' "running" slices cover: exactly (0.5 %)
    counter = sorted((e for e in events if e["ph"] == "C"), key=lambda e: e["ts"])
    end = max(e["ts"] + e.get("dur", 0) for e in events if "ts" in e)
    area_us = sum(c["args"]["running"] * (n["ts"] - c["ts"])
                  for c, n in zip(counter, counter[1:] + [{"ts": end}]))
    running_us = sum(e["dur"] for e in events if e["ph"] == "X" and e["name"] == "running")
    assert abs(area_us - running_us) <= 0.005 * running_us, (area_us, running_us)
    # and over the summary's span its mean is the summary's parallelism mean: within 1 % on an
    # idle machine; on a loaded one the timeline's running time has exceeded the summary's
    # on-CPU time by up to 14 % (a known gap between the two models, not yet explained), so
    # 20 % here; a counter that missed decrements or counted runnable threads is far outside
    par = read_summary(tmp_path)["parallelism"]
    span_ns = sum(int(r["time_ns"]) for r in par)
    summary_mean = parallelism_mean(par)
    assert 0.1 < summary_mean < 1.3  # one big lock: about one thread at a time (less when busy)
    assert abs(area_us * 1e3 / span_ns - summary_mean) <= 0.2 * summary_mean, \
        (area_us * 1e3 / span_ns, summary_mean)
    blocked = {e["name"] for e in events if e["ph"] == "X" and e["tid"] in workers
               and e["name"].startswith("blocked")}
    assert "blocked on big_lock+0x0" in blocked


def test_hand_offs_whatever_the_order_of_timeline_and_o_text(tmp_path):
    # the arrows come from the lock events: -o text after --timeline once turned them off
    for opts in (["--timeline", "TL", "-o", "text"], ["-o", "text", "--timeline", "TL"]):
        events, tids = timeline([DEMOS / "gil", "3"], tmp_path, opts=opts)
        workers = {tids[f"w{i}"] for i in range(3)}
        starts = {e["id"]: e["tid"] for e in events if e["ph"] == "s"}
        ends = {e["id"]: e["tid"] for e in events if e["ph"] == "f"}
        assert starts and set(starts) == set(ends), opts
        handoffs = {(starts[i], ends[i]) for i in starts if ends[i] in workers}
        assert len(handoffs) >= 3 and all(a in workers and a != b for a, b in handoffs), (opts, handoffs)
        (tmp_path / "tl.json").unlink()
