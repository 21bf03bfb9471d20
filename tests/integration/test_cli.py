"""Attaching with -p, exit codes, -i, -d, and untrusted names, each against ground truth."""
import os
import signal
import subprocess
import time

from conftest import DEMOS, PYTHON, TT, diagnostics, parse_csv, read_summary, trace_command


def a_kernel_thread():
    """A kernel thread's pid, found by PF_KTHREAD (0x00200000) in /proc/PID/stat's flags
    (field 9), as ps does: pid 2 is kthreadd only in the initial PID namespace."""
    for pid in sorted(int(p) for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[6]) & 0x00200000:
            return pid
    raise AssertionError("no kernel thread visible in /proc (a PID namespace?): cannot test -p on one")


def run_tt(args, timeout=30):
    return subprocess.run([str(TT), *args], capture_output=True, text=True, timeout=timeout)


def test_existing_threads_appear_alive_with_names(demo_proc, tmp_path):
    d = demo_proc([DEMOS / "idle", "3"])
    d.wait_for("READY")
    out = tmp_path / "t.csv"
    p = run_tt(["--csv", "-w", str(out), "-d", "0.5", "-p", str(d.proc.pid)])
    assert p.returncode == 0, p.stderr
    rows = parse_csv(out.read_text())
    alive = {int(r["tid"]): r["name"] for r in rows if r["event"] == "alive"}
    expect = {d.tids["main"]: "idle-main", **{d.tids[f"idle-{i}"]: f"idle-{i}" for i in range(3)}}
    assert alive == expect
    assert all(r["detail"] == "attach" for r in rows if r["event"] == "alive")
    # still alive when tracing stopped, start unknown: no lifetime
    end = {int(r["tid"]): r for r in rows if r["event"] == "end"}
    assert set(end) == set(expect)
    assert all(r["dur_ns"] == "" for r in end.values())
    assert d.proc.poll() is None  # the target runs on


def test_threads_asleep_since_before_attach_have_their_sleep_counted(demo_proc, tmp_path):
    # idle's threads sleep in pause() and main in sigwait for the whole trace: none of them
    # switches while traced, yet each was asleep (not on a futex) all along
    d = demo_proc([DEMOS / "idle", "2"])
    d.wait_for("READY")
    p = run_tt(["-q", "--summary-csv", str(tmp_path), "-d", "1.0", "-p", str(d.proc.pid)])
    assert p.returncode == 0, p.stderr
    rows = {int(r["tid"]): r for r in read_summary(tmp_path)["threads"]}
    assert set(rows) == {d.tids["main"], d.tids["idle-0"], d.tids["idle-1"]}
    for r in rows.values():
        assert 0.9 < int(r["sleep_ns"]) / 1e9 < 1.5, r
        assert int(r["lock_ns"]) == 0 and int(r["oncpu_ns"]) < 10e6, r


