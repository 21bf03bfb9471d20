"""Locks no symbol covers are named after the code that waits on them (issue 15 item 2).

Ground truth: build/demos/nofp_bank prints where its heap locks lie (ADDR lines) and takes each
in a function of its own (deposit, wait_for_work), built without frame pointers; xz from Debian
(stripped, no frame pointers) keeps its locks on the heap and waits in liblzma.
"""
import os
import re
import shutil
import subprocess

import pytest

from conftest import DEMOS, TT, read_summary


def run_with_summary(cmd, tmp_path, args=()):
    tmp_path.mkdir(exist_ok=True)
    out = tmp_path / "summary"
    p = subprocess.run([str(TT), "-q", *args, "--summary-csv", str(out), "--"] + cmd,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p, read_summary(out)["locks"]


def check_named(rows, addr_lo, addr_hi, kind, caller):
    """The one row whose word lies in [addr_lo, addr_hi): named '<kind> in <caller> [heap <its addr>]'."""
    mine = [r for r in rows if addr_lo <= int(r["addr"], 16) < addr_hi]
    assert len(mine) == 1, (addr_lo, rows)
    row = mine[0]
    assert row["symbol"] == f"{kind} in {caller} [heap {row['addr']}]", row
    assert row["kind"] == kind, row


def test_heap_locks_of_a_program_without_frame_pointers(tmp_path):
    for args in ((), ("--stacks",)):
        p, rows = run_with_summary([str(DEMOS / "nofp_bank"), "3000"], tmp_path / ("s" if args else "n"), args)
        addr = {m.group(1): int(m.group(2), 16)
                for m in re.finditer(r"^ADDR (\w+) (0x[0-9a-f]+)$", p.stdout, re.M)}
        assert set(addr) == {"account", "queue_mutex", "queue_cond"}, p.stdout
        # a pthread_mutex_t's word is its first; a condition variable's lies within its 48 bytes
        check_named(rows, addr["account"], addr["account"] + 4, "mutex", "deposit()")
        check_named(rows, addr["queue_cond"], addr["queue_cond"] + 48, "condvar", "wait_for_work()")
        # the queue's mutex is contended only now and then: named when it was
        qm = [r for r in rows if int(r["addr"], 16) == addr["queue_mutex"]]
        if qm:
            check_named(rows, addr["queue_mutex"], addr["queue_mutex"] + 4, "mutex", "wait_for_work()")
        names = [r["symbol"] for r in rows]
        assert len(names) == len(set(names)), names
        assert not any(n.startswith("[heap") for n in names), names
        # the text table says the same
        assert f"mutex in deposit() [heap 0x{addr['account']:x}]" in p.stderr, p.stderr


def test_xz_heap_locks_are_named_after_liblzma(tmp_path):
    data = tmp_path / "in"
    with open("/dev/urandom", "rb") as r:
        data.write_bytes(r.read(4 * 1024 * 1024))
    out = tmp_path / "summary"
    with open(tmp_path / "in.xz", "wb") as f:
        p = subprocess.run([str(TT), "-q", "--summary-csv", str(out), "--", "xz", "-T2", "-1", "-c", str(data)],
                           stdout=f, stderr=subprocess.PIPE, text=True, timeout=180)
    assert p.returncode == 0, p.stderr
    rows = read_summary(out)["locks"]
    heap = [r for r in rows if "[heap 0x" in r["symbol"]]
    # xz -T2's threads wait on condition variables in liblzma's heap structures
    assert len(heap) >= 2, rows
    for r in heap:
        m = re.fullmatch(r"(\S+) in (\S+) \[heap (0x[0-9a-f]+)\]", r["symbol"])
        assert m and m.group(1) == r["kind"] and m.group(3) == r["addr"], r
        assert m.group(2).startswith("liblzma.so"), r
    # nothing left named by region only, and no two rows share a name
    assert not any(r["symbol"] == "[heap]" for r in rows), rows
    names = [r["symbol"] for r in rows]
    assert len(names) == len(set(names)), names


BANKS = [
    # demo, the account mutex's caller, the queue's condition variable's caller (demangled)
    ("cxx_bank", "Account::deposit()", "Queue::pop()"),
    ("rust_bank", "rust_bank::deposit()", "rust_bank::pop()"),
]


@pytest.mark.parametrize("demo,deposit,pop", BANKS, ids=[b[0] for b in BANKS])
def test_cxx_and_rust_primitives_by_their_own_names(tmp_path, demo, deposit, pop):
    """std::mutex / std::sync::Mutex are mutexes (contention), std::condition_variable / Condvar
    condition variables (idle), std::thread::join / JoinHandle::join joins; named demangled."""
    exe = DEMOS / demo
    assert exe.exists(), f"{exe} not built: scripts/install-deps.sh --tests installs g++ and rustc"
    p, rows = run_with_summary([str(exe), "3000"], tmp_path, ("--stacks",))
    addr = {m.group(1): int(m.group(2), 16)
            for m in re.finditer(r"^ADDR (\w+) (0x[0-9a-f]+)$", p.stdout, re.M)}
    assert set(addr) == {"account", "queue_mutex", "queue_cond"}, p.stdout
    # std::mutex is a pthread mutex (word first); Rust's Mutex<T> keeps its futex word first too
    check_named(rows, addr["account"], addr["account"] + 4, "mutex", deposit)
    acct = next(r for r in rows if r["symbol"].startswith(f"mutex in {deposit}"))
    assert acct["role"] == "contention" and int(acct["threads"]) >= 1, acct
    # the consumer waits inside the condition variable (its word within the object)
    check_named(rows, addr["queue_cond"], addr["queue_cond"] + 48, "condvar", pop)
    cond = next(r for r in rows if r["symbol"].startswith(f"condvar in {pop}"))
    assert cond["role"] == "idle", cond
    # main joined each thread: three joins, each of a thread's tid word
    joins = [r for r in rows if r["kind"] == "join"]
    assert 1 <= len(joins) <= 3 and all(r["role"] == "idle" for r in joins), rows
    # stacks: demangled, the waiting function under the runtime's frames, no mangled name left
    assert f"< {deposit[:-2]}+0x" in p.stderr, p.stderr
    assert not re.search(r"\b_Z[NS]\w+\+0x", p.stderr), p.stderr


def elf_file_offset(exe, vaddr):
    """The file offset of a virtual address, from the program headers (readelf -lW)."""
    out = subprocess.run(["readelf", "-lW", str(exe)], capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            off, va, memsz = int(f[1], 16), int(f[2], 16), int(f[5], 16)
            if va <= vaddr < va + memsz:
                return vaddr - va + off
    raise AssertionError(f"0x{vaddr:x} in no LOAD segment of {exe}")


def nm_symbol(exe, name):
    out = subprocess.run(["nm", "-S", "--defined-only", str(exe)], capture_output=True, text=True).stdout
    f = next(l.split() for l in out.splitlines() if l.split()[-1] == name)
    return int(f[0], 16), int(f[1], 16) if len(f) == 4 else 0


def test_a_stripped_programs_global_lock_is_named_by_its_place_in_the_file(tmp_path):
    """A stripped program (no symbol names its global big_lock, nor the worker that takes it):
    'mutex in FILE+0xCALL [FILE+0xOFFSET]', OFFSET the global's place in the file (the same in
    every run, unlike its address), CALL a return address inside the worker; ground truth from
    the unstripped build's symbols and program headers."""
    exe = tmp_path / "gil.stripped"
    shutil.copy(DEMOS / "gil", exe)
    subprocess.run(["strip", "--strip-all", str(exe)], check=True)
    p = subprocess.run([str(TT), "-q", "--summary-csv", str(tmp_path / "s"), "--", str(exe), "3"],
                       capture_output=True, text=True, timeout=120, env=dict(os.environ, TT_SCALE="0.3"))
    assert p.returncode == 0, p.stderr
    rows = [r for r in read_summary(tmp_path / "s")["locks"] if r["kind"] == "mutex"]
    lock, _ = nm_symbol(DEMOS / "gil", "big_lock")
    worker, size = nm_symbol(DEMOS / "gil", "worker")
    m = [re.fullmatch(r"mutex in gil\.stripped\+0x([0-9a-f]+) \[gil\.stripped\+0x([0-9a-f]+)\]", r["symbol"])
         for r in rows]
    named = [x for x in m if x]
    assert len(named) == 1, [r["symbol"] for r in rows]
    call, place = (int(g, 16) for g in named[0].groups())
    assert place == elf_file_offset(DEMOS / "gil", lock), (hex(place), rows)
    lo, hi = elf_file_offset(DEMOS / "gil", worker), elf_file_offset(DEMOS / "gil", worker) + size
    assert lo < call <= hi, (hex(call), hex(lo), hex(hi))
