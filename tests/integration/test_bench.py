"""The benchmark's smoke run (tiny sizes): it must keep running; it never judges numbers."""
import re
import subprocess

from conftest import ROOT


def test_bench_smoke_runs_every_workload():
    stats_before = open("/proc/sys/kernel/bpf_stats_enabled").read().strip()
    p = subprocess.run(["make", "-s", "bench-smoke"], cwd=ROOT, capture_output=True, text=True,
                       timeout=180)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    out = p.stdout
    for row in ("summary mode, futex loop", "summary mode, contended mutex",
                "summary mode, CPython GIL threads", "summary mode, thread churn",
                "event mode, thread churn", "event mode, events/s into a file", "start-up",
                "Ctrl-C to exit"):
        assert re.search(rf"^{re.escape(row)}\s", out, re.M), row
    # every measured figure is a number
    # (can be below 0 with noise: futex calls that do not sleep cost threadtrace nothing)
    assert re.search(r"per-call cost, summary mode: .* = -?\d+ ns per futex call", out)
    assert re.search(r"^runs: \d+", out, re.M)
    # the BPF run time per program, from the kernel's statistics: the scheduler's program ran
    m = re.search(r"^on_sched_switch\s+(\d+)\s+(\d+)\s+([\d.]+) us", out, re.M)
    assert m and int(m.group(1)) > 0 and int(m.group(2)) > 0, out[-2000:]
    # and per blocking wait of a ping-pong: the switch and wake-up programs ran for it
    per_wait = out[out.index("per blocking wait"):]
    for prog in ("on_sched_switch", "on_sched_waking"):
        m = re.search(rf"^{prog}\s+(\S+)\s+(\d+)\s+([\d.]+) us", per_wait, re.M)
        assert m and float(m.group(3)) > 0, per_wait[:2000]
    # and the statistics were set back as they were
    assert open("/proc/sys/kernel/bpf_stats_enabled").read().strip() == stats_before
