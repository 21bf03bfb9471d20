"""scripts/tt-report and scripts/tt-plot against the CSV they read: real traces of the demos
(parsed here independently of the scripts), the recorded samples in data/ (real runs of
mtsleep3 and gil with TT_SCALE=0.25, for checks that must not depend on timing), and
hand-written CSVs (hostile names, missing columns)."""
import csv
import os
import signal
import struct
import subprocess
import time
import unicodedata
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

from conftest import DEMOS, PYDEMOS, PYTHON, ROOT, SCALE, TT, parse_csv, trace_command

REPORT = ROOT / "scripts" / "tt-report"
PLOT = ROOT / "scripts" / "tt-plot"
DATA = Path(__file__).resolve().parent / "data"
MTSLEEP3 = DATA / "mtsleep3.csv"   # tgid 25974: main 25974, loop0 25975, loop1 25976
GIL = DATA / "gil.csv"             # tgid 26068: main 26068, workers 26070..26073
REQUIRED = ["ts_ns", "tid", "name", "event", "peer_tid", "dur_ns", "detail"]
S = float(SCALE)
GREEN, RED, ORANGE = (0x4c, 0xaf, 0x50), (0xe5, 0x39, 0x35), (0xff, 0x98, 0x00)


# ---------------------------------------------------------------- helpers

def run(script, *args, stdin=None, timeout=120):
    return subprocess.run([str(script), *map(str, args)], input=stdin, capture_output=True,
                          timeout=timeout)


def report(*args, stdin=None):
    p = run(REPORT, *args, stdin=stdin)
    assert p.returncode == 0, p.stderr.decode()
    assert p.stderr == b""
    return p.stdout.decode("utf-8")  # strict: the report is valid UTF-8


def sections(text):
    """The report's blocks, by the word before ':' in their title line: title, rows (dicts by
    the header line's columns; the last column takes the rest of the line)."""
    blocks = text.split("\n\n")
    out = {"head": blocks[0].splitlines()}
    for b in blocks[1:]:
        lines = b.rstrip("\n").split("\n")
        cols = lines[1].split()
        rows = [dict(zip(cols, line.split(None, len(cols) - 1))) for line in lines[2:]]
        assert all(len(r) == len(cols) for r in rows), lines
        out[lines[0].split(":")[0]] = {"title": lines[0], "rows": rows}
    return out


def ns(text):
    """The report's seconds (exactly 9 decimals) back to integer nanoseconds."""
    whole, frac = text.split(".")
    assert len(frac) == 9, text
    return int(whole) * 1_000_000_000 + int(frac)


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def by_tid(sec):
    return {int(r["TID"]): r for r in sec["rows"]}


def csv_locks(rows):
    """Independent of tt-report: wait rows grouped by (tgid, addr), most total wait first."""
    g = {}
    for r in rows:
        if r["event"] == "wait":
            g.setdefault((r["tgid"], r["addr"]), []).append(r)
    return sorted(g.items(), key=lambda kv: -sum(int(r["dur_ns"]) for r in kv[1]))


def thread_labels(rows):
    """`name (tid)` of every thread, its last name, in order of first appearance."""
    names = {}
    for r in rows:
        if r["event"] not in ("trace", "lost"):
            if r["name"] or r["tid"] not in names:
                names[r["tid"]] = r["name"] or names.get(r["tid"], "")
    return [f"{n} ({t})" for t, n in names.items()]


def write_csv(path, header, rows):
    """Quoted as docs/csv.md says threadtrace does (RFC 4180: a field with a comma, a double
    quote, CR or LF, or a space at either end, in double quotes), lines ended by LF."""
    def field(v):
        v = str(v)
        if any(c in v for c in ',"\r\n') or v[:1] == " " or v[-1:] == " ":
            return '"' + v.replace('"', '""') + '"'
        return v
    text = "".join(",".join(map(field, r)) + "\n" for r in [header, *rows])
    # surrogateescape: a name given as "\udcff" is written as the raw byte 0xff
    path.write_bytes(text.encode("utf-8", "surrogateescape"))


def without(src, dst, *cols):
    with open(src, newline="") as f:
        rows = list(csv.reader(f))
    keep = [i for i, c in enumerate(rows[0]) if c not in cols]
    write_csv(dst, [rows[0][i] for i in keep], [[r[i] for i in keep] for r in rows[1:]])


