"""build/tools/pystack (user/cpython/) against real CPython 3.11 processes whose threads the
test starts, names and parks at known lines (data/pythreads.py): Debian's static
/usr/bin/python3.11, Debian's shared libpython3.11 (embedded), and pyenv's 3.11.7 (shared
libpython) where the machine has it. Expected lines come from the script's text and from the
interpreter's own threading module, never from constants."""
import os
import re
import select
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BUILD, PYTHON, ROOT

PYSTACK = BUILD / "tools" / "pystack"
DATA = ROOT / "tests" / "integration" / "data"
SCRIPT = DATA / "pythreads.py"
PYENV = Path("/root/.pyenv/versions/3.11.7")
DEBIAN_INCLUDE = Path("/usr/include/python3.11")


def marker_line(tag):
    lines = SCRIPT.read_text().splitlines()
    hits = [i + 1 for i, l in enumerate(lines) if l.rstrip().endswith(f"# WAIT:{tag}")]
    assert len(hits) == 1, tag
    return hits[0]


def module_call_line():
    lines = SCRIPT.read_text().splitlines()
    i = lines.index('if __name__ == "__main__":')
    assert lines[i + 1].strip() == "main()"
    return i + 2


def stdlib_lines(python_cmd):
    """threading.py's path and the lines Event.wait blocks at, asked of the interpreter itself
    (Condition.wait's blocking acquire is the one under `if timeout is None:`)."""
    code = (
        "import inspect, threading\n"
        "def line_of(fn, text, after=None):\n"
        "    src, start = inspect.getsourcelines(fn)\n"
        "    hits = [start + i for i, l in enumerate(src) if l.strip() == text\n"
        "            and (after is None or src[i - 1].strip() == after)]\n"
        "    assert len(hits) == 1, (fn, hits)\n"
        "    return hits[0]\n"
        "print(threading.__file__)\n"
        "print(line_of(threading.Condition.wait, 'waiter.acquire()', 'if timeout is None:'))\n"
        "print(line_of(threading.Event.wait, 'signaled = self._cond.wait(timeout)'))\n")
    out = subprocess.run(python_cmd + ["-c", code], capture_output=True, text=True, timeout=60,
                         check=True).stdout.split()
    return out[0], int(out[1]), int(out[2])


def blocked(pid, tid, nr):
    try:
        return Path(f"/proc/{pid}/task/{tid}/syscall").read_text().split()[0] == str(nr)
    except OSError:
        return False


class Parked:
    """data/pythreads.py running under python_cmd, every thread parked; ended by its pid."""

    def __init__(self, python_cmd):
        self.p = subprocess.Popen(python_cmd + [str(SCRIPT)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, bufsize=0)
        self.tids = {}
        deadline, buf = time.monotonic() + 30, b""
        while b"READY\n" not in buf and time.monotonic() < deadline:
            r, _, _ = select.select([self.p.stdout], [], [], 1.0)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 4096)
                assert chunk, f"the script ended early: {buf!r}"
                buf += chunk
        for line in buf.decode().splitlines():
            parts = line.split()
            if parts and parts[0] == "TID":
                self.tids[parts[1]] = int(parts[2])
        assert "main" in self.tids, "no READY from the script"
        # parked: every worker in futex(2) (202), main in read(2) (0)
        while time.monotonic() < deadline:
            if all(blocked(self.p.pid, tid, 0 if role == "main" else 202)
                   for role, tid in self.tids.items()):
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"threads did not park: {self.tids}")

    def end(self):
        try:
            self.p.stdin.close()
            self.p.wait(timeout=20)
        finally:
            if self.p.poll() is None:
                os.kill(self.p.pid, 9)
                self.p.wait()


