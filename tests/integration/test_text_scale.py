"""A report of many threads stays readable (issue 12, item 8): the text tables list the threads
that blocked on futex words and ran the most (and each main thread), then one line for the rest;
--all and --summary-csv keep every one. Ground truth: demos/manythreads starts 200 threads."""
import csv
import os
import subprocess

from conftest import DEMOS, SCALE, TT

TOP = 40
NTHREADS = 200


def run(tmp_path, *args):
    summary = tmp_path / ("summary" + "".join(args))
    summary.mkdir()
    p = subprocess.run([str(TT), "-q", "--summary-csv", str(summary), *args, "--",
                        str(DEMOS / "manythreads"), str(NTHREADS)],
                       capture_output=True, text=True, timeout=120, env=dict(os.environ, TT_SCALE=SCALE))
    assert p.returncode == 0, p.stderr
    with open(summary / "threads.csv", newline="") as f:
        threads = list(csv.DictReader(f))
    return p.stderr, threads  # with a command, the report is on stderr


def table(report, title):
    """The tids of a text table's rows, and its closing "... and N more threads" line if any."""
    lines = report.split(title, 1)[1].splitlines()[2:]
    tids, more = [], None
    for line in lines:
        if line.startswith("  ... and "):
            more = int(line.split()[2])
            break
        if not line.strip() or not line.split()[0].isdigit():
            break
        tids.append(int(line.split()[0]))
    return tids, more


def test_many_threads_top_rows_and_one_line_for_the_rest(tmp_path):
    report, threads = run(tmp_path)
    assert len(threads) == NTHREADS + 1  # and main: every thread in the CSV
    main = [int(r["tid"]) for r in threads if r["tid"] == r["tgid"]]
    weight = {int(r["tid"]): int(r["lock_ns"]) + int(r["oncpu_ns"]) for r in threads}
    top = sorted(weight, key=lambda tid: (-weight[tid], tid))[:TOP]
    want = set(top) | set(main)
    for title in ("Threads of process", "Where the threads' time went"):
        tids, more = table(report, title)
        assert set(tids) == want, title
        assert more == len(threads) - len(want), title


def test_all_lists_every_thread(tmp_path):
    report, threads = run(tmp_path, "--all")
    for title in ("Threads of process", "Where the threads' time went"):
        tids, more = table(report, title)
        assert sorted(tids) == sorted(int(r["tid"]) for r in threads) and more is None, title


def test_interval_reports_list_the_top_threads_too(tmp_path):
    # 60 idle threads and main, alive through every interval of a 1.2 s trace
    p = subprocess.run([str(TT), "-q", "-i", "0.4", "-d", "1.2", "--", str(DEMOS / "idle"), "60"],
                       capture_output=True, text=True, timeout=60, env=dict(os.environ, TT_SCALE=SCALE))
    blocks = p.stderr.split("-- interval ")[1:]
    assert len(blocks) >= 2, p.stderr
    for block in blocks:
        lines = block.splitlines()[2:]
        rows = [l for l in lines[:TOP + 2] if l.split() and l.split()[0].isdigit()]
        more = [l for l in lines if l.startswith("  ... and ")]
        assert len(rows) in (TOP, TOP + 1) and more, block[:300]
        assert int(more[0].split()[2]) == 61 - len(rows)
