"""--stacks: one call site, one id, the same frames everywhere (issue 15, item 8).

The `wait` events (CSV, JSON) carry their call site's id in `site`; --summary-csv's sites.csv
names each id with the frames the text and --summary-json show; the timeline's blocked slices
carry the id and the frames. Ground truth: build/demos/nofp_bank (built -O2
-fomit-frame-pointer), whose locks each wait in a known function (see test_unwind.py): the
account's mutex in deposit (called by depositor_main, or by main), the queue's condition
variable in wait_for_work (waiter_main), the join in main.
"""
import csv
import json
import re
import subprocess

from conftest import CSV_COLUMNS, DEMOS, TT, parse_csv

ROUNDS = "20000"  # the account's mutex is contended many times (2 us holds, two threads)
THREAD_ROOT = ["start_thread", "clone3"]
MAIN_ROOT = ["__libc_start_call_main", "__libc_start_main", "_start"]


def name(frame):
    """A frame's function: without its offset and a compiler's .constprop.N."""
    return re.sub(r"\.constprop\.\d+$", "", re.sub(r"\+0x[0-9a-f]+$", "", frame))


def names(frames):
    return [name(f) for f in frames.split(" < ")]


def run(tmp_path, *opts):
    """nofp_bank ROUNDS under threadtrace with opts, --summary-csv, --summary-json and --timeline."""
    sdir, sjson, tl = tmp_path / "s", tmp_path / "s.json", tmp_path / "tl.json"
    p = subprocess.run([str(TT), "-q", *opts, "--summary-csv", str(sdir), "--summary-json", str(sjson),
                        "--timeline", str(tl), "--", str(DEMOS / "nofp_bank"), ROUNDS],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    demo = {}
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in ("ADDR", "TID"):
            demo[parts[1]] = parts[2]
    with open(sdir / "sites.csv", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["site", "tgid", "addr", "lock", "waits", "total_wait_ns", "frames"]
        sites = {r["site"]: r for r in reader}
    timeline = json.loads(tl.read_text())["traceEvents"]
    blocked = [e for e in timeline if e.get("ph") == "X" and e.get("cat") == "blocked"]
    return p, demo, sites, json.loads(sjson.read_text()), blocked


def test_every_wait_names_its_call_site(tmp_path):
    events = tmp_path / "e.csv"
    p, demo, sites, summary, blocked = run(tmp_path, "--stacks", "--csv", "-w", str(events))
    rows = parse_csv(events.read_text())
    assert not [r for r in rows if r["event"] == "lost"], rows  # the sums below need every event
    waits = [r for r in rows if r["event"] == "wait"]
    assert waits
    per_site = {}
    for r in waits:
        # every wait has a site, and sites.csv knows it: its word, frames named
        assert re.fullmatch(r"0x[0-9a-f]+", r["site"]), r
        assert r["site"] in sites, (r, sorted(sites))
        s = sites[r["site"]]
        assert (s["tgid"], s["addr"]) == (r["tgid"], r["addr"]), (r, s)
        assert s["frames"], s
        n, total = per_site.get(r["site"], (0, 0))
        per_site[r["site"]] = (n + 1, total + int(r["dur_ns"]))
    # per site: its waits and their total are the events' (the kernel counts both from one wait)
    for sid, (n, total) in per_site.items():
        s = sites[sid]
        assert int(s["waits"]) == n, (s, n)
        assert abs(int(s["total_wait_ns"]) - total) <= 0.01 * total, (s, total)

    # the demo's known call chains, by the word each wait is on and the thread that waited
    account, cond = demo["account"].lower(), demo["queue_cond"].lower()
    chains = {}
    for r in waits:
        chains.setdefault((r["addr"], int(r["tid"])), set()).add(tuple(names(sites[r["site"]]["frames"])))
    main_tid, depositor, waiter = int(waits[0]["tgid"]), int(demo["depositor"]), int(demo["waiter"])

    def after(chain, fn):
        """The chain from fn outward (the demo's part and its root)."""
        return list(chain[chain.index(fn):]) if fn in chain else None

    deposits = [(tid, c) for (addr, tid), cs in chains.items() if addr == account for c in cs]
    assert deposits, chains  # at least one side waited on the account's mutex
    for tid, c in deposits:
        want = ["deposit", "depositor_main", *THREAD_ROOT] if tid == depositor else ["deposit", "main", *MAIN_ROOT]
        assert tid in (depositor, main_tid) and after(c, "deposit") == want, (tid, c)
    # the waiter's waits (the condition's word inside the pthread_cond_t, its mutex) all in wait_for_work
    waiter_waits = {(addr, c) for (addr, tid), cs in chains.items() if tid == waiter for c in cs}
    assert any(0 <= int(addr, 16) - int(cond, 16) < 48 for addr, _ in waiter_waits), (cond, waiter_waits)
    assert all(after(c, "wait_for_work") == ["wait_for_work", "waiter_main", *THREAD_ROOT]
               for _, c in waiter_waits), waiter_waits
    # main's join of the depositor, in main
    joins = [c for (addr, tid), cs in chains.items() if tid == main_tid and addr != account for c in cs]
    assert any(after(c, "main") == ["main", *MAIN_ROOT] and "__pthread_clockjoin_ex" in c for c in joins), chains

    # --summary-json's sites: the same ids, totals and frames
    js = [s for lock in summary["locks"] for s in lock["sites"]]
    assert js
    for s in js:
        assert s["site"] in per_site, (s, per_site)
        n, total = per_site[s["site"]]
        assert s["waits"] == n and abs(s["total_wait_ns"] - total) <= 0.01 * total, (s, n, total)
        assert s["frames"] == sites[s["site"]]["frames"], (s, sites[s["site"]])

    # the timeline's blocked slices: the same waits, each with its site's id and frames
    assert blocked
    slice_sites = set()
    for e in blocked:
        args = e.get("args", {})
        assert args.get("site") in sites, e
        assert args["stack"] == sites[args["site"]]["frames"], e
        slice_sites.add(args["site"])
    assert slice_sites == set(per_site), (slice_sites, set(per_site))
    # the slices last as long as the waits, from the sleep to the wake-up
    slice_us = sum(e["dur"] for e in blocked)
    wait_us = sum(t for _, t in per_site.values()) / 1000
    assert abs(slice_us - wait_us) <= 0.05 * wait_us, (slice_us, wait_us)


def test_json_events_carry_the_site(tmp_path):
    events = tmp_path / "e.jsonl"
    p, demo, sites, summary, blocked = run(tmp_path, "--stacks", "-o", "json", "-w", str(events))
    evs = [json.loads(l) for l in events.read_text().splitlines()]
    assert all(list(e) == CSV_COLUMNS for e in evs)
    waits = [e for e in evs if e["event"] == "wait"]
    assert waits and all(e["site"] in sites for e in waits), (waits, sorted(sites))
    assert all(e["site"] is None for e in evs if e["event"] != "wait")


def test_without_stacks_no_site(tmp_path):
    events = tmp_path / "e.csv"
    p, demo, sites, summary, blocked = run(tmp_path, "--csv", "-w", str(events))
    rows = parse_csv(events.read_text())
    waits = [r for r in rows if r["event"] == "wait"]
    assert waits and all(r["site"] == "" for r in rows), [r for r in rows if r["site"]]
    assert sites == {}  # sites.csv: its header only
    assert blocked and not any("site" in e.get("args", {}) or "stack" in e.get("args", {}) for e in blocked)
