"""--folded FILE (issue 15): the wait time as folded stacks, one line per (lock, stack), root first,
the lock as the last frame marked by kind; checked against demos/waitchains.c (known call chains,
locks and waits) and demos/pylocks.py (known Python sites), and against the lock table."""
import os
import re
import subprocess

from conftest import DEMOS, PYDEMOS, PYTHON, SCALE, TT, read_summary

# flamegraph.pl's own parse of a line: the count after the last space, frames split at ';'
FLAMEGRAPH_LINE = re.compile(r"^(.*)\s+?(\d+(?:\.\d*)?)$")


def trace(cmd, tmp_path, env=None, args=()):
    folded, summary = tmp_path / "waits.folded", tmp_path / "summary"
    p = subprocess.run([str(TT), "-q", "--folded", str(folded), "--summary-csv", str(summary), *args,
                        "--", *map(str, cmd)], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, TT_SCALE=SCALE, **(env or {})))
    assert p.returncode == 0, p.stderr
    text = folded.read_bytes().decode("utf-8")
    return p, text, read_summary(summary)


def parse(text):
    """[(frames, microseconds)], each line as flamegraph.pl reads it."""
    assert text.endswith("\n"), text
    lines = []
    for line in text.splitlines():
        m = FLAMEGRAPH_LINE.match(line)
        assert m, line
        assert not any(ord(c) < 0x20 or ord(c) == 0x7f for c in line), line
        frames = m.group(1).split(";")
        assert all(frames), line
        # speedscope's and inferno's read: the count is the part after the last space too
        assert line.rsplit(" ", 1)[1] == m.group(2)
        lines.append((frames, int(m.group(2))))
    return lines


def demo_functions(exe):
    out = subprocess.run(["nm", "--defined-only", str(exe)], capture_output=True, text=True, check=True).stdout
    return {l.split()[-1] for l in out.splitlines() if l.split()[1] in "tTwW"}


def tid_of(stdout, role):
    return next(int(l.split()[2]) for l in stdout.splitlines() if l.startswith(f"TID {role} "))


def only_line(lines, last):
    found = [(f, us) for f, us in lines if f[-1] == last]
    assert len(found) == 1, (last, lines)
    return found[0]


def test_known_waits_with_their_exact_frames_and_kinds(tmp_path):
    p, text, summary = trace([DEMOS / "waitchains"], tmp_path)
    lines = parse(text)
    scale = float(SCALE)
    # the contended mutex: main -> update_table -> lock_table, then only libc's locking, then the lock
    frames, us = only_line(lines, "[mutex] table_lock+0x0")
    assert frames[0] == "waitchains"  # the process is the root
    i = frames.index("main")
    assert frames[i:i + 3] == ["main", "update_table", "lock_table"], frames
    ours = demo_functions(DEMOS / "waitchains")
    libc = frames[i + 3:-1]
    assert libc and not set(libc) & ours and any("lock" in f for f in libc), frames
    assert 0.6 * 0.4e6 * scale < us < 5 * 0.4e6 * scale, us
    # the join of the taker: under main, marked as a join (the taker lingers 0.2 s)
    frames, us = only_line(lines, f"[join] [tid word of {tid_of(p.stdout, 'taker')}]")
    assert "main" in frames[1:-1], frames
    assert 0.5 * 0.2e6 * scale < us < 5 * 0.2e6 * scale, us
    # waiting for work beside the contention: the condition variable and the semaphore
    cond = [(f, us) for f, us in lines if f[-1].startswith("[condvar] ready_cond+")]
    assert cond and sum(us for _, us in cond) > 0.6 * 0.4e6 * scale, lines
    # (their frames: whatever the scan finds, libc keeps no frame pointers: not asserted)
    _, us = only_line(lines, "[semaphore] slots+0x0")
    assert 0.6 * 0.4e6 * scale < us < 5 * 0.4e6 * scale, us
    # --folded implies --stacks: the text report has the call sites too
    assert "Where threads blocked on table_lock+0x0" in p.stderr


def test_folded_microseconds_add_up_to_the_lock_table(tmp_path):
    _, text, summary = trace([DEMOS / "waitchains"], tmp_path)
    per_lock = {}
    for frames, us in parse(text):
        kind, name = re.fullmatch(r"\[([\w-]+)\] (.*)", frames[-1]).groups()
        per_lock.setdefault((kind, name), 0)
        per_lock[(kind, name)] += us
    table = {(r["kind"], r["symbol"]): int(r["total_wait_ns"]) / 1000 for r in summary["locks"]}
    assert set(per_lock) == set(table), (per_lock, table)
    for lock, us in per_lock.items():
        assert abs(us - table[lock]) <= max(0.01 * table[lock], 2), (lock, us, table[lock])


