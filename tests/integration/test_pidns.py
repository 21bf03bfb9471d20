"""threadtrace in a private PID namespace (a container), and from the host into one.

Ground truth: the demos print their own tids (gettid(): the namespace's numbers inside it) and
their joins; /proc/PID/task/TID/status NSpid maps them to the host's. `unshare --kill-child`
ends the namespace's first process, and with it the whole namespace, on every path.
"""
import json
import os
import signal
import subprocess
import sys
import time

from conftest import DEMOS, SCALE, TT, Trace, parse_csv

UNSHARE = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]


def rows_of(rows, event):
    return [r for r in rows if r["event"] == event]


def test_command_in_a_pid_namespace_is_traced_with_its_pids(tmp_path):
    out = tmp_path / "t.csv"
    p = subprocess.run([*UNSHARE, str(TT), "--csv", "-w", str(out), "--", str(DEMOS / "mtsleep3")],
                       capture_output=True, text=True, timeout=120, env=dict(os.environ, TT_SCALE=SCALE))
    t = Trace(p.returncode, parse_csv(out.read_text()), p.stdout, p.stderr)
    assert t.rc == 0, t.stderr
    main, loop0, loop1 = t.tids["main"], t.tids["loop0"], t.tids["loop1"]
    # the namespace's numbers: threadtrace is its pid 1, the command its first child
    assert main == 2 and {loop0, loop1} == {3, 4}, t.tids
    assert {r["tid"] for r in t.rows if r["event"] != "trace"} == {str(main), str(loop0), str(loop1)}
    assert {r["tgid"] for r in t.rows} == {str(main)}
    assert sorted((int(r["tid"]), int(r["peer_tid"])) for r in rows_of(t.rows, "start")) == \
        [(loop0, main), (loop1, main)]
    assert sorted((int(r["tid"]), int(r["peer_tid"])) for r in rows_of(t.rows, "join")) == sorted(t.joins)
    assert sorted(t.joins) == [(main, loop0), (main, loop1)]
    exits = {int(r["tid"]): r["detail"] for r in rows_of(t.rows, "exit")}
    assert exits == {main: "process-exit", loop0: "exited", loop1: "exited"}
    # loop0 sleeps 4 s x SCALE and main waits for it in its join
    join0 = [r for r in rows_of(t.rows, "join") if int(r["peer_tid"]) == loop0][0]
    assert 0.8 * 4 * float(SCALE) < int(join0["dur_ns"]) / 1e9 < 4 * float(SCALE) + 2


# Runs as the namespace's first process: starts latejoin, attaches threadtrace -p to it, lets it
# go once the tracer has listed its threads, and prints what happened as one JSON line.
INSIDE = r"""
import json, os, signal, subprocess, sys, time
tt, demo, out = sys.argv[1:4]
d = subprocess.Popen([demo], stdout=subprocess.PIPE, text=True)
lines = []
for line in d.stdout:
    lines.append(line)
    if line.strip() == "READY":
        break
t = subprocess.Popen([tt, "-p", str(d.pid), "--csv", "-w", out], stderr=subprocess.PIPE, text=True)
deadline = time.monotonic() + 60
while time.monotonic() < deadline and not (os.path.exists(out) and "alive" in open(out).read()):
    time.sleep(0.02)
os.kill(d.pid, signal.SIGUSR1)
lines += d.stdout.readlines()
d.wait(timeout=60)
err = t.communicate(timeout=60)[1]
print(json.dumps({"demo_pid": d.pid, "stdout": "".join(lines), "rc": t.returncode, "stderr": err}))
"""


