"""Shared helpers for the integration tests: run threadtrace for real (BPF, as root)."""
import csv
import io
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
TT = BUILD / "threadtrace"
DEMOS = BUILD / "demos"
PYDEMOS = ROOT / "demos"
sys.path.insert(0, str(ROOT / "bench"))
from tracefs import bpftrace_argv  # noqa: E402,F401  (the mounted tracefs, else a private one)

PYTHON = "/usr/bin/python3.11"  # Debian's CPython 3.11: what KERNEL-FACTS measured
SCALE = "0.25"                  # every demo sleep times this
CSV_COLUMNS = ["ts_ns", "tgid", "tid", "name", "event", "peer_tid", "dur_ns", "detail",
               "addr", "exit_code", "signal", "blocked_by", "py_name", "py_stack", "site"]


def pytest_sessionstart(session):
    # Never skip silently: without root or BPF the whole suite fails, loudly.
    if os.geteuid() != 0:
        pytest.exit("threadtrace tests need root (BPF): run `sudo make test`", returncode=1)
    if not TT.exists():
        pytest.exit(f"{TT} is missing: run `make` first", returncode=1)


class Trace:
    """One finished run of threadtrace: its CSV rows, the demo's TID/JOIN lines, exit code."""

    def __init__(self, rc, rows, stdout, stderr):
        self.rc, self.rows, self.stdout, self.stderr = rc, rows, stdout, stderr
        self.tids = {}    # role -> tid, from the demo's `TID role tid` lines
        self.joins = []   # (joiner, joinee) from the demo's `JOIN a b` lines
        for line in stdout.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "TID":
                self.tids[parts[1]] = int(parts[2])
            elif len(parts) == 3 and parts[0] == "JOIN":
                self.joins.append((int(parts[1]), int(parts[2])))

    def events(self, kind, **match):
        out = []
        for r in self.rows:
            if r["event"] != kind:
                continue
            if all(str(r[k]) == str(v) for k, v in match.items()):
                out.append(r)
        return out

    def exit_of(self, tid):
        rows = self.events("exit", tid=tid)
        assert len(rows) == 1, f"expected one exit of {tid}, got {rows}"
        return rows[0]


def diagnostics(stderr):
    """threadtrace's own lines on stderr, each `threadtrace: ...`. With -- COMMAND the report goes to
    stderr too (the command's stdout stays its own), and beside --csv/-o json: no report line starts so."""
    return [l for l in stderr.splitlines() if l.startswith("threadtrace:")]


def parse_csv(text):
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames[:len(CSV_COLUMNS)] == CSV_COLUMNS
    rows = list(reader)
    for r in rows:
        assert None not in r, f"row with extra fields: {r}"
        assert all(v is not None for v in r.values()), f"row with missing fields: {r}"
    return rows


def fdinfo_of(pid):
    """The fields of each /proc/PID/fdinfo entry of process pid (a BPF program's has prog_id and
    verified_insns; a link's a prog_id too), as dicts; none when the process is gone."""
    out = []
    try:
        fds = os.listdir(f"/proc/{pid}/fdinfo")
    except FileNotFoundError:
        return out
    for fd in fds:
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                out.append(dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l))
        except (FileNotFoundError, ProcessLookupError):
            pass
    return out


def read_summary(folder):
    """--summary-csv tables: name -> list of rows (dicts)."""
    out = {}
    for name in ("locks", "threads", "parallelism"):
        with open(folder / f"{name}.csv", newline="") as f:
            out[name] = list(csv.DictReader(f))
    return out


def parallelism_mean(rows):
    total = sum(int(r["time_ns"]) for r in rows)
    return sum(int(r["running"]) * int(r["time_ns"]) for r in rows) / total


def trace_command(cmd, tmp_path, args=(), timeout=60, env=None):
    """threadtrace --csv -w FILE --summary-csv DIR [args] -- cmd; returns a Trace."""
    n = len(list(tmp_path.glob('trace*.csv')))
    out = tmp_path / f"trace{n}.csv"
    summary = tmp_path / f"summary{n}"
    summary.mkdir()
    full_env = dict(os.environ, TT_SCALE=SCALE)
    full_env.update(env or {})
    p = subprocess.run([str(TT), "--csv", "-w", str(out), "--summary-csv", str(summary), *args,
                        "--", *map(str, cmd)],
                       capture_output=True, text=True, timeout=timeout, env=full_env)
    rows = parse_csv(out.read_text()) if out.exists() else []
    t = Trace(p.returncode, rows, p.stdout, p.stderr)
    t.summary = read_summary(summary) if (summary / "locks.csv").exists() else None
    return t


def readline_within(stream, timeout):
    """stream's next line, or "" after timeout s (a helper that hangs fails the test, not blocks it)."""
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else ""


def end_bpftrace(bt, timeout=60):
    """Interrupts bpftrace (it then prints its maps) and returns (stdout, stderr); killed by its
    id if it is still there after timeout s (a busy machine: long enough), on every path."""
    if bt.poll() is None:
        bt.send_signal(signal.SIGINT)
    try:
        return bt.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        bt.kill()
        bt.communicate()
        raise


def trace_beside_bpftrace(bt, demo, tmp_path, demo_timeout=60):
    """The same run seen twice: bpftrace (bt, started on the demo's pid) attaches first, then
    threadtrace --csv -w -p; the demo (held reading a line on stdin) is let go, and every process
    is ended by its id on every path. Returns (summary folder, bpftrace's stdout)."""
    out, summary = tmp_path / "t.csv", tmp_path / "s"
    summary.mkdir()
    tt = None
    try:
        line = readline_within(bt.stdout, 60)  # bpftrace compiles and attaches first: slow when busy
        assert line.startswith("Attaching"), line
        tt = subprocess.Popen([str(TT), "--csv", "-w", str(out), "--summary-csv", str(summary),
                               "-p", str(demo.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
        wait_attached(out)
        demo.stdin.write("go\n")
        demo.stdin.close()
        assert demo.wait(timeout=demo_timeout) == 0
        assert tt.wait(timeout=60) == 0, tt.stderr.read()
    finally:
        # bpftrace prints its maps when interrupted
        for p in (demo, tt):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        bt_out, bt_err = end_bpftrace(bt)
    assert bt.returncode == 0, bt_err
    return summary, bt_out


def wait_attached(csv_path, timeout=10):
    """Waits until a -p tracer writing CSV to csv_path has listed the threads alive at its attach."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (csv_path.exists() and "alive" in csv_path.read_text()):
        time.sleep(0.02)


class Demo:
    """A demo started by the test (not traced), ended by its pid only."""

    def __init__(self, cmd, env=None):
        self.proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, text=True,
                                     env=dict(os.environ, TT_SCALE=SCALE, **(env or {})))
        self.tids = {}

    def wait_for(self, word, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            parts = line.split()
            if len(parts) == 3 and parts[0] == "TID":
                self.tids[parts[1]] = int(parts[2])
            if line.strip() == word:
                return
        raise AssertionError(f"demo never printed {word}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def demo_proc():
    started = []

    def start(cmd, env=None):
        d = Demo(cmd, env)
        started.append(d)
        return d
    yield start
    for d in started:
        d.stop()
