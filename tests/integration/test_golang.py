"""Go programs, honestly (issue 15 item 5).

Ground truth: build/demos/gomutex (Debian's golang-go) runs 8 goroutines on GOMAXPROCS 2, each
taking ~50 us turns under a lock. "shared": one global sync.Mutex, main.mu (it prints its address
and the turns taken: contended acquisitions can be no more); "own": a mutex per goroutine, never
contended. Goroutines park in Go's scheduler, not in futex waits: before the Go probes the tool saw
only the runtime's idle threads and said no lock serializes the shared case.
"""
import re
import subprocess

from conftest import DEMOS, TT, read_summary

GOMUTEX = DEMOS / "gomutex"


def run(mode, tmp_path, secs="2"):
    out = tmp_path / mode
    p = subprocess.run([str(TT), "-q", "--summary-csv", str(out), "--", str(GOMUTEX), mode, secs],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    verdict = [l for l in p.stderr.splitlines() if l.startswith("Verdict:")]
    assert len(verdict) == 1, p.stderr
    return p, read_summary(out)["locks"], verdict[0]


def test_shared_go_mutex_is_counted_named_and_reported(tmp_path):
    p, rows, verdict = run("shared", tmp_path)
    addr = int(re.search(r"^ADDR mu (0x[0-9a-f]+)$", p.stdout, re.M).group(1), 16)
    turns = int(re.search(r"^TURNS (\d+)$", p.stdout, re.M).group(1))
    go = [r for r in rows if r["kind"].startswith("go-")]
    assert len(go) == 1, rows
    mu = go[0]
    assert int(mu["addr"], 16) == addr, mu
    assert mu["symbol"] == "main.mu+0x0" and mu["kind"] == "go-mutex" and mu["role"] == "contention", mu
    acq = int(mu["waits"])
    # each contended Lock enters the slow path once; 8 goroutines on 2 Ps contend on most turns
    assert turns // 10 < acq <= turns + 8, (acq, turns)
    assert mu["total_wait_ns"] == "0" and mu["gil_like"] == "1", mu
    # the runtime's own words (idle Ms, its locks) are not the program's locks
    runtime = [r for r in rows if r["symbol"].startswith("runtime.") or " in runtime." in r["symbol"]]
    assert runtime and all(r["role"] == "idle" for r in runtime), rows
    assert "main.mu+0x0 likely serializes this process (a Go sync mutex)" in verdict, verdict
    assert "contended acquisitions/s" in verdict and "not timed" in verdict, verdict
    assert "confidence high" not in verdict, verdict
    assert "go-mutex, go-rwmutex: WAITS = contended acquisitions" in p.stderr


def test_mutex_per_goroutine_has_no_such_verdict(tmp_path):
    p, rows, verdict = run("own", tmp_path)
    assert int(re.search(r"^TURNS (\d+)$", p.stdout, re.M).group(1)) > 0, p.stdout
    # never contended: no slow path entered, no row
    assert not [r for r in rows if r["kind"].startswith("go-")], rows
    assert all(r["role"] == "idle" for r in rows), rows
    assert verdict.startswith("Verdict: no lock serializes this process"), verdict
    assert "main." not in verdict, verdict
    # what it cannot see is said, and no high confidence about it
    assert "a Go program: goroutines wait in Go's scheduler, untimed (0 contended" in verdict, verdict
    assert "confidence high" not in verdict, verdict


def test_attached_to_a_running_go_program(tmp_path):
    """-p: the probe goes on an executable already running (its goroutines already contending)."""
    demo = subprocess.Popen([str(GOMUTEX), "shared", "4"], stdout=subprocess.PIPE, text=True)
    try:
        assert demo.stdout.readline().startswith("TID main "), "the demo did not start"
        addr = int(demo.stdout.readline().split()[2], 16)
        out = tmp_path / "attached"
        p = subprocess.run([str(TT), "-q", "-d", "1.5", "--summary-csv", str(out), "-p", str(demo.pid)],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        rows = read_summary(out)["locks"]
        mu = [r for r in rows if r["kind"] == "go-mutex"]
        assert len(mu) == 1 and int(mu[0]["addr"], 16) == addr and int(mu[0]["waits"]) > 100, rows
        assert "main.mu+0x0 likely serializes this process (a Go sync mutex)" in p.stdout, p.stdout
        assert "confidence high" not in p.stdout, p.stdout
    finally:
        demo.kill()
        demo.wait()
