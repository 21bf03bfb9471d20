"""--stacks: where threads blocked, symbolized (ELF, libc's debug symbols, perf maps)."""
import os
import subprocess
import time

from conftest import DEMOS, TT


def test_top_call_site_names_the_demo_function(tmp_path):
    p = subprocess.run([str(TT), "-q", "--stacks", "--", str(DEMOS / "gil"), "3"],
                       capture_output=True, text=True, timeout=60, env=dict(os.environ, TT_SCALE="0.3"))
    assert p.returncode == 0, p.stderr
    # with a command, the report is on stderr
    section = p.stderr.split("Where threads blocked on big_lock+0x0\n", 1)[1].split("\n\n")[0]
    top = section.splitlines()[0]
    # frame-pointer walk + stack scan: libc's wait, the mutex lock, the demo's worker
    assert "__lll_lock_wait" in top and "pthread_mutex_lock" in top and "worker+0x" in top, top
    assert top.index("pthread_mutex_lock") < top.index("worker+0x")


def runtime_range(pid, exe, symbol):
    """The run-time address range of a function of a PIE executable (nm + /proc/PID/maps)."""
    out = subprocess.run(["nm", "-S", "--defined-only", str(exe)], capture_output=True, text=True).stdout
    fields = next(l.split() for l in out.splitlines() if l.split()[-1] == symbol)
    value, size = int(fields[0], 16), int(fields[1], 16)
    with open(f"/proc/{pid}/maps") as f:
        base = next(int(l.split("-")[0], 16) for l in f
                    if l.rstrip().endswith(str(exe)) and l.split()[2] == "00000000")
    return base + value, size


def test_deadlock_with_stacks_and_a_perf_map(demo_proc, tmp_path):
    d = demo_proc([DEMOS / "deadlock"], env={"TT_DEADLOCK_DELAY": "2.0"})
    d.wait_for("READY")
    pid = d.proc.pid
    # what a JIT would write: our name for the demo's `locker` code
    start, size = runtime_range(pid, DEMOS / "deadlock", "locker")
    perf_map = f"/tmp/perf-{pid}.map"
    with open(perf_map, "w") as f:
        f.write(f"{start:x} {size:x} jit_locker\n")
    try:
        tt = subprocess.Popen([str(TT), "--stacks", "-p", str(pid)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        time.sleep(3.5)
        d.proc.kill()
        d.proc.wait()
        out, err = tt.communicate(timeout=10)
    finally:
        os.unlink(perf_map)
    assert tt.returncode == 0, err
    live, summary = out.split("\nThreads of process ", 1)
    blocked = [l for l in live.splitlines() if "blocked at:" in l]
    assert len(blocked) == 2, out
    # the summary's Deadlocks section repeats them
    again = [l.split("blocked at:", 1)[1] for l in summary.splitlines() if "blocked at:" in l]
    assert again == [l.split("blocked at:", 1)[1] for l in blocked], out
    assert all("pthread_mutex_lock" in l and "jit_locker+0x" in l for l in blocked)