def pystack(pid):
    p = subprocess.run([str(PYSTACK), str(pid)], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def parse(out):
    """tid -> {'name': str or None, 'frames': [(file, func, line)], 'more': bool}"""
    threads, cur = {}, None
    for line in out.splitlines():
        m = re.fullmatch(r"thread (\d+) ident 0x[0-9a-f]+ (?:name (.*)|unnamed)", line)
        if m:
            cur = threads[int(m.group(1))] = {"name": m.group(2), "frames": [], "more": False}
        elif line == "  [more frames]":
            cur["more"] = True
        elif line.startswith("  ["):
            raise AssertionError(f"frames cut: {line}")
        elif line.startswith("  "):
            file, func, lineno = line[2:].rsplit(":", 2)
            cur["frames"].append((file, func, int(lineno)))
    return threads


def builds():
    out = [pytest.param([PYTHON], "/usr/bin/python3.11", id="debian-static")]
    out.append(pytest.param("embed", "libpython3.11.so.1.0", id="debian-libpython"))
    exe = PYENV / "bin" / "python3.11"
    out.append(pytest.param([str(exe)], str(PYENV / "lib" / "libpython3.11.so.1.0"), id="pyenv-3.11.7",
                            marks=pytest.mark.skipif(not exe.exists(), reason=f"{exe} absent")))
    return out


@pytest.fixture(scope="module")
def embed():
    """A non-python program running Debian's shared libpython3.11."""
    out = BUILD / "tests" / "pyembed"  # make unit builds it (tests/unit/pyembed.c)
    assert out.exists(), f"{out} is missing: run make"
    return [str(out)]


@pytest.mark.parametrize("python_cmd,binary", builds())
def test_threads_names_and_frames(python_cmd, binary, embed):
    if python_cmd == "embed":
        python_cmd = embed
    threading_py, cond_wait_line, event_wait_line = stdlib_lines(python_cmd)
    run = Parked(python_cmd)
    try:
        rc, out, err = pystack(run.p.pid)
    finally:
        run.end()
    assert rc == 0, err
    first = out.splitlines()[0]
    assert first.startswith(f"pid {run.p.pid}: CPython 3.11.") and first.endswith(binary), first
    threads = parse(out)
    tids = run.tids
    assert set(threads) == set(tids.values())

    names = {tid: threads[tid]["name"] for tid in threads}
    want_names = {tids[r]: r for r in ("worker-0", "worker-1", "renamed", "sleeper", "event", "deep")}
    want_names[tids["main"]] = "MainThread"
    want_names[tids["raw"]] = None  # _thread.start_new_thread: threading never heard of it
    assert names == want_names

    script = str(SCRIPT)
    innermost = {
        "worker-0": (script, "lock_worker", marker_line("worker")),
        "worker-1": (script, "lock_worker", marker_line("worker")),
        "renamed": (script, "renaming_worker", marker_line("renamed")),
        "sleeper": (script, "Sleeper.run", marker_line("sleeper")),
        "deep": (script, "deep", marker_line("deep")),
        "raw": (script, "raw_worker", marker_line("raw")),
        "main": (script, "main", marker_line("main")),
        "event": (threading_py, "Condition.wait", cond_wait_line),
    }
    for role, frame in innermost.items():
        assert threads[tids[role]]["frames"][0] == frame, role

    assert threads[tids["main"]]["frames"] == [innermost["main"], (script, "<module>", module_call_line())]
    ev = threads[tids["event"]]["frames"]
    assert ev[1] == (threading_py, "Event.wait", event_wait_line)
    assert ev[2] == (script, "event_worker", marker_line("event"))
    assert [f[1] for f in ev[3:]] == ["Thread.run", "Thread._bootstrap_inner", "Thread._bootstrap"]
    assert all(f[0] == threading_py for f in ev[3:])
    # 150 calls deep: pystack keeps the innermost 128 and says there are more
    deep = threads[tids["deep"]]
    assert len(deep["frames"]) == 128 and deep["more"]
    assert deep["frames"][1:] == [(script, "deep", marker_line("deep-caller"))] * 127
    assert not threads[tids["sleeper"]]["more"]


def header_dirs():
    out = [pytest.param(DEBIAN_INCLUDE, id="debian-3.11")]
    inc = PYENV / "include" / "python3.11"
    out.append(pytest.param(inc, id="pyenv-3.11.7",
                            marks=pytest.mark.skipif(not inc.exists(), reason=f"{inc} absent")))
    return out


@pytest.mark.parametrize("include", header_dirs())
def test_layout_matches_cpython_headers(include, tmp_path):
    """The reader's 3.11 table equals offsetof() in CPython's own headers, for each build here."""
    exe = tmp_path / "py_offsets"
    subprocess.run(["gcc", "-o", str(exe), str(DATA / "py_offsets.c"), f"-I{include}"], check=True,
                   capture_output=True, timeout=120)
    truth = dict(l.split() for l in subprocess.run([str(exe)], capture_output=True, text=True,
                                                   check=True).stdout.splitlines())
    ours = dict(l.split() for l in subprocess.run([str(PYSTACK), "--layout", "3.11"], capture_output=True,
                                                  text=True, check=True).stdout.splitlines())
    assert len(truth) > 40
    assert ours == truth


class Started:
    def __init__(self, argv, stdin=None):
        self.p = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, text=True)

    def end(self):
        if self.p.poll() is None:
            os.kill(self.p.pid, 9)
        self.p.wait()


