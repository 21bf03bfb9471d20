"""-o json (the CSV's events as JSON lines) and --summary-json, checked against the CSV views."""
import csv
import json
import os
import subprocess

from conftest import CSV_COLUMNS, DEMOS, PYTHON, TT
from test_reliability import HOSTILE


def run_json(cmd, tmp_path, extra=()):
    out, summary, sdir = tmp_path / "e.jsonl", tmp_path / "s.json", tmp_path / "s"
    sdir.mkdir()
    p = subprocess.run([str(TT), "-o", "json", "-w", str(out), "--summary-json", str(summary),
                        "--summary-csv", str(sdir), *extra, "--", *map(str, cmd)],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, TT_SCALE="0.25"))
    events = [json.loads(l) for l in out.read_text().splitlines()]
    return p, events, json.loads(summary.read_text()), sdir


def test_json_lines_have_the_csv_fields_and_facts(tmp_path):
    p, events, summary, sdir = run_json([DEMOS / "mtsleep3"], tmp_path)
    assert p.returncode == 0
    assert all(list(e) == CSV_COLUMNS for e in events)  # same names, same order
    tids = {l.split()[1]: int(l.split()[2]) for l in p.stdout.splitlines() if l.startswith("TID ")}
    joins = [(e["tid"], e["peer_tid"], e["detail"]) for e in events if e["event"] == "join"]
    assert joins == [(tids["main"], tids["loop0"], "pthread"), (tids["main"], tids["loop1"], "pthread")]
    exits = {e["tid"]: e["detail"] for e in events if e["event"] == "exit"}
    assert exits == {tids["main"]: "process-exit", tids["loop0"]: "exited", tids["loop1"]: "exited"}
    assert events[0]["event"] == "trace" and events[-1]["detail"] == "stop"
    # the summary document says what the summary CSV says
    with open(sdir / "threads.csv", newline="") as f:
        rows = {int(r["tid"]): r for r in csv.DictReader(f)}
    assert {t["tid"] for t in summary["threads"]} == set(rows)
    for t in summary["threads"]:
        r = rows[t["tid"]]
        assert (t["oncpu_ns"], t["lock_ns"], t["exit"]) == (int(r["oncpu_ns"]), int(r["lock_ns"]), r["exit"])
    assert summary["verdict"]["gil_like"] is False


def test_summary_json_names_the_gil_like_lock(tmp_path):
    p, events, summary, sdir = run_json([DEMOS / "gil", "4"], tmp_path, extra=["-q"])
    assert p.returncode == 0
    assert summary["verdict"]["gil_like"] is True and summary["verdict"]["lock"] == "big_lock+0x0"
    big = [l for l in summary["locks"] if l["symbol"] == "big_lock+0x0"]
    assert len(big) == 1 and big[0]["gil_like"] is True and big[0]["kind"] == "mutex"
    waits = [e for e in events if e["event"] == "wait" and e["addr"] == big[0]["addr"]]
    assert len(waits) == big[0]["waits"]
    assert abs(sum(l["time_ns"] * l["running"] for l in summary["parallelism"]) /
               sum(l["time_ns"] for l in summary["parallelism"]) - summary["parallelism_mean"]) < 1e-3


def test_hostile_names_give_valid_json(tmp_path):
    prog = ("import threading,time\n"
            f"names={HOSTILE!r}\n"
            "def f(n):\n"
            "    with open('/proc/thread-self/comm','wb') as c: c.write(n)\n"
            "    time.sleep(0.05)\n"
            "for n in names:\n"
            "    t=threading.Thread(target=f,args=(n,)); t.start(); t.join()\n")
    p, events, summary, _ = run_json([PYTHON, "-c", prog], tmp_path)
    assert p.returncode == 0
    renames = [e["name"] for e in events if e["event"] == "rename"]
    # valid UTF-8 round-trips exactly; bytes that are not UTF-8 become U+FFFD
    assert renames == [n.decode("utf-8", errors="replace") for n in HOSTILE]
    assert {n.decode("utf-8", errors="replace") for n in HOSTILE} <= {t["name"] for t in summary["threads"]}
