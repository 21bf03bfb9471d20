"""--stacks without frame pointers: call sites unwound with DWARF call-frame information.

Ground truth: build/demos/nofp_bank (built -O2 -fomit-frame-pointer) and its known call chains,
and xz from Debian (no frame pointers, stripped): every real thread's stack ends where threads
start (clone3) and the main thread's in the C library's start-up (__libc_start_main).
"""
import os
import re
import subprocess

import pytest

from conftest import DEMOS, TT, read_summary

FRAME = re.compile(r"^(.*)\+0x[0-9a-f]+$")


def sites(report):
    """Every call site of the report: (lock name, waits, [frame names without offsets])."""
    out = []
    for block in report.split("\nWhere threads blocked on ")[1:]:
        lock, rest = block.split("\n", 1)
        for line in rest.split("\n\n")[0].splitlines():
            m = re.match(r"\s+(\d+) waits,\s+\S+: (.*)$", line)
            if not m:
                continue
            frames = m.group(2).split(" < ")
            out.append((lock, int(m.group(1)), frames))
    return out


def name(frame):
    m = FRAME.match(frame)
    return m.group(1) if m else frame


def trace(cmd, env=None, timeout=120):
    p = subprocess.run([str(TT), "-q", "--stacks", "--"] + cmd, capture_output=True, text=True,
                       timeout=timeout, env=dict(os.environ, **(env or {})))
    assert p.returncode == 0, p.stderr
    return p


def demo_frames(frames):
    """The demo's own part of a stack: frames after libc's (the innermost) up to the root."""
    names = [name(f) for f in frames]
    i = 0
    while i < len(names) and names[i] in LIBC_INNER:
        i += 1
    return names[i:]


LIBC_INNER = {"__GI___lll_lock_wait", "__lll_lock_wait", "pthread_mutex_lock", "___pthread_mutex_lock",
              "__futex_abstimed_wait_common", "pthread_cond_wait", "___pthread_cond_wait",
              "__pthread_mutex_cond_lock", "__pthread_clockjoin_ex", "futex_wait", "__futex_lock_wait"}

THREAD_ROOT = ["start_thread", "clone3"]
MAIN_ROOT = ["__libc_start_call_main", "__libc_start_main", "_start"]


def test_demo_without_frame_pointers_has_its_exact_call_chains():
    p = trace([str(DEMOS / "nofp_bank"), "3000"])
    found = sites(p.stderr)
    assert found, p.stderr
    chains = set()
    for lock, waits, frames in found:
        chain = demo_frames(frames)
        # the innermost frame is the C library's wait; no stale address from a stack scan
        assert name(frames[0]) in LIBC_INNER, frames
        assert not any(f.endswith("+0x0") for f in frames[1:]), frames
        chains.add(tuple(re.sub(r"\.constprop\.\d+$", "", n) for n in chain))
    # every wait the demo can make, each under the function that makes it and down to its root
    depositor = ("deposit", "depositor_main", *THREAD_ROOT)
    main_deposit = ("deposit", "main", *MAIN_ROOT)
    cond = ("wait_for_work", "waiter_main", *THREAD_ROOT)
    join = ("main", *MAIN_ROOT)
    assert chains <= {depositor, main_deposit, cond, join}, chains
    # the condition variable and the join are always waited on; the account's mutex by at least one side
    assert cond in chains and join in chains, chains
    assert depositor in chains or main_deposit in chains, chains


def test_frame_pointers_only_is_the_fallback():
    """THREADTRACE_DWARF=0: no stack copies; the report still names the wait's innermost frames."""
    p = trace([str(DEMOS / "nofp_bank"), "3000"], env={"THREADTRACE_DWARF": "0"})
    found = sites(p.stderr)
    assert found, p.stderr
    assert all(name(frames[0]) in LIBC_INNER for _, _, frames in found), found