def png_decode(data):
    """A non-interlaced 8-bit RGBA PNG (what matplotlib's Agg writes): (width, height, rows of
    RGBA bytes). Checks the signature, every chunk's CRC and the IDAT stream's length."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        pos += 12 + n
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, ctype, interlace) == (8, 6, 0)
    raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
    stride = 4 * w
    assert len(raw) == h * (stride + 1)
    out, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        assert f <= 4
        for i in range(stride):
            a = line[i - 4] if i >= 4 else 0
            b = prev[i]
            c = prev[i - 4] if i >= 4 else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(bytes(line))
        prev = line
    return w, h, out


def png_size(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[8:16] == b"\x00\x00\x00\x0dIHDR"
    return struct.unpack(">II", data[16:24])


def colour_counts(rows, colours):
    counts = dict.fromkeys(colours, 0)
    for line in rows:
        for i in range(0, len(line), 4):
            px = (line[i], line[i + 1], line[i + 2])
            if px in counts and line[i + 3] == 255:
                counts[px] += 1
    return counts


def svg_texts(path):
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root, ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def no_control_chars(text):
    bad = [c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs")]
    assert not bad, [hex(ord(c)) for c in bad]


# ---------------------------------------------------------------- tt-report, real traces

def test_report_mtsleep3_matches_its_csv(tmp_path):
    t = trace_command([DEMOS / "mtsleep3"], tmp_path)
    assert t.rc == 0, t.stderr
    main, l0, l1 = t.tids["main"], t.tids["loop0"], t.tids["loop1"]
    rep = sections(report(tmp_path / "trace0.csv"))
    (stop,) = t.events("trace", detail="stop")
    assert f"length {int(stop['dur_ns']) // 10**9}.{int(stop['dur_ns']) % 10**9:09d} s" in \
        rep["head"][1]
    assert rep["head"][2] == f"process {main}: {DEMOS / 'mtsleep3'}"
    # joins, in the demo's order: main waited for loop0 (4 s) then joined the ended loop1
    joins = rep["joins"]["rows"]
    assert [(int(j["JOINER"]), int(j["JOINEE"]), j["KIND"]) for j in joins] == \
        [(main, l0, "pthread"), (main, l1, "pthread")] == [(a, b, "pthread") for a, b in t.joins]
    first = t.events("join")[0]
    assert ns(joins[0]["WAIT"]) == int(first["dur_ns"])
    assert 4 * S * 0.8 < ns(joins[0]["WAIT"]) / 1e9 < 4 * S + 1.0
    assert ns(joins[1]["WAIT"]) == int(t.events("join")[1]["dur_ns"]) < 5_000_000
    # threads: lifetimes and ends are the exit rows', starts the start rows' (exec for main)
    th = by_tid(rep["threads"])
    assert list(th) == [main, l0, l1]
    for tid in (main, l0, l1):
        ex = t.exit_of(tid)
        assert ns(th[tid]["LIFETIME"]) == int(ex["dur_ns"])
        assert ns(th[tid]["END"]) == int(ex["ts_ns"])
        assert th[tid]["ENDED"] == ex["detail"] and th[tid]["NAME"] == "mtsleep3"
    assert th[main]["ENDED"] == "process-exit" and th[main]["CREATOR"] == "?"
    assert ns(th[main]["START"]) == int(t.events("exec")[0]["ts_ns"])
    for tid in (l0, l1):
        (st,) = t.events("start", tid=tid)
        assert ns(th[tid]["START"]) == int(st["ts_ns"])
        assert int(th[tid]["CREATOR"]) == main and int(th[tid]["JOINED_BY"]) == main
        assert ns(th[tid]["JOIN_WAIT"]) == int(t.events("join", peer_tid=tid)[0]["dur_ns"])
    assert 4 * S * 0.8 < ns(th[l0]["LIFETIME"]) / 1e9 < 4 * S + 0.5
    assert 2 * S * 0.8 < ns(th[l1]["LIFETIME"]) / 1e9 < 2 * S + 0.5
    assert rep["daemon-killed"]["title"] == "daemon-killed: 0"
    assert "deadlocks" not in rep and "lost" not in rep


def test_report_top_lock_of_a_real_gil_run(tmp_path):
    t = trace_command([DEMOS / "gil", "3"], tmp_path)
    assert t.rc == 0, t.stderr
    workers = {t.tids[f"w{i}"] for i in range(3)}
    locks = csv_locks(t.rows)
    # the big mutex: the word the 3 workers wait on (main's join wait can be the top lock)
    ((key, waits),) = [(k, w) for k, w in locks if {int(r["tid"]) for r in w} == workers]
    assert len(waits) > 20
    rep = sections(report(tmp_path / "trace0.csv", "--top", "0"))
    got = rep["locks"]["rows"]
    assert rep["locks"]["title"] == f"locks: top {len(locks)} of {len(locks)} by total wait"
    assert [ns(r["TOTAL"]) for r in got] == \
        [sum(int(r["dur_ns"]) for r in w) for _, w in locks]  # most total wait first
    (top,) = [r for r in got if (r["TGID"], r["ADDR"]) == key]
    assert len(sections(report(tmp_path / "trace0.csv", "--top", "1"))["locks"]["rows"]) == 1
    assert int(top["WAITS"]) == len(waits)
    assert ns(top["TOTAL"]) == sum(int(r["dur_ns"]) for r in waits)
    assert ns(top["MAX"]) == max(int(r["dur_ns"]) for r in waits)
    assert top["THREADS"] == "3"
    waker, wakee = map(int, top["TOP_PAIR"].split("->"))
    assert waker in workers and wakee in workers and waker != wakee
    assert int(top["PAIR_WAITS"]) == len([r for r in waits if r["peer_tid"] == str(waker)
                                          and r["tid"] == str(wakee)])
    th = by_tid(rep["threads"])
    assert set(th) == workers | {t.tids["main"]}
    for tid in workers:
        assert ns(th[tid]["LIFETIME"]) == int(t.exit_of(tid)["dur_ns"])


def test_report_daemon_py_lists_its_daemon_killed_threads(tmp_path):
    t = trace_command([PYTHON, PYDEMOS / "daemon.py"], tmp_path)
    assert t.rc == 0, t.stderr
    daemons = {t.tids["daemon0"], t.tids["daemon1"]}
    killed_in_csv = {int(r["tid"]) for r in t.events("exit", detail="daemon-killed")}
    assert killed_in_csv == daemons
    rep = sections(report(tmp_path / "trace0.csv"))
    killed = by_tid(rep["daemon-killed"])
    assert rep["daemon-killed"]["title"] == "daemon-killed: 2"
    assert set(killed) == daemons
    for tid in daemons:
        assert ns(killed[tid]["END"]) == int(t.exit_of(tid)["ts_ns"])
        assert killed[tid]["NAME"] == "python3.11" and killed[tid]["SIG"] == "0"
    th = by_tid(rep["threads"])
    assert th[t.tids["main"]]["ENDED"] == "process-exit"
    assert {th[t.tids[w]]["ENDED"] for w in ("worker0", "worker1")} == {"exited"}
    assert {th[d]["ENDED"] for d in daemons} == {"daemon-killed"}
    # the joins (CPython's, inferred) are the CSV's, wait for wait
    joins = {(int(j["JOINER"]), int(j["JOINEE"]), j["KIND"], ns(j["WAIT"]))
             for j in rep["joins"]["rows"]}
    assert joins == {(int(r["tid"]), int(r["peer_tid"]), r["detail"], int(r["dur_ns"]))
                     for r in t.events("join")}
    assert {(a, b) for a, b, _, _ in joins} >= {(t.tids["main"], t.tids["worker0"])}


def test_report_deadlock_and_alive_threads(tmp_path):
    out = tmp_path / "t.csv"
    tt = subprocess.Popen([str(TT), "--csv", "-w", str(out), "--", str(DEMOS / "deadlock")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=dict(os.environ, TT_SCALE=SCALE, TT_DEADLOCK_DELAY="0.1"))
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if out.exists() and out.read_text().count(",deadlock,cycle") == 2:
                break
            time.sleep(0.05)
    finally:
        tt.send_signal(signal.SIGTERM)  # stops tracing; the deadlocked demo goes with it
        stdout, _ = tt.communicate(timeout=10)
    tids = {p[1]: int(p[2]) for p in map(str.split, stdout.splitlines())
            if len(p) == 3 and p[0] == "TID"}
    ab, ba = tids["ab"], tids["ba"]
    rows = parse_csv(out.read_text())
    dl = {int(r["tid"]): r for r in rows if r["event"] == "deadlock"}
    assert set(dl) == {ab, ba}
    rep = sections(report(out))
    assert rep["deadlocks"]["title"] == "deadlocks: 2"
    got = {int(r["TID"]): r for r in rep["deadlocks"]["rows"]}
    assert {(tid, int(r["WAITS_FOR"])) for tid, r in got.items()} == {(ab, ba), (ba, ab)}
    for tid in (ab, ba):
        assert ns(got[tid]["WAITED"]) == int(dl[tid]["dur_ns"])
        assert got[tid]["ADDR"] == dl[tid]["addr"]
        assert got[tid]["DETAIL"] == dl[tid]["detail"]
    assert "lock_b+0x0" in got[ab]["DETAIL"] and "lock_a+0x0" in got[ba]["DETAIL"]
    # stopped while deadlocked: all three threads alive at stop, their END the end rows'
    th = by_tid(rep["threads"])
    ends = {int(r["tid"]): r for r in rows if r["event"] == "end"}
    assert set(ends) == set(th) == {tids["main"], ab, ba}
    for tid, r in ends.items():
        assert th[tid]["ENDED"] == "alive-at-stop" and th[tid]["EXIT"] == "-"
        assert ns(th[tid]["END"]) == int(r["ts_ns"])
        assert ns(th[tid]["LIFETIME"]) == int(r["dur_ns"])


def test_report_lost_events(tmp_path):
    # a 4 KiB ring buffer cannot hold 3000 thread starts (as tests/integration/test_cli.py)
    t = trace_command([DEMOS / "manythreads", "3000"], tmp_path, args=["--buffer", "4"])
    assert t.rc == 0
    lost = t.events("lost")
    assert lost
    rep = sections(report(tmp_path / "trace0.csv", "--top", "0"))
    total = sum(int(r["detail"].split(":")[1]) for r in lost)
    assert rep["lost"]["title"] == f"lost: {total} events not recorded"
    assert [(r["KIND"], int(r["COUNT"])) for r in rep["lost"]["rows"]] == \
        [tuple((k, int(n))) for k, n in (r["detail"].split(":") for r in lost)]
    # one thread row per tid seen in the CSV (threads whose start was lost included)
    tids = {int(r["tid"]) for r in t.rows if r["event"] not in ("trace", "lost")}
    th = by_tid(rep["threads"])
    assert set(th) == tids and rep["threads"]["title"] == f"threads: {len(tids)}"
    started = {int(r["tid"]) for r in t.events("start")}
    assert all(th[tid]["START"] == "?" for tid in tids - started - {t.tids["main"]})
    assert int(rep["locks"]["title"].split()[2]) == len(csv_locks(t.rows))  # --top 0: all


def test_report_hostile_name_from_a_real_thread(tmp_path):
    code = ("import ctypes, threading\n"
            "def f():\n"
            "    ctypes.CDLL(None).prctl(15, b'\\x1b[2Jevil\\nname', 0, 0, 0)\n"
            "    print('TID evil', threading.get_native_id(), flush=True)\n"
            "t = threading.Thread(target=f); t.start(); t.join()\n")
    t = trace_command([PYTHON, "-c", code], tmp_path)
    assert t.rc == 0, t.stderr
    evil = t.tids["evil"]
    assert t.events("rename", tid=evil)[0]["name"] == "\x1b[2Jevil\nname"  # byte for byte
    text = report(tmp_path / "trace0.csv")
    no_control_chars(text)
    assert by_tid(sections(text)["threads"])[evil]["NAME"] == "[2Jevilname"


# ---------------------------------------------------------------- tt-report, recorded samples

def test_report_recorded_gil_sample():
    rows = load(GIL)
    rep = sections(report(GIL, "--top", "3"))
    assert rep["locks"]["title"] == "locks: top 3 of 4 by total wait"
    locks = csv_locks(rows)
    assert len(locks) == 4
    for got, ((tgid, addr), waits) in zip(rep["locks"]["rows"], locks):
        durs = [int(r["dur_ns"]) for r in waits]
        assert (got["TGID"], got["ADDR"], int(got["WAITS"])) == (tgid, addr, len(waits))
        assert ns(got["TOTAL"]) == sum(durs) and ns(got["MAX"]) == max(durs)
        assert ns(got["MEAN"]) == sum(durs) // len(durs)
        assert int(got["THREADS"]) == len({r["tid"] for r in waits})
    top = rep["locks"]["rows"][0]
    assert (top["ADDR"], top["WAITS"], top["TOTAL"], top["MEAN"], top["MAX"], top["THREADS"],
            top["TIMEOUTS"], top["TOP_PAIR"], top["PAIR_WAITS"]) == \
        ("0x556a27f67100", "147", "1.262509429", "0.008588499", "0.020017517", "4", "0",
         "26072->26073", "24")
    th = by_tid(rep["threads"])
    assert list(th) == [26068, 26070, 26071, 26072, 26073]
    assert (th[26070]["START"], th[26070]["END"], th[26070]["LIFETIME"], th[26070]["ENDED"],
            th[26070]["JOINED_BY"], th[26070]["JOIN_WAIT"], th[26070]["JOIN"]) == \
        ("0.041218973", "0.802549073", "0.761330100", "exited", "26068", "0.759970881",
         "pthread")
    exits = {int(r["tid"]): r for r in rows if r["event"] == "exit"}
    assert {tid: ns(r["LIFETIME"]) for tid, r in th.items()} == \
        {tid: int(r["dur_ns"]) for tid, r in exits.items()}
    assert [(j["JOINEE"], j["WAIT"]) for j in rep["joins"]["rows"]] == \
        [("26070", "0.759970881"), ("26071", "0.000022794"), ("26072", "0.000629235"),
         ("26073", "0.000032658")]
    assert rep["head"][1] == \
        "trace: started 2026-11-26T22:37:22.978565620Z, length 0.805235058 s, 292 events"
    assert len(sections(report(GIL, "--top", "1"))["locks"]["rows"]) == 1
    assert len(sections(report(GIL))["locks"]["rows"]) == 4  # default 10


def test_report_reads_stdin():
    by_file = report(MTSLEEP3)
    data = MTSLEEP3.read_bytes()
    assert report(stdin=data) == by_file
    assert report("-", stdin=data) == by_file
    p = subprocess.run(f"cat '{MTSLEEP3}' | '{REPORT}'", shell=True, capture_output=True)
    assert p.returncode == 0 and p.stdout.decode() == by_file
    rep = sections(by_file)
    assert [(j["TIME"], j["JOINER"], j["JOINEE"], j["WAIT"], j["KIND"])
            for j in rep["joins"]["rows"]] == \
        [("1.058970312", "25974", "25975", "1.000616864", "pthread"),
         ("1.059005725", "25974", "25976", "0.000021532", "pthread")]
    th = by_tid(rep["threads"])
    assert [(r["START"], r["LIFETIME"], r["ENDED"]) for r in th.values()] == \
        [("0.057431639", "1.001604871", "process-exit"),
         ("0.058246179", "1.000372050", "exited"),
         ("0.058321831", "0.500343144", "exited")]


def test_report_missing_columns_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    for col in REQUIRED:
        without(MTSLEEP3, bad, col)
        p = run(REPORT, bad)
        assert (p.returncode, p.stdout) == (2, b"")
        assert p.stderr.decode() == f"tt-report: input lacks column(s): {col}\n"
    without(MTSLEEP3, bad, "detail", "ts_ns", "addr")  # listed in a fixed order
    p = run(REPORT, stdin=bad.read_bytes())
    assert (p.returncode, p.stdout) == (2, b"")
    assert p.stderr.decode() == "tt-report: input lacks column(s): ts_ns, detail, addr\n"
    # addr is needed only to group wait rows: without it and without waits, a report
    without(MTSLEEP3, bad, "addr")
    p = run(REPORT, bad)
    assert p.returncode == 2 and p.stderr.decode() == "tt-report: input lacks column(s): addr\n"
    no_waits = [r for r in csv.reader(bad.open(newline=""))]
    write_csv(bad, no_waits[0], [r for r in no_waits[1:] if r[4] != "wait"])
    rep = sections(report(bad))
    assert rep["locks"]["title"] == "locks: top 0 of 0 by total wait"
    assert len(rep["threads"]["rows"]) == 3
    p = run(REPORT, tmp_path / "nonexistent.csv")
    assert p.returncode == 2 and p.stderr.decode().count("\n") == 1
    assert p.stderr.decode().startswith("tt-report: cannot read ")


HOSTILE = {  # tid: (name as the traced program set it, as tt-report and tt-plot print it)
    101: ("\x1b[31mred\x1b[0m", "[31mred[0m"),
    102: ("two\nlines", "twolines"),
    103: ("\x07bell\rcr\tT", "bellcrT"),
    104: ("\x9b2Jc1", "2Jc1"),                    # C1 CSI
    105: ("\u202eevil\u200b", "evil"),            # bidi override, zero-width space
    106: ("bad\udcff\udcfe", "bad\\xff\\xfe"),    # raw bytes 0xff 0xfe: not UTF-8
    107: ("a$b$c", "a$b$c"),                      # no mathtext in the plot
}


def hostile_csv(path):
    header = ["ts_ns", "tgid", "tid", "name", "event", "peer_tid", "dur_ns", "detail", "addr",
              "exit_code", "signal", "blocked_by"]
    rows = [[0, 100, 100, "", "trace", "", "", "start 2026-01-01T00:00:00.000000000Z", "", "",
             "", ""],
            [1000, 100, 100, "evil", "exec", "", "", "/tmp/\x1b]0;pwned\x07x", "", "", "", ""]]
    for i, (tid, (name, _)) in enumerate(sorted(HOSTILE.items())):
        rows.append([2000 + i, 100, tid, "evil", "start", 100, "", "", "", "", "", ""])
        rows.append([3000 + i, 100, tid, name, "rename", "", "", "", "", "", "", ""])
        rows.append([5000 + i, 100, tid, name, "wait", 100, 1000, "woken", "0x10", "", "", ""])
        rows.append([9000 + i, 100, tid, name, "exit", "", 7000, "daemon-killed", "", 0, 9, ""])
    rows.append([9100, 100, 100, "evil", "exit", "", 8100, "process-exit", "", 137, 9, ""])
    rows.append([9200, 100, 100, "", "trace", "", 9200, "stop", "", "", "", ""])
    write_csv(path, header, rows)


def test_report_hostile_names_print_no_control_characters(tmp_path):
    f = tmp_path / "hostile.csv"
    hostile_csv(f)
    assert b"\x1b[31mred" in f.read_bytes() and b"bad\xff\xfe" in f.read_bytes()
    text = report(f)
    no_control_chars(text)
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    rep = sections(text)
    assert rep["head"][2] == "process 100: /tmp/]0;pwnedx"
    th = by_tid(rep["threads"])
    assert list(th) == [100, *sorted(HOSTILE)]  # a newline in a name makes no extra row
    assert {tid: th[tid]["NAME"] for tid in HOSTILE} == {t: v[1] for t, v in HOSTILE.items()}
    assert {tid: r["NAME"] for tid, r in by_tid(rep["daemon-killed"]).items()} == \
        {t: v[1] for t, v in HOSTILE.items()}
    assert {r["SIG"] for r in rep["daemon-killed"]["rows"]} == {"9"}
    (lock,) = rep["locks"]["rows"]
    assert (lock["WAITS"], lock["TOTAL"], lock["THREADS"]) == ("7", "0.000007000", "7")
    # head, then threads, joins, daemon-killed, locks (title, column line, rows), 4 blank lines
    assert len(text.splitlines()) == 3 + (2 + 8) + 2 + (2 + 7) + (2 + 1) + 4


# ---------------------------------------------------------------- tt-plot

def test_plot_png_has_exactly_the_size_asked(tmp_path):
    for w, h in ((1234, 567), (333, 1001), (800, 100)):
        out = tmp_path / f"g{w}.png"
        p = run(PLOT, GIL, "-o", out, "--width", w, "--height", h)
        assert p.returncode == 0, p.stderr.decode()
        assert png_size(out) == (w, h)
    out = tmp_path / "default.png"
    p = run(PLOT, GIL, "-o", out)
    assert p.returncode == 0, p.stderr.decode()
    # 12 in wide; 2 + 0.3 * 5 threads + 3.5 in high; 100 dpi
    assert png_size(out) == (1200, 700)


def test_plot_png_decodes_with_the_legend_colours(tmp_path):
    out = tmp_path / "gil.png"
    p = run(PLOT, GIL, "-o", out, "--width", 500, "--height", 360)
    assert p.returncode == 0, p.stderr.decode()
    w, h, rows = png_decode(out.read_bytes())
    assert (w, h, len(rows)) == (500, 360, 360)
    counts = colour_counts(rows, (GREEN, RED, ORANGE))
    # lifetimes, waits on the big lock, and main's 0.76 s pthread join of the first worker
    assert counts[GREEN] > 1000 and counts[RED] > 1000 and counts[ORANGE] > 500, counts


def test_plot_svg_labels_every_thread(tmp_path):
    out = tmp_path / "gil.svg"
    p = run(PLOT, GIL, "-o", out, "--width", 1000, "--height", 800)
    assert p.returncode == 0, p.stderr.decode()
    root, texts = svg_texts(out)
    assert (root.get("width"), root.get("height")) == ("1000px", "800px")
    labels = thread_labels(load(GIL))
    assert labels == ["gil (26068)", "gil (26070)", "gil (26071)", "gil (26072)", "gil (26073)"]
    assert all(texts.count(label) == 1 for label in labels), texts
    assert len([t for t in texts if t.endswith(")") and t.startswith("gil (")]) == 5
    assert "blocked on a lock (futex wait)" in texts
    # the histogram's series: the top 3 locks by total wait, by address
    addrs = [key[1] for key, _ in csv_locks(load(GIL))[:3]]
    assert [t.split(":")[0] for t in texts if t.startswith("0x")] == addrs
    svg = out.read_text()
    assert all(c in svg for c in ("#4caf50", "#e53935", "#ff9800"))


def test_plot_real_trace_svg_uses_last_names(tmp_path):
    t = trace_command([DEMOS / "mtsleep5"], tmp_path)
    assert t.rc == 0, t.stderr
    out = tmp_path / "m5.svg"
    p = run(PLOT, tmp_path / "trace0.csv", "-o", out)
    assert p.returncode == 0, p.stderr.decode()
    _, texts = svg_texts(out)
    # mtsleep5 renames its threads: main, by itself and by another thread (see its source)
    for label in thread_labels(t.rows):
        assert texts.count(label) == 1, (label, texts)
    names = {int(r["tid"]): r["name"] for r in t.events("exit")}
    assert {f"{n} ({tid})" for tid, n in names.items()} <= set(texts)
    assert f"loop0 ({t.tids['loop0']})" in texts and f"loop1 ({t.tids['loop1']})" in texts


def test_plot_hostile_names_and_stdin(tmp_path):
    f = tmp_path / "hostile.csv"
    hostile_csv(f)
    out = tmp_path / "h.svg"
    p = run(PLOT, "-o", out, stdin=f.read_bytes())
    assert p.returncode == 0, p.stderr.decode()
    _, texts = svg_texts(out)
    for tid, (_, shown) in HOSTILE.items():
        assert texts.count(f"{shown} ({tid})") == 1, (shown, texts)
    no_control_chars(out.read_text(encoding="utf-8"))
    png = tmp_path / "m3.png"
    p = run(PLOT, "-", "-o", png, stdin=MTSLEEP3.read_bytes())
    assert p.returncode == 0, p.stderr.decode()
    assert png_size(png) == (1200, 640)  # 2 + 0.3 * 3 threads + 3.5 in


def test_plot_missing_column_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    out = tmp_path / "x.png"
    without(GIL, bad, "event")
    p = run(PLOT, bad, "-o", out)
    assert (p.returncode, p.stdout) == (2, b"")
    assert p.stderr.decode() == "tt-plot: input lacks column(s): event\n"
    without(GIL, bad, "dur_ns", "addr")
    p = run(PLOT, "-o", out, stdin=bad.read_bytes())
    assert p.returncode == 2
    assert p.stderr.decode() == "tt-plot: input lacks column(s): dur_ns, addr\n"
    assert not out.exists()
    p = run(PLOT, GIL, "-o", tmp_path / "x.jpg")
    assert p.returncode == 2 and b"must end in .png or .svg" in p.stderr
