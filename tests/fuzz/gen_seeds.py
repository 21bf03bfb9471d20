#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets into tests/fuzz/corpus/NAME/ (seed-* files).

Run it again after a change of the event records (bpf/threadtrace.h): the events seeds are
ring-buffer records, framed by a length byte each. The ELF seeds are tiny programs compiled here
(cc), and truncated and damaged copies of them.
Files named crash-* in the corpus folders are inputs that crashed a target: they are kept as they are.
"""
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"

# struct tt_event_head: ts_ns (u64), kind tgid tid pad (u32); then the record of its kind
HEAD = struct.Struct("<QIIII")
assert HEAD.size == 24
START, EXIT, RENAME, EXEC, JOIN, JOIN_GUESS, WAIT, HOLD, FORK, STATE, SCHED = range(1, 12)
SIGNALED, GROUP, SHUTDOWN = 1, 2, 4
S = 1_000_000_000


def rec(kind, ts, tid, tgid, body):
    """One ring-buffer record, as the fuzz input frames it: a length byte, then its bytes."""
    raw = HEAD.pack(ts, kind, tgid, tid, 0) + body
    return bytes([len(raw)]) + raw


def comm16(comm):
    return comm[:16].ljust(16, b"\0")


def ev(kind, ts, tid, tgid=100, peer=0, addr=0, arg=0, dur=0, flags=0, ret=0, comm=b"demo", site=0):
    """An event of kind from the fields the old generic event had (peer, addr, arg, dur, flags, ret);
    site: a wait's or a blocked state's call site id (--stacks)."""
    if kind in (START, FORK):  # tid_word, creator, pad, comm
        body = struct.pack("<QII", addr, peer, 0) + comm16(comm)
    elif kind == EXIT:  # tid_word, exit_code, flags, comm
        body = struct.pack("<QII", addr, arg & 0xffffffff, flags & 0xffffffff) + comm16(comm)
    elif kind == RENAME:  # by, pad, comm
        body = struct.pack("<II", peer, 0) + comm16(comm)
    elif kind == EXEC:  # old_tid, pad, comm, path (128)
        body = struct.pack("<II", peer, 0) + comm16(comm) + (b"/bin/" + comm)[:127].ljust(128, b"\0")
    elif kind == JOIN:  # tid_word, wait_ns
        body = struct.pack("<QQ", addr, dur)
    elif kind == JOIN_GUESS:  # word, wait_ns, joinee, op, py_stack, exit_flags, pad
        body = struct.pack("<QQIIQII", addr, dur, peer, arg, 0, flags & 0xffffffff, 0)
    elif kind == WAIT:  # addr, dur_ns, waker, owner, ret, kind, py_stack, site
        body = struct.pack("<QQIIiIQQ", addr, dur, peer, arg, ret, flags, 0, site)
    elif kind == HOLD:  # addr, dur_ns
        body = struct.pack("<QQ", addr, dur)
    elif kind == STATE:  # addr, state, pad, py_stack, site
        body = struct.pack("<QIIQQ", addr, flags, 0, 0, site)
    elif kind == SCHED:  # oncpu, runq, lock, sleep
        body = struct.pack("<QQQQ", dur, addr, arg, ret & 0xffffffff)
    else:  # an unknown kind: a record as long as the longest
        body = bytes(32)
    return rec(kind, ts, tid, tgid, body)


def cut(record, n):
    """The record cut to its first n bytes (shorter than its kind: the decoder refuses it)."""
    return bytes([n]) + record[1:1 + n]


def events_seeds():
    word = lambda tid: 0x7f0000001990 + tid * 0x800000  # a thread's tid word (clear_child_tid)
    # mtsleep3: exec, two threads, join the longer, the other had ended, exit_group
    mt = [ev(EXEC, 1 * S, 100, peer=100, comm=b"mtsleep3"),
          ev(START, 2 * S, 101, peer=100, addr=word(101), comm=b"mtsleep3"),
          ev(STATE, 2 * S + 5, 101, flags=1),
          ev(START, 2 * S + 10, 102, peer=100, addr=word(102), comm=b"mtsleep3"),
          ev(EXIT, 4 * S, 102, addr=word(102), comm=b"mtsleep3"),
          ev(SCHED, 4 * S + 1, 102, dur=S, addr=5, arg=0, ret=7),
          ev(WAIT, 6 * S, 100, peer=101, addr=word(101), dur=4 * S, flags=0, comm=b"mtsleep3",
             site=0x4676d879c6ec1de4),
          ev(STATE, 6 * S, 100, flags=3, addr=word(101), site=0x4676d879c6ec1de4),
          ev(EXIT, 6 * S, 101, addr=word(101), comm=b"mtsleep3"),
          ev(JOIN, 6 * S + 5, 100, addr=word(101), dur=4 * S),
          ev(JOIN, 6 * S + 9, 100, addr=word(102), dur=20),
          ev(EXIT, 7 * S, 100, flags=GROUP, arg=3 << 8, comm=b"mtsleep3")]
    # CPython: inferred joins, a daemon stopping at shutdown, renames by another thread
    py = [ev(START, 1 * S, 201, peer=200, addr=word(201), comm=b"python3"),
          ev(RENAME, 1 * S + 1, 201, peer=200, comm=b"worker-1"),
          ev(START, 1 * S + 2, 202, peer=200, addr=word(202), comm=b"python3"),
          ev(EXIT, 2 * S, 201, addr=word(201), comm=b"worker-1"),
          ev(JOIN_GUESS, 2 * S + 1, 200, peer=201, addr=0x5555a000, dur=S, arg=393),
          ev(JOIN_GUESS, 2 * S + 2, 200, peer=201, addr=0x5555a000, dur=S, arg=393),
          ev(JOIN_GUESS, 2 * S + 3, 200, peer=299, addr=0x5555a000, dur=S, arg=393),
          ev(HOLD, 2 * S + 4, 202, addr=0x5555b000, dur=5000),
          ev(EXIT, 3 * S, 202, flags=SHUTDOWN | GROUP, comm=b"python3"),
          ev(EXIT, 3 * S, 200, flags=GROUP, comm=b"python3")]
    # hostile: comm without NUL and with escapes, killed threads, timeouts, fork, unknown kinds,
    # records cut short
    bad = [ev(START, 5, 301, peer=300, comm=b"A" * 16),
           ev(RENAME, 6, 301, peer=301, comm=b"\x1b]0;pwn\x07\xc2\x9b\xff\"',\r\n"),
           ev(FORK, 7, 400, tgid=400, peer=301, comm=b"\xe2\x80\xae" + b"B" * 13),
           ev(WAIT, 8, 301, peer=0, arg=300, ret=-110, addr=0x1000),
           ev(WAIT, 9, 301, peer=302, ret=-4, addr=0x1000),
           ev(EXEC, 10, 401, tgid=400, peer=400, comm=b"new"),
           ev(EXIT, 11, 301, flags=SIGNALED | GROUP, arg=9),
           ev(0, 12, 1), ev(12, 13, 2), ev(0xffffffff, 14, 0xffffffff),
           cut(ev(START, 14, 302), 30), cut(ev(WAIT, 14, 302), 20), b"\x05abcde",
           ev(JOIN, 15, 0x7fffffff, addr=0), ev(EXIT, 0, 0x80000000, flags=0xffffffff, arg=2**32 - 1)]
    return {"seed-mtsleep3": b"\x00" + b"".join(mt),
            "seed-python": b"\x01" + b"".join(py),
            "seed-hostile": b"\xfb" + b"".join(bad),
            "seed-small-ids": b"\x07" + b"".join(mt[:4] + py[3:6])}


def maps_seeds():
    return {
        "seed-lib": b"7f2a1c000000-7f2a1c022000 r-xp 00028000 08:01 1835082    /usr/lib/x86_64-linux-gnu/libc.so.6\n",
        "seed-anon": b"7ffd5d1e0000-7ffd5d201000 rw-p 00000000 00:00 0                          [stack]\n",
        "seed-deleted": b"55d0c0a00000-55d0c0a01000 r--p 00000000 fd:00 42 /tmp/a b\\n (deleted)\n",
        "seed-noname": b"00400000-00452000 r-xp 00000000 08:02 173521",
        "seed-perf": b"7f3c5a6b1000 1a0 py::worker:/work/demos/gil.py\r\n",
        "seed-perf-file": (b"1000 10 first\n2000 20 second one\n1000 8 same start\n"
                           b"zz 10 bad\n3000 0 empty\n4000 1\n0x5000 30 prefixed\n"),
    }


def text_seeds():
    return {
        "seed-plain": b"\x10thread-1",
        "seed-controls": b"\x05\x1b[31mred\x1b[0m\x07\x7f\ttab\r\n",
        "seed-utf8": "\x40caf\u00e9 \u65e5\u672c \U0001f600 \u202e".encode(),
        "seed-c1-bad-utf8": b"\x03\xc2\x9b\xc2\x85\x9b\xc0\xaf\xe0\x80\xaf\xed\xa0\x80\xf4\x90\x80\x80\xf8",
        "seed-csv": b"\x00a,\"b\"\" c\n, ",
        "seed-cut": b"\x04\xe6\x97\xa5\xe6\x97\xa5\xf0\x9f\x98\x80",
    }


ELF_SRC = r"""
__attribute__((noinline)) int pthread_join(unsigned long t, void **r) { (void)r; return (int)t; }
int main(void) { return pthread_join(0, 0); }
void _start(void) { main(); for (;;) ; }
"""


def cc(args, src, out):
    with tempfile.TemporaryDirectory() as d:
        c = Path(d) / "t.c"
        c.write_text(src)
        subprocess.run(["cc", "-Os", "-fno-asynchronous-unwind-tables", "-fno-stack-protector",
                        "-Wl,--build-id=none", *args, str(c), "-o", str(out)], check=True)
        return Path(out).read_bytes()


def elf_seeds():
    with tempfile.TemporaryDirectory() as d:
        exe = cc(["-static", "-nostdlib", "-Wl,-n", "-fno-pie", "-no-pie"], ELF_SRC, Path(d) / "exe")
        so = cc(["-shared", "-fPIC", "-nostdlib", "-Wl,-n"], ELF_SRC, Path(d) / "so")
        obj = cc(["-c"], ELF_SRC, Path(d) / "o")
        strip = Path(d) / "stripped"
        strip.write_bytes(so)
        subprocess.run(["strip", "-s", str(strip)], check=True)
        stripped = strip.read_bytes()
    seeds = {"seed-exe": exe, "seed-so": so, "seed-obj": obj, "seed-so-stripped": stripped,
             "seed-exe-header": exe[:64], "seed-exe-half": exe[:len(exe) // 2],
             "seed-so-cut": so[:len(so) - 100]}
    # the section header table said to lie past the end of the file
    bad = bytearray(exe)
    struct.pack_into("<Q", bad, 0x28, len(exe) + 4096)
    seeds["seed-exe-bad-shoff"] = bytes(bad)
    return seeds


def main():
    for name, seeds in (("events", events_seeds()), ("maps", maps_seeds()),
                        ("text", text_seeds()), ("elf", elf_seeds())):
        folder = CORPUS / name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("seed-*"):
            old.unlink()
        for fname, data in seeds.items():
            (folder / fname).write_bytes(data)
    total = sum(f.stat().st_size for f in CORPUS.rglob("*") if f.is_file())
    print(f"corpus: {total} bytes in {CORPUS}")
    return 0 if total < 200_000 else 1


if __name__ == "__main__":
    sys.exit(main())
