"""Exec inside the target, tracing with no tracefs mounted, and bpftrace's tracefs (bench/tracefs.py)."""
import subprocess
import sys

from conftest import DEMOS, PYTHON, ROOT, TT, parse_csv, trace_command


def test_exec_resets_threads_and_tracing_goes_on(tmp_path):
    # a thread is running when the process execs mtsleep3: it dies with the old program
    prog = ("import os,threading,time\n"
            "threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
            "time.sleep(0.2)\n"
            f"os.execv({str(DEMOS / 'mtsleep3')!r}, ['mtsleep3'])\n")
    t = trace_command([PYTHON, "-c", prog], tmp_path)
    assert t.rc == 0, t.stderr
    execs = t.events("exec")
    assert [r["detail"] for r in execs] == ["/usr/bin/python3.11", str(DEMOS / "mtsleep3")]
    assert execs[1]["name"] == "mtsleep3"
    starts = t.events("start")
    py_thread = int(starts[0]["tid"])
    assert t.exit_of(py_thread)["detail"] == "daemon-killed"
    assert int(t.exit_of(py_thread)["ts_ns"]) <= int(execs[1]["ts_ns"])
    # after the exec, mtsleep3's threads and joins as usual
    main, l0, l1 = t.tids["main"], t.tids["loop0"], t.tids["loop1"]
    assert {int(r["tid"]) for r in starts[1:]} == {l0, l1}
    assert [(int(r["tid"]), int(r["peer_tid"])) for r in t.events("join")] == [(main, l0), (main, l1)]


def test_exec_rows_name_the_program_each_exec_was_given(tmp_path):
    # three programs in a few ms, the last gone at once: each row has its own path (read by the
    # kernel side at the exec; /proc/PID/exe, read later, names the next program or nothing)
    prog = "import os; os.execv('/bin/sh', ['sh', '-c', 'exec /bin/true'])"
    t = trace_command([PYTHON, "-c", prog], tmp_path)
    assert t.rc == 0, t.stderr
    assert [r["detail"] for r in t.events("exec")] == [PYTHON, "/bin/sh", "/bin/true"]
    assert [r["name"] for r in t.events("exec")] == ["python3.11", "sh", "true"]


def test_works_without_tracefs(tmp_path):
    # a private mount namespace where no tracefs/debugfs is mounted at all
    out = tmp_path / "t.csv"
    script = ("for m in $(awk '$3==\"tracefs\"||$3==\"debugfs\"{print $2}' /proc/mounts | sort -r);"
              " do umount -l \"$m\" || exit 9; done;"
              " awk '$3==\"tracefs\"{exit 8}' /proc/mounts || exit 8;"
              f" exec {TT} --csv -w {out} -- {DEMOS / 'mtsleep3'}")
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                       capture_output=True, text=True, timeout=60, env={"TT_SCALE": "0.05",
                                                                          "PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr
    rows = parse_csv(out.read_text())
    assert len([r for r in rows if r["event"] == "start"]) == 2
    assert len([r for r in rows if r["event"] == "join"]) == 2


def test_tracefs_helper_reads_the_mount_table():
    from tracefs import tracefs_mounted
    assert tracefs_mounted("sysfs /sys sysfs rw 0 0\nnodev /sys/kernel/tracing tracefs rw,relatime 0 0\n")
    assert tracefs_mounted("tracefs /sys/kernel/debug/tracing tracefs rw 0 0\n")
    assert not tracefs_mounted("sysfs /sys sysfs rw 0 0\ndebugfs /sys/kernel/debug debugfs rw 0 0\n")
    assert not tracefs_mounted("nodev /mnt/elsewhere tracefs rw 0 0\n")
    assert not tracefs_mounted("tracefs /sys/kernel/tracing tmpfs rw 0 0\n")


# Runs bench/tracefs.py's bpftrace command with a tracepoint (which needs tracefs); prints the
# command's first word, then bpftrace's own output.
RUN_BPFTRACE = (
    "import subprocess, sys; sys.path.insert(0, sys.argv[1]); from tracefs import bpftrace_argv; "
    "argv = bpftrace_argv(['-e', 'tracepoint:sched:sched_switch { printf(\"hit\\\\n\"); exit(); }']); "
    "print(argv[0], flush=True); sys.exit(subprocess.run(argv, timeout=120).returncode)")


def run_in_mount_ns(setup):
    """RUN_BPFTRACE in a private mount namespace (gone with it) after the shell commands setup."""
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                           setup + ' && exec "$@"', "sh", sys.executable, "-c", RUN_BPFTRACE,
                           str(ROOT / "bench")], capture_output=True, text=True, timeout=180)


def test_bpftrace_helper_uses_tracefs_already_mounted():
    # as on a machine that mounts tracefs at boot: mounting it again would fail
    p = run_in_mount_ns("{ awk '$2==\"/sys/kernel/tracing\"&&$3==\"tracefs\"{f=1}END{exit !f}' "
                        "/proc/self/mounts || mount -t tracefs nodev /sys/kernel/tracing; }")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split()[:1] == ["bpftrace"]  # run as it is: nothing mounted
    assert "hit" in p.stdout.split()


def test_bpftrace_helper_mounts_tracefs_where_none_is():
    p = run_in_mount_ns("for m in $(awk '$3==\"tracefs\"{print $2}' /proc/mounts | sort -r); do "
                        "umount -l \"$m\" || exit 9; done; ! awk '$3==\"tracefs\"{f=1}END{exit !f}' /proc/mounts")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split()[:1] == ["unshare"]  # in a private mount namespace of its own
    assert "hit" in p.stdout.split()
