"""CPython 3.11 in Python's words (issue 11): threading names and Python frames, read from the
interpreter by threadtrace, against what the demos set and where their own text puts the lines."""
import json
import signal
import subprocess
import time
from pathlib import Path

from conftest import DEMOS, PYDEMOS, PYTHON, ROOT, TT, diagnostics, parse_csv, trace_command

NAMES = PYDEMOS / "pynames.py"
DEADLOCK = PYDEMOS / "pydeadlock.py"
ODD_NAME = 'odd, "name" \u00fc'
# -d 4 ends the run before pynames.py's main (5 s): threadtrace then ends it with SIGTERM
TERMINATED = 128 + signal.SIGTERM
# role (its TID line) -> the threading name it has when it ends (or when the trace stops)
WANT = {"main": "MainThread", "worker-0": "worker-0", "odd": ODD_NAME, "early": "early",
        "renamer": "renamed", "blocked": "blocked"}
ENDED = ("worker-0", "odd", "early", "renamer")  # before a -d 4 trace stops (the threads end by 1.5 s, main at 5 s)
PY312 = Path("/root/.pyenv/versions/3.12.1/bin/python3.12")  # a CPython the reader refuses


def shown(name):
    """A name as the text view shows it: bare if one plain ASCII token, else quoted (docs/security.md)."""
    if name and all(" " < c < "\x7f" and c not in '"\\' for c in name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def line_of(path, marker):
    """The 1-based line of the demo's text holding marker (once)."""
    lines = [i for i, l in enumerate(Path(path).read_text().splitlines(), 1) if marker in l]
    assert len(lines) == 1, (marker, lines)
    return lines[0]


def line_of_call(path, call):
    """The line of the demo's text that is exactly `call` (indented), e.g. the `main()` call."""
    lines = [i for i, l in enumerate(Path(path).read_text().splitlines(), 1) if l.strip() == call]
    assert len(lines) == 1, (call, lines)
    return lines[0]


def frames(py_stack):
    return py_stack.split(" < ") if py_stack else []


def test_thread_names_in_csv_summary_json_and_timeline(tmp_path):
    sj, tl = tmp_path / "summary.json", tmp_path / "t.json"
    t = trace_command([PYTHON, NAMES], tmp_path, env={"TT_SCALE": "1"},
                      args=["-d", "4", "--stacks", "--summary-json", str(sj), "--timeline", str(tl)])
    assert t.rc == TERMINATED, t.stderr
    assert diagnostics(t.stderr) == [], t.stderr
    tid = {role: t.tids[role] for role in WANT}
    assert len(set(tid.values())) == len(WANT)
    # events CSV: the name each thread had at its end (renamed: the new one; early: read before it ended)
    for role in ENDED:
        assert t.exit_of(tid[role])["py_name"] == WANT[role], role
    ends = {int(r["tid"]): r for r in t.events("end")}
    assert set(ends) == {tid["main"], tid["blocked"]}
    for role in ("main", "blocked"):
        assert ends[tid[role]]["py_name"] == WANT[role], role
    # no Python name before the interpreter gave one: a start row comes before the thread runs
    assert all(r["py_name"] == "" for r in t.events("start"))
    # the joins are main's (its name on its rows)
    assert {r["py_name"] for r in t.events("join")} == {"MainThread"}
    # the summary CSV and JSON: every thread's last name
    threads = {int(r["tid"]): r for r in t.summary["threads"]}
    assert {th: threads[th]["py_name"] for th in threads} == {tid[r]: WANT[r] for r in WANT}
    summary = json.loads(sj.read_text())
    assert {th["tid"]: th["py_name"] for th in summary["threads"]} == {tid[r]: WANT[r] for r in WANT}
    # the timeline's tracks: "name (tid)" with the Python name
    tracks = {e["tid"]: e["args"]["name"] for e in json.loads(tl.read_text())["traceEvents"]
              if e.get("name") == "thread_name"}
    assert tracks == {tid[r]: f"{WANT[r]} ({tid[r]})" for r in WANT}

    # --stacks: the threads still there at the end hold still; their frames, innermost first
    blocked = frames(ends[tid["blocked"]]["py_stack"])
    assert blocked[0] == f"{NAMES}:blocked:{line_of(NAMES, 'BLOCKED-HERE')}"
    assert blocked[1].startswith("/usr/lib/python3.11/threading.py:Thread.run:")
    main = frames(ends[tid["main"]]["py_stack"])
    assert main == [f"{NAMES}:main:{line_of(NAMES, 'MAIN-SLEEP')}",
                    f"{NAMES}:<module>:{line_of_call(NAMES, 'main()')}"]
    assert threads[tid["main"]]["py_stack"] == ends[tid["main"]]["py_stack"]
    assert {th["tid"]: th["py_stack"] for th in summary["threads"]}[tid["blocked"]] == \
        ends[tid["blocked"]]["py_stack"]
    for role in ENDED:  # ended before the end: no stack
        assert t.exit_of(tid[role])["py_stack"] == "" and threads[tid[role]]["py_stack"] == ""

    # tt-report: a PY_NAME column (one token: spaces as '_') before NAME, the OS name
    rep = subprocess.run([str(ROOT / "scripts" / "tt-report"), str(tmp_path / "trace0.csv")],
                         capture_output=True, text=True, timeout=60)
    assert rep.returncode == 0, rep.stderr
    block = rep.stdout.split("\nthreads: ", 1)[1].split("\n\n")[0].splitlines()
    cols = block[1].split()
    rows = [dict(zip(cols, l.split(None, len(cols) - 1))) for l in block[2:]]
    assert {int(r["TID"]): r["PY_NAME"] for r in rows} == {tid[r]: WANT[r].replace(" ", "_") for r in WANT}
    assert {r["NAME"] for r in rows} == {"python3.11"}


def test_thread_names_in_text_tables_and_json_events(tmp_path):
    p = subprocess.run([str(TT), "-q", "--stacks", "-d", "4", "--", PYTHON, str(NAMES)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == TERMINATED, p.stderr
    tids = {l.split()[1]: int(l.split()[2]) for l in p.stdout.splitlines() if l.startswith("TID ")}
    # the demo's own lines on stdout, the report on stderr
    table = p.stderr.split("\nThreads of process", 1)[1].split("\n\n")[0].splitlines()[2:]
    rows = {int(l.split()[0]): l for l in table}
    assert set(rows) == set(tids.values())
    for role, name in WANT.items():
        # TID, then the Python name (quoted when not one plain token), then the creator column
        assert rows[tids[role]].split(None, 1)[1].startswith(shown(name) + " "), rows[tids[role]]
    section = p.stderr.split("\nPython stacks of the threads blocked or asleep at the end", 1)[1]
    lines = section.split("\n\n")[0].splitlines()[1:]
    assert sorted(int(l.split()[0]) for l in lines) == sorted([tids["main"], tids["blocked"]])
    blocked = next(l for l in lines if int(l.split()[0]) == tids["blocked"])
    assert blocked.endswith(f"{tids['blocked']} blocked: " + blocked.split(": ", 1)[1])
    assert f"{NAMES}:blocked:{line_of(NAMES, 'BLOCKED-HERE')} < " in blocked

    jp = subprocess.run([str(TT), "-o", "json", "-d", "4", "--", PYTHON, str(NAMES)],
                        capture_output=True, text=True, timeout=60)
    assert jp.returncode == TERMINATED, jp.stderr
    # with a command and no -w, the events go to stderr: the command's stdout stays its own
    events = [json.loads(l) for l in jp.stderr.splitlines() if l.startswith("{")]
    jtids = {l.split()[1]: int(l.split()[2]) for l in jp.stdout.splitlines() if l.startswith("TID ")}
    last = {}
    for e in events:
        assert "py_name" in e and "py_stack" in e
        if e["event"] in ("exit", "end"):
            last[e["tid"]] = e["py_name"]
    assert last == {jtids[r]: WANT[r] for r in WANT}
    # no --stacks: no frames but each wait's own (read by the kernel side as it blocked)
    assert all(e["py_stack"] is None for e in events if e["event"] != "wait")
    assert any(e["py_stack"] for e in events if e["event"] == "wait")


def test_non_python_target_has_no_python_names(tmp_path):
    t = trace_command([DEMOS / "mtsleep3"], tmp_path, args=["--stacks"])
    assert t.rc == 0, t.stderr
    assert len(t.rows) > 5
    assert all(r["py_name"] == "" and r["py_stack"] == "" for r in t.rows)
    assert all(r["py_name"] == "" and r["py_stack"] == "" for r in t.summary["threads"])


def test_unsupported_python_version_one_line_and_todays_output(tmp_path):
    assert PY312.exists(), "pyenv's 3.12.1 (the refused version) is missing"
    t = trace_command([PY312, NAMES], tmp_path, env={"TT_SCALE": "1"}, args=["-d", "4", "--stacks"])
    assert t.rc == TERMINATED, t.stderr
    lines = diagnostics(t.stderr)
    assert len(lines) == 1, t.stderr
    assert "CPython 3.12.1" in lines[0] and "unsupported" in lines[0], lines[0]
    assert all(r["py_name"] == "" and r["py_stack"] == "" for r in t.rows)
    # the rest as before: every thread the demo printed, seen starting
    started = {int(r["tid"]) for r in t.events("start")}
    assert started == {t.tids[r] for r in WANT if r != "main"}


def wait_rows(path, event, n, timeout):
    deadline = time.monotonic() + timeout
    rows = []
    while time.monotonic() < deadline:
        if path.exists():
            rows = [r for r in parse_csv(path.read_text()) if r["event"] == event]
            if len(rows) >= n:
                break
        time.sleep(0.05)
    return rows


def test_python_deadlock_carries_python_frames(demo_proc, tmp_path):
    d = demo_proc([PYTHON, DEADLOCK], env={"TT_DEADLOCK_DELAY": "1.0"})
    d.wait_for("READY")
    out = tmp_path / "t.csv"
    tt = subprocess.Popen([str(TT), "--csv", "-w", str(out), "--stacks", "-d", "4", "-p", str(d.proc.pid)],
                          stderr=subprocess.PIPE, text=True)
    _, err = tt.communicate(timeout=30)
    assert tt.returncode == 0, err
    rows = parse_csv(out.read_text())
    ab, ba = d.tids["ab"], d.tids["ba"]
    dl = {int(r["tid"]): r for r in rows if r["event"] == "deadlock"}
    assert set(dl) == {ab, ba}
    assert (int(dl[ab]["peer_tid"]), int(dl[ba]["peer_tid"])) == (ba, ab)
    assert (dl[ab]["py_name"], dl[ba]["py_name"]) == ("locker-ab", "locker-ba")
    want = [f"{DEADLOCK}:NativeLock.acquire:{line_of(DEADLOCK, 'NATIVE-LOCK')}",
            f"{DEADLOCK}:locker:{line_of(DEADLOCK, 'SECOND-LOCK')}",
            "/usr/lib/python3.11/threading.py:Thread.run:"]
    for tid in (ab, ba):
        got = frames(dl[tid]["py_stack"])
        assert got[:2] == want[:2], got
        assert got[2].startswith(want[2]), got
    # still blocked at the end, at the same place
    ends = {int(r["tid"]): r for r in rows if r["event"] == "end"}
    assert frames(ends[ab]["py_stack"])[:2] == want[:2]
    assert frames(ends[ba]["py_stack"])[:2] == want[:2]


def test_threading_lock_deadlock_shows_where_each_thread_waits(demo_proc, tmp_path):
    # threading.Lock keeps no owner: no cycle to report, but the blocked threads' frames say where
    d = demo_proc([PYTHON, DEADLOCK, "threading"], env={"TT_DEADLOCK_DELAY": "0"})
    d.wait_for("READY")
    time.sleep(0.5)
    out = tmp_path / "t.csv"
    p = subprocess.run([str(TT), "--csv", "-w", str(out), "--stacks", "-d", "1", "-p", str(d.proc.pid)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    rows = parse_csv(out.read_text())
    ends = {int(r["tid"]): r for r in rows if r["event"] == "end"}
    second = f"{DEADLOCK}:locker:{line_of(DEADLOCK, 'SECOND-LOCK')}"
    for role in ("ab", "ba"):
        end = ends[d.tids[role]]
        assert end["py_name"] == f"locker-{role}"
        assert frames(end["py_stack"])[0] == second, end["py_stack"]
    main = frames(ends[d.tids["main"]]["py_stack"])
    assert main[0].startswith("/usr/lib/python3.11/threading.py:Thread._wait_for_tstate_lock:")
    assert f"{DEADLOCK}:main:{line_of(DEADLOCK, '# forever')}" in main
