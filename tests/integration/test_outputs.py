"""Where a run writes and how it ends (issue 13): outputs checked before tracing, the command's
stdout its own, the report beside --csv, -d ending a command, one-line usage errors."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import DEMOS, TT, diagnostics, parse_csv, read_summary

MISSING = "/nonexistent-tt-dir/out"  # a folder that is not there


def run_tt(args, timeout=60, cwd=None, env=None, tt=TT):
    """threadtrace ARGS; (completed process, seconds it took)."""
    t0 = time.monotonic()
    p = subprocess.run([str(tt), *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                       env=dict(os.environ, TT_SCALE="0.25", **(env or {})))
    return p, time.monotonic() - t0


def one_line(p, code, words):
    assert p.returncode == code, (p.returncode, p.stderr)
    assert p.stdout == "" and len(p.stderr.splitlines()) == 1, p.stderr
    assert p.stderr.startswith("threadtrace: ") and words in p.stderr, p.stderr


# ---- 1. every output path checked before anything is traced -------------------------------

@pytest.mark.parametrize("opt", ["-w", "--timeline", "--folded", "--summary-json", "--summary-csv"])
def test_a_missing_folder_fails_before_tracing(opt, tmp_path):
    marker = tmp_path / "ran"
    path = f"{MISSING}/x" if opt == "--summary-csv" else f"{MISSING}/x.json"
    # the command would run 2 s: today's --timeline traced it all, then lost it
    p, took = run_tt([opt, path, "--", "sh", "-c", f"touch {marker}; sleep 2"])
    one_line(p, 2, "No such file or directory")
    assert MISSING in p.stderr
    assert took < 1.5, took          # nothing loaded, nothing run
    assert not marker.exists()


@pytest.mark.parametrize("opt", ["-w", "--timeline", "--folded", "--summary-json"])
def test_an_existing_file_needs_force_before_tracing(opt, tmp_path):
    marker, out = tmp_path / "ran", tmp_path / "keep.json"
    out.write_text("keep me\n")
    p, _ = run_tt([opt, out, "--", "touch", marker])
    one_line(p, 2, "--force")
    assert out.read_text() == "keep me\n" and not marker.exists()
    # with --force: overwritten by this run's output
    p, _ = run_tt(["--force", opt, out, "--", "touch", marker])
    assert p.returncode == 0, p.stderr
    assert marker.exists() and out.read_text() != "keep me\n"
    if opt not in ("-w", "--folded"):
        json.loads(out.read_text())


def test_a_read_only_place_fails_before_tracing(tmp_path):
    # a read-only tmpfs in a private mount namespace (gone with it): root's writes are refused too
    ro, marker = tmp_path / "ro", tmp_path / "ran"
    ro.mkdir()
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                        f"mount -t tmpfs -o ro nodev {ro} && "
                        f"exec {TT} --timeline {ro}/t.json -- touch {marker}"],
                       capture_output=True, text=True, timeout=30)
    one_line(p, 2, "Read-only file system")
    assert not marker.exists()


def test_two_options_naming_one_file_fail_and_leave_nothing(tmp_path):
    out, marker = tmp_path / "t.json", tmp_path / "ran"
    p, _ = run_tt(["--force", "-o", "json", "-w", out, "--timeline", out, "--", "touch", marker])
    one_line(p, 2, "same file")
    # the file this run made for -w is removed again: a failed start leaves nothing
    assert not out.exists() and not marker.exists()


# ---- 2. --summary-csv DIR ------------------------------------------------------------------

def test_summary_csv_makes_its_folder(tmp_path):
    # the README's own example: a relative folder with a trailing slash, not there yet
    p, _ = run_tt(["-q", "--summary-csv", "out/", "--", DEMOS / "mtsleep3"], cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "out//" not in p.stderr
    tables = read_summary(tmp_path / "out")
    assert len(tables["threads"]) == 3  # mtsleep3: main and two loops
    assert {r["exit"] for r in tables["threads"]} <= {"process-exit", "exited"}


def test_summary_csv_follows_force(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "threads.csv").write_text("keep me\n")
    marker = tmp_path / "ran"
    p, _ = run_tt(["-q", "--summary-csv", folder, "--", "touch", marker])
    one_line(p, 2, "threads.csv")
    assert (folder / "threads.csv").read_text() == "keep me\n" and not marker.exists()
    assert not (folder / "locks.csv").exists()  # made by the failed start, removed again
    p, _ = run_tt(["-q", "--force", "--summary-csv", folder, "--", "touch", marker])
    assert p.returncode == 0, p.stderr
    assert read_summary(folder)["threads"][0]["exit"] == "process-exit"
    # a missing parent is not made
    p, _ = run_tt(["-q", "--summary-csv", tmp_path / "no" / "such", "--", "true"])
    one_line(p, 2, "No such file or directory")


# ---- 3. the command's stdout is its own ----------------------------------------------------

def test_command_stdout_carries_only_its_output():
    p, _ = run_tt(["--", "sh", "-c", "printf abc"])
    assert p.returncode == 0, p.stderr
    assert p.stdout == "abc"
    # the live lines and the report: on stderr, as strace and perf stat do
    assert " exec " in p.stderr and "\nVerdict: " in p.stderr
    assert diagnostics(p.stderr) == [], p.stderr


def test_compressing_through_threadtrace_gives_a_valid_archive(tmp_path):
    data = tmp_path / "f"
    data.write_bytes(os.urandom(1000) * 50)
    with open(tmp_path / "f.xz", "wb") as out:
        p = subprocess.run([str(TT), "-q", "--", "xz", "-c", str(data)], stdout=out, stderr=subprocess.PIPE,
                           timeout=60)
    assert p.returncode == 0, p.stderr
    back = subprocess.run(["xz", "-dc", str(tmp_path / "f.xz")], capture_output=True, timeout=60)
    assert back.returncode == 0, back.stderr
    assert back.stdout == data.read_bytes()


def test_pid_keeps_the_report_on_stdout(demo_proc):
    d = demo_proc([DEMOS / "idle", "2"])
    d.wait_for("READY")
    p, _ = run_tt(["-q", "-d", "0.3", "-p", d.proc.pid])
    assert p.returncode == 0 and p.stderr == "", p.stderr
    assert "\nVerdict: " in p.stdout and f"Threads of process {d.proc.pid}" in p.stdout


# ---- 4. a file and the report from one run; exit statuses ----------------------------------

def test_csv_file_and_the_text_report_from_one_run(tmp_path):
    out = tmp_path / "t.csv"
    p, _ = run_tt(["--csv", "-w", out, "--", DEMOS / "mtsleep3"])
    assert p.returncode == 0, p.stderr
    tids = {l.split()[1]: int(l.split()[2]) for l in p.stdout.splitlines() if l.startswith("TID ")}
    starts = {int(r["tid"]) for r in parse_csv(out.read_text()) if r["event"] == "start"}
    assert starts == {tids["loop0"], tids["loop1"]}
    # the text summary too, on stderr (a command's stdout is its own), without live lines
    table = p.stderr.split("\nThreads of process", 1)[1].split("\n\n")[0].splitlines()[2:]
    assert {int(l.split()[0]) for l in table} == set(tids.values())
    assert "\nVerdict: " in p.stderr and " exec " not in p.stderr


def test_json_file_and_the_text_report_with_pid(demo_proc, tmp_path):
    d = demo_proc([DEMOS / "idle", "2"])
    d.wait_for("READY")
    out = tmp_path / "t.json"
    p, _ = run_tt(["-o", "json", "-w", out, "-d", "0.3", "-p", d.proc.pid])
    assert p.returncode == 0 and p.stderr == "", p.stderr
    alive = {json.loads(l)["tid"] for l in out.read_text().splitlines() if json.loads(l)["event"] == "alive"}
    assert alive == {d.tids["main"], d.tids["idle-0"], d.tids["idle-1"]}
    assert "\nVerdict: " in p.stdout  # -p: the report on stdout, as before


def test_an_output_error_names_the_commands_status():
    p, _ = run_tt(["-q", "--force", "--timeline", "/dev/full", "--", "sh", "-c", "exit 3"])
    assert p.returncode == 1, p.stderr
    lines = diagnostics(p.stderr)
    assert len(lines) == 2, p.stderr
    assert "cannot write /dev/full" in lines[0]
    assert lines[1] == "threadtrace: sh exited with status 3 (threadtrace exits with 1: see above)"


def test_a_command_that_cannot_run_fails_at_once():
    p, took = run_tt(["--", "/nonexistent/cmd", "arg"])
    one_line(p, 127, "cannot run /nonexistent/cmd: No such file or directory")
    assert took < 1, took  # no BPF loaded
    p, _ = run_tt(["--", "no-such-command-tt13"])
    one_line(p, 127, "cannot run no-such-command-tt13")
    p, _ = run_tt(["--", "/tmp"])  # there, but not a program: 126, as sh
    one_line(p, 126, "cannot run /tmp: Permission denied")


def test_an_exec_that_fails_after_the_check_is_one_line(tmp_path):
    # executable, so it passes the check; its interpreter is missing, so execve fails (ENOENT)
    script = tmp_path / "s"
    script.write_text("#!/nonexistent/interpreter\n")
    script.chmod(0o755)
    p, _ = run_tt(["--", script])
    one_line(p, 127, f"cannot run {script}: No such file or directory")  # no report of a held child


# ---- 5. -d ends a run with a command -------------------------------------------------------

class Command:
    """threadtrace ARGS -- sh -c 'TRAPS; echo $$; exec sleep 100': the sleep's pid is the one it prints.
    Whatever happens, both end by their pids."""

    def __init__(self, args, traps=""):
        self.tt = subprocess.Popen([str(TT), *args, "--", "sh", "-c", f"{traps} echo $$; exec sleep 100"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.pid = int(self.tt.stdout.readline())

    def close(self):
        for pid in (self.tt.pid, self.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.tt.wait()


@pytest.fixture
def command():
    started = []

    def start(args, traps=""):
        started.append(Command(args, traps))
        return started[-1]
    yield start
    for c in started:
        c.close()


def sleep_gone(pid):
    return not os.path.exists(f"/proc/{pid}")  # ended and reaped (no zombie left either)


def test_duration_ends_a_command_that_runs_on(command):
    t0 = time.monotonic()
    c = command(["-q", "-d", "1"])
    rc = c.tt.wait(timeout=20)
    took = time.monotonic() - t0
    assert rc == 128 + signal.SIGTERM, c.tt.stderr.read()  # the sleep's end: SIGTERM, as timeout sends
    assert took < 5, took
    assert sleep_gone(c.pid)
    assert "\nVerdict: " in c.tt.stderr.read()


def test_duration_kills_a_command_that_ignores_sigterm(command):
    t0 = time.monotonic()
    c = command(["-q", "-d", "0.5"], traps="trap '' TERM;")
    rc = c.tt.wait(timeout=30)
    took = time.monotonic() - t0
    assert rc == 128 + signal.SIGKILL, c.tt.stderr.read()
    assert 5 <= took < 10, took  # SIGKILL 5 s after the SIGTERM
    assert sleep_gone(c.pid)


def test_a_signal_to_threadtrace_alone_ends_the_wait(command):
    # the command ignores SIGINT and SIGTERM; a second signal to threadtrace kills it at once
    c = command(["-q"], traps="trap '' TERM INT;")
    time.sleep(1)
    t0 = time.monotonic()
    c.tt.send_signal(signal.SIGINT)   # stops the trace, passed on (ignored)
    time.sleep(1)
    assert c.tt.poll() is None        # still waiting for the command, within its 5 s
    c.tt.send_signal(signal.SIGINT)   # enough: SIGKILL now
    rc = c.tt.wait(timeout=10)
    assert rc == 128 + signal.SIGKILL, c.tt.stderr.read()
    assert time.monotonic() - t0 < 3.5
    assert sleep_gone(c.pid)


# ---- 8. usage errors and the BTF file ------------------------------------------------------

@pytest.mark.parametrize("args", [["--nope"], ["-p"], ["-p", "12x"], [], ["-p", "1", "--", "true"],
                                  ["-o", "xml", "-p", "1"]])
def test_usage_errors_are_one_line_named_threadtrace(args, tmp_path):
    # run by another name (a link): messages still say threadtrace
    link = tmp_path / "tt-by-another-name"
    link.symlink_to(TT)
    p, _ = run_tt(args, tt=link)
    one_line(p, 2, "")
    assert "tt-by-another-name" not in p.stderr and "--help" not in p.stderr


def test_a_missing_btf_file_is_named():
    p, _ = run_tt(["--", "true"], env={"THREADTRACE_BTF": "/nonexistent/tt13.btf"})
    one_line(p, 4, "/nonexistent/tt13.btf")
    assert "cannot load the BPF programs" in p.stderr
