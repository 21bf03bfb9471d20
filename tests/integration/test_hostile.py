"""Hostile targets: files the traced process chooses must not hang or bloat a root tracer.

Each test plays the target as user nobody (setpriv), the way a real attacker would: it makes
/tmp/perf-PID.map, the files it maps and its thread names whatever it likes. Every run has a
bounded timeout: a hang fails the test instead of blocking the suite. See docs/security.md.
"""
import csv
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import DEMOS, PYTHON, SCALE, TT

NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
NOBODY_UID = int(subprocess.run(["id", "-u", "nobody"], capture_output=True, text=True).stdout)
NOGROUP_GID = int(subprocess.run(["id", "-g", "nobody"], capture_output=True, text=True).stdout)


def as_nobody(*cmd):
    subprocess.run([*NOBODY, *map(str, cmd)], check=True, timeout=30)


def run_tt(args, timeout, env=None):
    """threadtrace ARGS; (completed process, seconds it took). A hang past timeout fails."""
    t0 = time.monotonic()
    try:
        p = subprocess.run([str(TT), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                           env=dict(os.environ, **(env or {})))
    except subprocess.TimeoutExpired:  # subprocess.run has killed it (its own child, by pid)
        pytest.fail(f"threadtrace {' '.join(map(str, args))} still ran after {timeout} s")
    return p, time.monotonic() - t0


@pytest.fixture
def nobody_dir():
    """A folder owned by nobody, as a target's own files would be; removed after the test."""
    d = Path(tempfile.mkdtemp(prefix="tt-hostile-"))
    os.chown(d, NOBODY_UID, NOGROUP_GID)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def nobody_deadlock(demo_proc):
    """build/demos/deadlock run as nobody; its pid. Its two threads deadlock 2 s after READY:
    a tracer started by then (TRACE) sees them block, with their stacks."""
    d = demo_proc([*NOBODY, DEMOS / "deadlock"], env={"TT_DEADLOCK_DELAY": "2.0"})
    d.wait_for("READY")
    return d.proc.pid


TRACE = ["--stacks", "-q", "-d", "4", "-p"]


@pytest.fixture
def perf_map_path(nobody_deadlock):
    path = Path(f"/tmp/perf-{nobody_deadlock}.map")
    yield path
    if path.is_symlink() or path.exists():
        path.unlink()


def runtime_start(pid, exe, symbol):
    """The run-time address and size of a function of a PIE executable (nm + /proc/PID/maps)."""
    out = subprocess.run(["nm", "-S", "--defined-only", str(exe)], capture_output=True, text=True).stdout
    fields = next(l.split() for l in out.splitlines() if l.split()[-1] == symbol)
    with open(f"/proc/{pid}/maps") as f:
        base = next(int(l.split("-")[0], 16) for l in f
                    if l.rstrip().endswith(str(exe)) and l.split()[2] == "00000000")
    return base + int(fields[0], 16), int(fields[1], 16)


def check_deadlock_report(p, jit_name=None):
    assert p.returncode == 0, p.stderr
    live, summary = p.stdout.split("\nThreads of process ", 1)
    blocked = [l for l in live.splitlines() if "blocked at:" in l]
    assert len(blocked) == 2, p.stdout
    # the summary's Deadlocks section repeats them
    again = [l.split("blocked at:", 1)[1] for l in summary.splitlines() if "blocked at:" in l]
    assert again == [l.split("blocked at:", 1)[1] for l in blocked], p.stdout
    # the frames are still named, from the ELF files
    assert all("pthread_mutex_lock" in l for l in blocked), blocked
    if jit_name:
        assert all(f"{jit_name}+0x" in l for l in blocked), blocked
    else:
        assert all("locker+0x" in l for l in blocked), blocked


# ---- 1. /tmp/perf-PID.map ----------------------------------------------------------------------

def test_perf_map_symlink_to_dev_zero_is_refused(nobody_deadlock, perf_map_path):
    # read as a perf map, /dev/zero never ends: threadtrace spun for ever, deaf to -d and signals
    as_nobody("ln", "-s", "/dev/zero", perf_map_path)
    p, took = run_tt([*TRACE, nobody_deadlock], timeout=30)
    check_deadlock_report(p)
    assert took < 12, took


def test_perf_map_fifo_is_not_opened(nobody_deadlock, perf_map_path):
    # opening a FIFO for reading blocks until a writer comes: none ever does
    as_nobody("mkfifo", perf_map_path)
    p, took = run_tt([*TRACE, nobody_deadlock], timeout=30)
    check_deadlock_report(p)
    assert took < 12, took


def test_perf_map_sparse_2gb_is_read_once_and_capped(nobody_deadlock, perf_map_path):
    # a real entry first, then 2 GB of holes: read up to the cap (64 MiB), once, not once per lock
    start, size = runtime_start(nobody_deadlock, DEMOS / "deadlock", "locker")
    as_nobody("sh", "-c", f"printf '%x %x jit_locker\\n' {start} {size} > {perf_map_path} && "
                          f"truncate -s 2G {perf_map_path}")
    assert perf_map_path.stat().st_size == 2 << 30 and perf_map_path.stat().st_uid == NOBODY_UID
    p, took = run_tt([*TRACE, nobody_deadlock], timeout=40)
    check_deadlock_report(p, jit_name="jit_locker")  # the target's own map is still used
    assert took < 12, took


@pytest.mark.parametrize("owner", [1, 0])
def test_perf_map_of_another_user_is_ignored(owner, nobody_deadlock, perf_map_path):
    # a file someone else (uid 1, daemon: not the target's user, not root) owns does not name
    # the target's code; root's does
    start, size = runtime_start(nobody_deadlock, DEMOS / "deadlock", "locker")
    perf_map_path.write_text(f"{start:x} {size:x} jit_locker\n")
    os.chown(perf_map_path, owner, owner)
    p, _ = run_tt([*TRACE, nobody_deadlock], timeout=30)
    check_deadlock_report(p, jit_name="jit_locker" if owner == 0 else None)
    assert ("jit_locker" in p.stdout) == (owner == 0)


def test_perf_map_of_the_target_still_names_frames_after_it_ended(demo_proc, nobody_dir):
    # the owner check needs the target's user: noted while it lived, for the report after its end
    # (the gil demo, as nobody, ends by itself after about 4.5 s; no deadlock reads the map early).
    # A copy in nobody's folder: the checkout may lie in a folder nobody may not enter (mktemp -d)
    gil = nobody_dir / "gil"
    shutil.copy(DEMOS / "gil", gil)
    d = demo_proc([*NOBODY, "env", "TT_SCALE=1.5", gil, "3"])
    for _ in range(4):  # its TID lines: main, w0, w1, w2 (printed at once)
        assert d.proc.stdout.readline().startswith("TID ")
    pid = d.proc.pid
    path = Path(f"/tmp/perf-{pid}.map")
    try:
        start, size = runtime_start(pid, gil, "worker")
        as_nobody("sh", "-c", f"printf '%x %x jit_worker\\n' {start} {size} > {path}")
        # reaped the moment it ends, as a shell would: no /proc/PID (a zombie's) at the report
        reaper = threading.Thread(target=d.proc.wait)
        reaper.start()
        p, _ = run_tt(["--stacks", "-q", "-p", pid], timeout=30)
        reaper.join(timeout=10)
    finally:
        path.unlink(missing_ok=True)
    assert p.returncode == 0, p.stderr
    section = p.stdout.split("Where threads blocked on big_lock+0x0\n", 1)[1].split("\n\n")[0]
    assert "jit_worker+0x" in section.splitlines()[0], p.stdout


# ---- 2. a FIFO or a link where libpython was ------------------------------------------------

# nobody's target: maps DIR/libpython3.11.so.1.0 (a copy of a real ELF file), deletes it, and
# puts a FIFO, or a link to a FIFO, under the name /proc/PID/maps now shows for it
FAKE_LIBPYTHON = r"""
import mmap, os, sys, time
d, kind = sys.argv[1], sys.argv[2]
lib = os.path.join(d, "libpython3.11.so.1.0")
with open("/bin/true", "rb") as src, open(lib, "wb") as dst:
    dst.write(src.read())
f = open(lib, "rb")
m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
os.unlink(lib)
shown = lib + " (deleted)"
if kind == "fifo":
    os.mkfifo(shown)
else:
    os.mkfifo(os.path.join(d, "elsewhere"))
    os.symlink(os.path.join(d, "elsewhere"), shown)
assert shown in open("/proc/self/maps").read()
print("READY", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_fifo_in_place_of_libpython_is_not_opened(kind, demo_proc, nobody_dir):
    d = demo_proc([*NOBODY, PYTHON, "-c", FAKE_LIBPYTHON, nobody_dir, kind])
    d.wait_for("READY")
    # the Python probe looked there with a plain open(): blocked past -d, for ever
    p, took = run_tt(["-q", "-d", "1", "-p", d.proc.pid], timeout=30)
    assert p.returncode == 0, p.stderr
    assert "Threads of process" in p.stdout
    assert took < 8, took


# ---- 3. symbol bombs ---------------------------------------------------------------------

BOMB_SYMBOLS = 200_000  # 7 MB of ELF; its table costs threadtrace about 8 MB
BOMB_LINKS = 9

# nobody's target: maps each of its arguments whole, read-only, and waits in turn on the futex
# word at symbol s{1000 * (i + 1)} of mapping i (50 ms timeouts) until killed
FUTEX_WAITER = r"""
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
words = []
for i, path in enumerate(sys.argv[1:]):
    fd = os.open(path, os.O_RDONLY)
    base = libc.mmap(None, os.fstat(fd).st_size, 1, 2, fd, 0)  # PROT_READ, MAP_PRIVATE
    words.append(base + 0x1000 + 4 * 1000 * (i + 1))             # s{1000 (i + 1)}: 4 bytes each from 0x1000
class timespec(ctypes.Structure):
    _fields_ = [("s", ctypes.c_long), ("ns", ctypes.c_long)]
ts = timespec(0, 50_000_000)
print("READY", flush=True)
while True:
    for w in words:
        libc.syscall(202, ctypes.c_void_p(w), 128, 0, ctypes.byref(ts), None, 0)  # FUTEX_WAIT_PRIVATE, 0
"""


@pytest.fixture(scope="module")
def symbol_bomb():
    """An ELF shared object of BOMB_SYMBOLS 4-byte functions s0, s1, ... from 0x1000 (a few seconds)."""
    d = Path(tempfile.mkdtemp(prefix="tt-bomb-"))
    src = d / "bomb.s"
    src.write_text(".text\n" + "".join(f".type s{i},@function\n.size s{i},4\ns{i}: .long 0\n"
                                       for i in range(BOMB_SYMBOLS)))
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", d / "bomb.so", src], check=True, timeout=120)
    src.unlink()
    yield d / "bomb.so"
    shutil.rmtree(d, ignore_errors=True)


def bomb_target(demo_proc, nobody_dir, bomb, links):
    """nobody's futex waiter on `links` hard links of the bomb (its own files); its pid."""
    paths = []
    for i in range(links):
        path = nobody_dir / f"bomb-{i}.so"
        if i == 0:
            shutil.copy(bomb, path)
            os.chown(path, NOBODY_UID, NOGROUP_GID)
        else:
            os.link(paths[0], path)
        paths.append(path)
    d = demo_proc([*NOBODY, PYTHON, "-c", FUTEX_WAITER, *paths])
    d.wait_for("READY")
    return d.proc.pid


def traced_locks(pid, tmp_path, env=None):
    """threadtrace -q -d 2 -p PID --summary-csv: (rc, stderr, {symbol: waits}, peak RSS in MiB)."""
    n = len(list(tmp_path.iterdir()))
    out, err = tmp_path / f"summary-{n}", tmp_path / f"stderr-{n}"
    out.mkdir()
    with open(err, "w") as e:
        p = subprocess.Popen([str(TT), "-q", "-d", "2", "--summary-csv", str(out), "-p", str(pid)],
                             stdout=subprocess.DEVNULL, stderr=e, env=dict(os.environ, **(env or {})))
    # reaped with wait4: its own peak RSS (not that of every child this test run had)
    deadline = time.monotonic() + 40
    while True:
        got, status, usage = os.wait4(p.pid, os.WNOHANG)
        if got:
            break
        if time.monotonic() > deadline:
            p.kill()
            os.wait4(p.pid, 0)
            p.returncode = -9
            pytest.fail("threadtrace still ran after 40 s")
        time.sleep(0.05)
    p.returncode = os.waitstatus_to_exitcode(status)
    with open(out / "locks.csv", newline="") as f:
        locks = {r["symbol"]: int(r["waits"]) for r in csv.DictReader(f) if int(r["tgid"]) == pid}
    return p.returncode, err.read_text(), locks, usage.ru_maxrss / 1024


def test_symbol_bomb_through_hard_links_loads_one_table(demo_proc, nobody_dir, symbol_bomb, tmp_path):
    # the same target twice: mapping the bomb once, then through 9 hard links of it
    d1 = nobody_dir / "one"
    d9 = nobody_dir / "nine"
    for d in (d1, d9):
        d.mkdir()
        os.chown(d, NOBODY_UID, NOGROUP_GID)
    pid1 = bomb_target(demo_proc, d1, symbol_bomb, 1)
    rc, err, locks1, rss1 = traced_locks(pid1, tmp_path)
    assert rc == 0, err
    assert locks1.get("s1000+0x0", 0) > 5, locks1
    pid9 = bomb_target(demo_proc, d9, symbol_bomb, BOMB_LINKS)
    rc, err, locks9, rss9 = traced_locks(pid9, tmp_path)
    assert rc == 0, err
    # every link's word named by the one table, however many names the file has
    for i in range(BOMB_LINKS):
        assert locks9.get(f"s{1000 * (i + 1)}+0x0", 0) > 2, locks9
    # one table (about 8 MiB) for the nine links, not nine (the cache was keyed by path too:
    # +31 MiB measured before)
    assert rss9 - rss1 < 10, (rss1, rss9)
    assert "budget" not in err


def test_symbol_tables_past_the_budget_are_named_by_region(demo_proc, nobody_dir, symbol_bomb, tmp_path):
    pid = bomb_target(demo_proc, nobody_dir, symbol_bomb, 3)
    # a 4 MiB budget: the bomb's table (about 8 MiB) does not fit, and is not even read
    rc, err, locks, rss = traced_locks(pid, tmp_path, env={"THREADTRACE_SYMBOL_MB": "4"})
    assert rc == 0, err
    for i in range(3):
        assert locks.get(f"[bomb-{i}.so+0x{0x1000 + 4000 * (i + 1):x}]", 0) > 2, locks
    assert not any(name.startswith("s") for name in locks), locks
    lines = [l for l in err.splitlines() if "budget" in l]
    assert lines == ["threadtrace: the symbol tables of 1 mapped file did not fit the 4 MiB budget "
                     "(THREADTRACE_SYMBOL_MB): addresses there are named by region, [FILE+0xOFFSET]"], err


# ---- 4. thread names that pass for columns --------------------------------------------------

RENAME = r"""
import ctypes, threading, time
libc = ctypes.CDLL(None)
def work():
    libc.prctl(15, b"    4242 bash", 0, 0, 0)   # PR_SET_NAME
    threading.current_thread().name = "    4242 bash"  # the name the tables show for CPython
    time.sleep(0.3)
t = threading.Thread(target=work)
t.start()
t.join()
"""


def test_name_like_another_threads_line_is_quoted():
    p, _ = run_tt(["--", *NOBODY, PYTHON, "-c", RENAME], timeout=60)
    assert p.returncode == 0, p.stderr
    # with a command, the report is on stderr
    lines = [l for l in p.stderr.splitlines() if "4242 bash" in l]
    # the live rename and exit lines, the two summary tables
    assert len(lines) >= 4, p.stderr
    assert all('"    4242 bash"' in l for l in lines), lines
    # no line reads as a thread 4242 named bash: the name's column holds one token
    for l in p.stderr.splitlines():
        f = l.split()
        assert not (len(f) > 3 and f[2] == "4242" and f[3] == "bash"), l
        assert not (len(f) > 2 and f[0] == "4242" and f[1] == "bash"), l
    # plain names stay bare: the interpreter's own lines
    assert any(len(l.split()) > 3 and l.split()[2:4] == ["python3.11", "exec"] for l in p.stderr.splitlines()), \
        p.stderr


# ---- 5. --stacks with --timeline ------------------------------------------------------------

def test_stacks_with_timeline_loads_and_traces(tmp_path):
    # the verifier refused on_sched_switch as too complex: exit 4, nothing traced
    out = tmp_path / "tl.json"
    p, _ = run_tt(["-q", "--stacks", "--timeline", out, "--", DEMOS / "gil", "3"], timeout=60,
                  env={"TT_SCALE": SCALE})
    assert p.returncode == 0, p.stderr
    tids = {l.split()[1]: int(l.split()[2]) for l in p.stdout.splitlines() if l.startswith("TID ")}
    workers = {tids[f"w{i}"] for i in range(3)}
    # --stacks: the top call site names the demo's worker (the report: on stderr, with a command)
    section = p.stderr.split("Where threads blocked on big_lock+0x0\n", 1)[1].split("\n\n")[0]
    assert "pthread_mutex_lock" in section.splitlines()[0] and "worker+0x" in section.splitlines()[0]
    # --timeline: every worker has slices blocked on the big lock
    events = json.loads(out.read_text())["traceEvents"]
    blocked = defaultdict(int)
    for e in events:
        if e["ph"] == "X" and e["name"] == "blocked on big_lock+0x0":
            blocked[e["tid"]] += 1
    assert workers <= set(blocked), (workers, dict(blocked))