def refused(argv, wait_ready):
    s = Started(argv)
    try:
        if wait_ready:
            assert s.p.stdout.readline().strip() == "READY"
        else:
            time.sleep(0.3)
        return pystack(s.p.pid)
    finally:
        s.end()


def test_not_python_is_refused():
    rc, out, err = refused(["sleep", "30"], False)
    assert rc == 2
    assert out == ""
    assert err.strip().endswith("not CPython (no mapped file defines _PyRuntime)")


@pytest.mark.parametrize("name,defines,message", [
    ("python3.12", ["-DFAKE_VERSION=0x030c01f0"], "CPython 3.12.1 (Py_Version 0x030c01f0)"),
    ("python3.11", ["-DFAKE_VERSION=0x030b00b4"], "CPython 3.11.0b4 (Py_Version 0x030b00b4)"),
    ("python3.10", ["-DNO_PY_VERSION"], "CPython 3.10 in"),
])
def test_unknown_versions_are_refused(name, defines, message, tmp_path):
    exe = tmp_path / name
    subprocess.run(["gcc", "-rdynamic", "-o", str(exe), str(DATA / "fake_python.c")] + defines,
                   check=True, capture_output=True, timeout=120)
    rc, out, err = refused([str(exe)], True)
    assert rc == 2, (out, err)
    assert out == ""
    assert message in err and "unsupported" in err
    assert len(err.strip().splitlines()) == 1