def test_python_waits_carry_their_python_frames(tmp_path):
    p, text, summary = trace([PYTHON, PYDEMOS / "pylocks.py", "lock"], tmp_path)
    _, _, func, line = next(l.split() for l in p.stdout.splitlines() if l.startswith("SITE lock "))
    demo = str(PYDEMOS / "pylocks.py")
    lines = [(f, us) for f, us in parse(text) if f[-1] == f"[py-lock] Lock in {func} (pylocks.py:{line})"]
    assert lines, text
    frames, us = max(lines, key=lambda l: l[1])
    # the Python frames root first: the thread's bootstrap, the worker, the function at the tagged line
    site = frames.index(f"{demo}:{func}:{line}")
    assert frames[site - 1].startswith(f"{demo}:lock_worker:"), frames
    assert any(f.endswith(":Thread._bootstrap") or ":Thread._bootstrap:" in f for f in frames[1:site]), frames
    # then the native frames it waits in (CPython's lock, libc), then the lock
    native = frames[site + 1:-1]
    assert native and not any(".py:" in f for f in native), frames
    # 3 threads x 20 turns of 10 ms x SCALE: two of them wait while one holds
    table = next(r for r in summary["locks"] if r["symbol"] == f"Lock in {func} (pylocks.py:{line})")
    total = sum(us for _, us in lines)
    assert abs(total - int(table["total_wait_ns"]) / 1000) <= 0.01 * int(table["total_wait_ns"]) / 1000 + 2


def test_a_hostile_process_name_stays_one_frame(tmp_path):
    # ';' would split the frame, control characters would break a line; a space is kept
    _, text, _ = trace([DEMOS / "waitchains"], tmp_path, env={"TT_NAME": "a;b\x01c d\te\x7f"})
    lines = parse(text)
    assert len(lines) == len(text.splitlines()) >= 4
    assert {f[0] for f, _ in lines} == {"a_b?c d?e?"}, lines
    frames, _ = only_line(lines, "[mutex] table_lock+0x0")
    assert frames[frames.index("main"):][:3] == ["main", "update_table", "lock_table"]


def test_return_addresses_are_named_by_their_call(tmp_path):
    # a return address at a function's first byte names the function before it ("cleanup+0x0",
    # "consumer+0x0"): no frame but the innermost may show +0x0 (the address after a call)
    p = subprocess.run([str(TT), "-q", "--stacks", "--", str(DEMOS / "prodcons")], capture_output=True,
                       text=True, timeout=120, env=dict(os.environ, TT_SCALE=SCALE))
    assert p.returncode == 0, p.stderr
    stacks = [l.split(": ", 1)[1] for l in p.stderr.splitlines() if re.match(r"\s+\d+ waits, .*: ", l)]
    assert stacks, p.stderr
    for s in stacks:
        frames = s.split(" < ")
        assert not [f for f in frames[1:] if f.endswith("+0x0")], s


def test_tt_flame_draws_each_frame_as_wide_as_its_time(tmp_path):
    from conftest import ROOT
    import xml.etree.ElementTree as ET
    _, text, _ = trace([DEMOS / "waitchains"], tmp_path, env={"TT_NAME": "a<b&c;d"})
    svg = tmp_path / "w.svg"
    p = subprocess.run([str(ROOT / "scripts" / "tt-flame"), "-o", str(svg), str(tmp_path / "waits.folded")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    ns = "{http://www.w3.org/2000/svg}"
    boxes = {}
    for g in ET.parse(svg).getroot().iter(ns + "g"):
        boxes[g.find(ns + "title").text.split(" (")[0]] = float(g.find(ns + "rect").get("width"))
    lines = parse(text)
    total = sum(us for _, us in lines)
    root = boxes.pop("a<b&c_d")  # escaped in the SVG, read back whole
    mutex = sum(us for f, us in lines if f[-1] == "[mutex] table_lock+0x0")
    assert abs(boxes["[mutex] table_lock+0x0"] / root - mutex / total) < 0.01
    assert abs(boxes["update_table"] / root - mutex / total) < 0.01