def test_target_ending_mid_trace_is_reported(demo_proc, tmp_path):
    d = demo_proc([DEMOS / "idle", "2"])
    d.wait_for("READY")
    out = tmp_path / "t.csv"
    tt = subprocess.Popen([str(TT), "--csv", "-w", str(out), "-p", str(d.proc.pid)],
                          stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    d.proc.send_signal(signal.SIGTERM)  # idle's main returns: its threads die with it
    assert d.proc.wait(timeout=5) == 0
    assert tt.wait(timeout=10) == 0, tt.stderr.read()
    rows = parse_csv(out.read_text())
    exits = {int(r["tid"]): r["detail"] for r in rows if r["event"] == "exit"}
    assert exits == {d.tids["main"]: "process-exit", d.tids["idle-0"]: "daemon-killed",
                     d.tids["idle-1"]: "daemon-killed"}
    assert not [r for r in rows if r["event"] == "end"]


def test_thread_id_traces_its_process(demo_proc, tmp_path):
    d = demo_proc([DEMOS / "idle", "2"])
    d.wait_for("READY")
    out = tmp_path / "t.csv"
    p = run_tt(["--csv", "-w", str(out), "-d", "0.2", "-p", str(d.tids["idle-0"])])
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip() == (f"threadtrace: {d.tids['idle-0']} is a thread of process "
                                f"{d.proc.pid}: tracing the whole process")
    rows = parse_csv(out.read_text())
    # every thread of the process, the one named and its siblings, and nothing else
    alive = {int(r["tid"]): (int(r["tgid"]), r["name"]) for r in rows if r["event"] == "alive"}
    assert alive == {d.tids["main"]: (d.proc.pid, "idle-main"),
                     d.tids["idle-0"]: (d.proc.pid, "idle-0"),
                     d.tids["idle-1"]: (d.proc.pid, "idle-1")}
    assert {int(r["tgid"]) for r in rows} == {d.proc.pid}


def test_interval_reports_live_threads(demo_proc):
    d = demo_proc([DEMOS / "idle", "2"])
    d.wait_for("READY")
    p = run_tt(["-i", "0.2", "-d", "0.7", "-p", str(d.proc.pid)])
    assert p.returncode == 0
    blocks = p.stdout.split("threads alive now")[1:]
    assert len(blocks) >= 2
    first = blocks[0].split("\n\n")[0]
    listed = {int(line.split()[0]) for line in first.splitlines()[2:] if line.split()
              and line.split()[0].isdigit()}
    assert listed == {d.tids["main"], d.tids["idle-0"], d.tids["idle-1"]}
    # all asleep in pause()/sigwait: state S
    for line in first.splitlines()[2:]:
        if line.split() and line.split()[0].isdigit():
            assert line.split()[2] == "S", line


def test_command_exit_status_is_passed_on(tmp_path):
    assert trace_command(["sh", "-c", "exit 7"], tmp_path).rc == 7
    t = trace_command(["sh", "-c", "kill -TERM $$"], tmp_path)
    assert t.rc == 128 + signal.SIGTERM
    main = t.events("exec")[0]["tid"]
    me = t.exit_of(main)
    assert me["detail"] == "daemon-killed" and me["signal"] == str(int(signal.SIGTERM))


def test_duration_ends_the_run_and_terminates_the_command(tmp_path):
    # -d with a command: tracing stops at -d, then the command gets SIGTERM (as timeout does)
    begin = time.monotonic()
    t = trace_command(["sleep", "5"], tmp_path, args=["-d", "0.3"])
    assert t.rc == 128 + signal.SIGTERM
    assert time.monotonic() - begin < 4
    assert [r["detail"] for r in t.events("end")] == ["alive"]  # alive when tracing stopped
    sleeper = int(t.events("exec")[0]["tid"])
    assert not os.path.exists(f"/proc/{sleeper}")  # ended, and reaped by threadtrace


def test_bad_pid_and_usage_errors():
    absent = next(pid for pid in range(4194303, 1, -1) if not os.path.exists(f"/proc/{pid}"))
    p = run_tt(["-p", str(absent)])
    assert p.returncode == 5 and p.stderr == f"threadtrace: no such process: {absent}\n"
    kthread = a_kernel_thread()
    p = run_tt(["-p", str(kthread)])
    assert p.returncode == 5, p.stderr
    assert p.stderr.strip() == (f"threadtrace: {kthread} is a kernel thread: "
                                "nothing to trace in user space")
    for bad in (["-p", "12x"], ["-p", "0"], [], ["-p", "1", "--", "true"], ["--nope"],
                ["-d", "abc", "-p", "1"]):
        assert run_tt(bad).returncode == 2, bad


def test_output_file_is_not_overwritten_without_force(tmp_path):
    out = tmp_path / "exists.csv"
    out.write_text("keep me\n")
    p = run_tt(["--csv", "-w", str(out), "--", "true"])
    assert p.returncode == 2 and "--force" in p.stderr
    assert out.read_text() == "keep me\n"
    p = run_tt(["--csv", "-w", str(out), "--force", "--", "true"])
    assert p.returncode == 0 and out.read_text().startswith("ts_ns,")


HOSTILE = 'e,"q"\x1b[2J\t'  # 14 bytes: fits a comm


def test_hostile_thread_name_is_escaped(tmp_path):
    prog = ("import threading,time\n"
            "def f():\n"
            f"    open('/proc/thread-self/comm','w').write({HOSTILE!r})\n"
            "    time.sleep(0.2)\n"
            "t=threading.Thread(target=f); t.start(); t.join()\n")
    t = trace_command([PYTHON, "-c", prog], tmp_path)
    assert t.rc == 0
    names = [r["name"] for r in t.events("rename")]
    assert names == [HOSTILE]  # CSV round-trips the exact bytes
    p = subprocess.run([str(TT), "--", PYTHON, "-c", prog], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0
    assert p.stdout == ""  # with a command, the report is on stderr
    assert "\x1b" not in p.stderr and "\t" not in p.stderr
    # quoted (it holds quotes and replaced bytes), its quotes escaped (docs/security.md)
    assert '"e,\\"q\\"?[2J?"' in p.stderr


def test_a_full_ring_buffer_is_counted_not_silent(tmp_path):
    # a 4 KiB ring buffer cannot hold 3000 thread starts plus their waits and exits
    t = trace_command([DEMOS / "manythreads", "3000"], tmp_path, args=["--buffer", "4"])
    assert t.rc == 0
    (lost,) = t.events("lost")
    kind, n = lost["detail"].split(":")
    assert kind == "ringbuf" and int(n) > 0
    assert f"lost {n} events" in t.stderr
    starts = len(t.events("start"))
    # every start is either in the CSV or among the events counted as lost
    assert starts < 3000 and starts + int(n) >= 3000


def test_status_line_only_when_stderr_is_a_terminal(tmp_path):
    import pty
    env = dict(os.environ, TT_SCALE="0.6")  # mtsleep3: 2.4 s
    master, slave = pty.openpty()
    p = subprocess.Popen([str(TT), "--csv", "-w", str(tmp_path / "a.csv"), "--",
                          str(DEMOS / "mtsleep3")], stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert p.wait(timeout=30) == 0
    os.close(master)
    lines = [l for l in seen.decode().replace("\r\n", "\n").split("\r") if "threadtrace:" in l]
    assert len(lines) >= 2 and all(" events, 0 lost" in l for l in lines)
    # stderr not a terminal: no status line, only the report (a command's: on stderr), no diagnostic
    p = subprocess.run([str(TT), "--csv", "-w", str(tmp_path / "b.csv"), "--", str(DEMOS / "mtsleep3")],
                       capture_output=True, text=True, env=env, timeout=30)
    assert p.returncode == 0 and diagnostics(p.stderr) == [], p.stderr
    assert "\r" not in p.stderr and " events, " not in p.stderr and "\nVerdict: " in p.stderr
