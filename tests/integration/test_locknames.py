"""Locks no symbol covers are named after the code that waits on them (issue 15 item 2).

Ground truth: build/demos/nofp_bank prints where its heap locks lie (ADDR lines) and takes each
in a function of its own (deposit, wait_for_work), built without frame pointers; xz from Debian
(stripped, no frame pointers) keeps its locks on the heap and waits in liblzma.
"""
import re
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