def test_usage_errors():
    for argv in ([], ["12x"], ["1", "2"], ["--layout", "3"]):
        p = subprocess.run([str(PYSTACK)] + argv, capture_output=True, text=True, timeout=10)
        assert p.returncode == 1, argv
    p = subprocess.run([str(PYSTACK), "--layout", "3.12"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 2 and "no layout for CPython 3.12" in p.stderr


# --- pystack --cfuncs: the lock acquires' C code ranges, found without symbols ---

CFUNCS = {"rlock_acquire": "RLock", "lock_PyThread_acquire_lock": "lock"}

# In the target: each type's method descriptors -> PyMethodDef -> ml_meth. Not the reader's
# path (type -> tp_methods): the descriptors the type's dict holds, offsets from the headers.
METHOD_POINTERS = (
    "import ctypes, sys, _thread\n"
    "d_method, ml_meth = int(sys.argv[1]), int(sys.argv[2])\n"
    "for tp in (_thread.RLock, _thread.LockType):\n"
    "    for name in ('acquire', '__enter__'):\n"
    "        md = ctypes.c_void_p.from_address(id(tp.__dict__[name]) + d_method).value\n"
    "        fn = ctypes.c_void_p.from_address(md + ml_meth).value\n"
    "        print('METH', tp.__name__, name, fn)\n"
    "print('READY', flush=True)\n"
    "sys.stdin.read()\n")

DESCR_OFFSETS_C = r"""
#include <Python.h>
#include <stdio.h>
#include <stddef.h>
int main(void)
{
	printf("%zu %zu\n", offsetof(PyMethodDescrObject, d_method), offsetof(PyMethodDef, ml_meth));
	return 0;
}
"""


def descr_offsets(include, tmp_path):
    src, exe = tmp_path / "descr.c", tmp_path / "descr"
    src.write_text(DESCR_OFFSETS_C)
    subprocess.run(["gcc", "-o", str(exe), str(src), f"-I{include}"], check=True, capture_output=True,
                   timeout=120)
    return subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()


def load_bias(pid, path):
    """The file's load bias from /proc/PID/maps (offset-0 mapping) and its first PT_LOAD (readelf)."""
    first = next(l.split() for l in subprocess.run(["readelf", "-lW", path], capture_output=True, text=True,
                                                   check=True).stdout.splitlines()
                 if l.split()[:1] == ["LOAD"])
    vaddr = int(first[2], 16)
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        f = line.split()
        if len(f) >= 6 and f[5] == path and int(f[2], 16) == 0:
            start = int(f[0].split("-")[0], 16)
            return 0 if vaddr == start else start - (vaddr & ~0xfff)
    raise AssertionError(f"{path} is not mapped in {pid}")


def readelf_fdes(path):
    """pc_begin -> pc_end of every FDE, as binutils' readelf parses .eh_frame."""
    out = subprocess.run(["readelf", "--debug-dump=frames", path], capture_output=True, text=True,
                         timeout=120).stdout
    return {int(a, 16): int(b, 16) for a, b in re.findall(r" FDE cie=\w+ pc=([0-9a-f]+)\.\.([0-9a-f]+)", out)}


def nm_sized(path, dynamic=False):
    """name -> (value, size) of the functions nm -S lists."""
    out = subprocess.run(["nm", "-S", "--defined-only"] + (["-D"] if dynamic else []) + [path],
                         capture_output=True, text=True, timeout=120).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[2] in "tTwW":
            syms.setdefault(f[3].split("@")[0], (int(f[0], 16), int(f[1], 16)))
    return syms


def cfunc_builds():
    out = [pytest.param([PYTHON], "/usr/bin/python3.11", DEBIAN_INCLUDE, id="debian-static"),
           pytest.param("embed", "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", DEBIAN_INCLUDE,
                        id="debian-libpython")]
    exe = PYENV / "bin" / "python3.11"
    out.append(pytest.param([str(exe)], str(PYENV / "lib" / "libpython3.11.so.1.0"),
                            PYENV / "include" / "python3.11", id="pyenv-3.11.7",
                            marks=pytest.mark.skipif(not exe.exists(), reason=f"{exe} absent")))
    return out


def run_cfuncs(python_cmd, binary, include, tmp_path):
    """pystack's ranges (name -> (start, end)), the target's own ml_meth pointers, binary's load bias."""
    d_method, ml_meth = descr_offsets(include, tmp_path)
    s = Started(python_cmd + ["-c", METHOD_POINTERS, d_method, ml_meth], stdin=subprocess.PIPE)
    try:
        meths, line = {}, ""
        while line != "READY":
            line = s.p.stdout.readline().strip()
            assert line, "the target ended early"
            if line.startswith("METH "):
                _, tp, name, fn = line.split()
                meths[(tp, name)] = int(fn)
        p = subprocess.run([str(PYSTACK), "--cfuncs", str(s.p.pid)], capture_output=True, text=True,
                           timeout=60)
        bias = load_bias(s.p.pid, binary)
    finally:
        s.end()
    assert p.returncode == 0, (p.stdout, p.stderr)
    lines = p.stdout.splitlines()
    ranges = {}
    for line in lines[1:]:
        name, start, end = line.split()
        ranges[name] = (int(start, 16), int(end, 16))
    assert set(ranges) == set(CFUNCS), p.stdout
    return ranges, meths, bias


@pytest.mark.parametrize("python_cmd,binary,include", cfunc_builds())
def test_cfunc_ranges(python_cmd, binary, include, embed, tmp_path):
    """Starts are the functions' pointers in the target's method descriptors (acquire and
    __enter__ alike); ends are where binutils' readelf says the FDE at that start ends; with
    symbols (pyenv), [start, end) is exactly nm -S's; without (Debian), no exported function lies
    inside and the size is like pyenv's same function."""
    if python_cmd == "embed":
        python_cmd = embed
    ranges, meths, bias = run_cfuncs(python_cmd, binary, include, tmp_path)
    fdes = readelf_fdes(binary)
    exported = nm_sized(binary, dynamic=True)
    symtab = nm_sized(binary)
    pyenv_sizes = nm_sized(str(PYENV / "lib" / "libpython3.11.so.1.0"))
    for cname, tp in CFUNCS.items():
        start, end = ranges[cname]
        assert meths[(tp, "acquire")] == meths[(tp, "__enter__")] == start, (cname, meths)
        assert fdes[start - bias] == end - bias, cname
        assert 16 < end - start < 4096, cname
        if cname in symtab:
            assert (start - bias, end - start) == symtab[cname], cname
        else:
            sections = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True).stdout
            assert ".symtab" not in sections and ".eh_frame_hdr" in sections  # stripped: no symbol to ask
            inside = [n for n, (v, _) in exported.items() if start - bias < v < end - bias]
            assert inside == [], cname
            # Debian's LTO+PGO build inlines differently from pyenv's -O3: alike within a factor 2
            assert 0.5 < (end - start) / pyenv_sizes[cname][1] < 2, (cname, end - start)
    (r0, r1), (l0, l1) = ranges["rlock_acquire"], ranges["lock_PyThread_acquire_lock"]
    assert r1 <= l0 or l1 <= r0  # two functions, apart


def test_cfuncs_of_a_non_python_process():
    s = Started(["sleep", "30"])
    try:
        time.sleep(0.3)
        p = subprocess.run([str(PYSTACK), "--cfuncs", str(s.p.pid)], capture_output=True, text=True, timeout=10)
    finally:
        s.end()
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.strip().endswith("not CPython (no mapped file defines _PyRuntime)")