def test_xz_from_debian_unwinds_to_its_roots(tmp_path):
    data = tmp_path / "in"
    data.write_bytes(os.urandom(6 * 1024 * 1024))
    out = tmp_path / "in.xz"
    with open(out, "wb") as f:
        p = subprocess.run([str(TT), "-q", "--stacks", "--", "xz", "-T2", "-1", "-c", str(data)],
                           stdout=f, stderr=subprocess.PIPE, text=True, timeout=180)
    assert p.returncode == 0, p.stderr
    # the command's output is its own: a valid archive
    assert subprocess.run(["xz", "-t", str(out)]).returncode == 0
    found = sites(p.stderr)
    assert len(found) >= 2, p.stderr
    for lock, waits, frames in found:
        names = [name(f) for f in frames]
        # a worker thread ends in clone3; the main thread in the C library's start-up
        assert names[-2:] == THREAD_ROOT or "__libc_start_main" in names, frames
        # between libc's wait and the root lies liblzma's code (xz's threads are liblzma's)
        assert any("liblzma" in f or f.startswith("lzma_") for f in frames), frames
    # both kinds of threads blocked: workers and main
    assert any(names_end(frames, "clone3") for _, _, frames in found), found
    assert any("__libc_start_main" in [name(f) for f in frames] for _, _, frames in found), found


def names_end(frames, last):
    return name(frames[-1]) == last


NOFP_DEMOS = [
    # demo, the function that waits on the condition variable, the function that joins
    ("nofp_bank", "wait_for_work", "main"),
    ("cxx_bank", "Queue::pop", "main"),
    ("rust_bank", "rust_bank::pop", "rust_bank::main"),
]


@pytest.mark.parametrize("demo,cond_fn,join_fn", NOFP_DEMOS, ids=[d[0] for d in NOFP_DEMOS])
def test_folded_stacks_of_programs_without_frame_pointers(tmp_path, demo, cond_fn, join_fn):
    """--folded on C, C++ and Rust built without frame pointers: whole stacks from the root, the
    condition-variable wait under its waiting function, the joins under main, and each lock's
    folded microseconds equal to its wait total in locks.csv (within 1 %)."""
    exe = DEMOS / demo
    assert exe.exists(), f"{exe} not built: scripts/install-deps.sh --tests installs g++ and rustc"
    folded, summary = tmp_path / "w.folded", tmp_path / "s"
    p = subprocess.run([str(TT), "-q", "--folded", str(folded), "--summary-csv", str(summary), "--",
                        str(exe), "3000"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    per_lock = {}
    stacks = []
    for line in folded.read_text().splitlines():
        head, us = line.rsplit(" ", 1)
        frames = head.split(";")
        stacks.append(frames)
        lock = frames[-1].split("] ", 1)[1]
        per_lock[lock] = per_lock.get(lock, 0) + int(us)
        # the process, then a root: a thread's clone3 or the C library's _start
        assert frames[0] == demo and frames[1] in ("clone3", "_start"), line
    rows = read_summary(summary)["locks"]
    for r in rows:
        want = int(r["total_wait_ns"]) / 1000
        assert abs(per_lock.get(r["symbol"], 0) - want) <= max(0.01 * want, 2), (r, per_lock)
    conds = [f for f in stacks if f[-1].startswith("[condvar]")]
    assert conds and all(cond_fn in f for f in conds), conds
    joins = [f for f in stacks if f[-1].startswith("[join]")]
    assert joins and all(join_fn in f for f in joins), joins


def test_json_sites_are_the_text_sites(tmp_path):
    """--summary-json carries each lock's call sites with the same frames and names as the text."""
    out = tmp_path / "s.json"
    p = subprocess.run([str(TT), "-q", "--stacks", "--summary-json", str(out), "--",
                        str(DEMOS / "nofp_bank"), "3000"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    text = {}
    for lock, waits, frames in sites(p.stderr):
        text.setdefault(lock, set()).add((waits, " < ".join(frames)))
    import json
    js = {}
    for lock in json.loads(out.read_text())["locks"]:
        for s in lock["sites"]:
            js.setdefault(lock["symbol"], set()).add((s["waits"], s["frames"]))
    assert text and js == text, (js, text)
    # whole stacks: the account's waits under deposit (by the depositor or by main: whichever waited)
    assert any("deposit" in f and ("depositor_main" in f or "< main+" in f) for v in js.values() for _, f in v), js