def test_attach_inside_a_pid_namespace_sees_threads_that_start_and_join_after(tmp_path):
    out = tmp_path / "t.csv"
    p = subprocess.run([*UNSHARE, sys.executable, "-c", INSIDE, str(TT), str(DEMOS / "latejoin"), str(out)],
                       capture_output=True, text=True, timeout=180, env=dict(os.environ, TT_SCALE=SCALE))
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout.splitlines()[-1])
    t = Trace(res["rc"], parse_csv(out.read_text()), res["stdout"], res["stderr"])
    assert t.rc == 0, t.stderr
    main, w0, w1 = t.tids["main"], t.tids["w0"], t.tids["w1"]
    assert res["demo_pid"] == main == 2, res
    # the threads /proc listed at the attach, and the one started after it, by their kernel events
    assert sorted(int(r["tid"]) for r in rows_of(t.rows, "alive")) == [main, w0]
    assert [(int(r["tid"]), int(r["peer_tid"])) for r in rows_of(t.rows, "start")] == [(w1, main)]
    assert sorted((int(r["tid"]), int(r["peer_tid"])) for r in rows_of(t.rows, "join")) == \
        sorted(t.joins) == [(main, w0), (main, w1)]
    exits = {int(r["tid"]): r["detail"] for r in rows_of(t.rows, "exit")}
    assert exits == {main: "process-exit", w0: "exited", w1: "exited"}
    assert {r["tid"] for r in t.rows if r["event"] != "trace"} <= {str(main), str(w0), str(w1)}


def nspid(host_pid, tid):
    with open(f"/proc/{host_pid}/task/{tid}/status") as f:
        for line in f:
            if line.startswith("NSpid:"):
                return [int(x) for x in line.split()[1:]]
    raise AssertionError(f"no NSpid for {tid}")


def test_host_attach_to_a_process_in_a_pid_namespace_uses_host_pids(tmp_path):
    out = tmp_path / "t.csv"
    u = subprocess.Popen([*UNSHARE, str(DEMOS / "latejoin")], stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, TT_SCALE=SCALE))
    tt = None
    try:
        lines = []
        for line in u.stdout:
            lines.append(line)
            if line.strip() == "READY":
                break
        with open(f"/proc/{u.pid}/task/{u.pid}/children") as f:
            host_pid = int(f.read().split()[0])
        # host tid -> the namespace's, of the threads alive now (main, w0)
        ns_of = {int(tid): nspid(host_pid, tid)[-1] for tid in os.listdir(f"/proc/{host_pid}/task")}
        assert sorted(nspid(host_pid, host_pid)) != [host_pid], "the demo is not in a namespace"
        tt = subprocess.Popen([str(TT), "-p", str(host_pid), "--csv", "-w", str(out)],
                              stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (out.exists() and "alive" in out.read_text()):
            time.sleep(0.02)
        os.kill(host_pid, signal.SIGUSR1)
        lines += u.stdout.readlines()
        u.wait(timeout=60)
        err = tt.communicate(timeout=60)[1]
    finally:
        for proc in (tt, u):
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
    t = Trace(tt.returncode, parse_csv(out.read_text()), "".join(lines), err)
    assert t.rc == 0, t.stderr
    host_of = {ns: host for host, ns in ns_of.items()}
    main, w0 = host_of[t.tids["main"]], host_of[t.tids["w0"]]
    assert main == host_pid and w0 != t.tids["w0"]
    starts = [(int(r["tid"]), int(r["peer_tid"])) for r in rows_of(t.rows, "start")]
    assert len(starts) == 1 and starts[0][1] == main, starts
    w1 = starts[0][0]
    assert w1 != t.tids["w1"] and w1 not in (main, w0)  # a host tid, not the namespace's
    assert {r["tgid"] for r in t.rows} == {str(main)}
    # the joins: the futex words hold the namespace's tids, the report the host's
    assert sorted((int(r["tid"]), int(r["peer_tid"])) for r in rows_of(t.rows, "join")) == \
        [(main, w0), (main, w1)]
    exits = {int(r["tid"]): r["detail"] for r in rows_of(t.rows, "exit")}
    assert exits == {main: "process-exit", w0: "exited", w1: "exited"}
