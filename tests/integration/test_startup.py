"""Start-up cost, guarded without a clock: the instructions the kernel's verifier walks for each
program (its `verified_insns`, /proc/PID/fdinfo of the tracer's program fds).

Verification was most of threadtrace's start-up (docs/performance.md, "Start-up"): the
scheduler program alone walked 33,915 instructions (bounded loops checked once per iteration,
helpers inlined at each caller, branches that multiplied the paths), about 40 ms of 80. The count
depends only on the programs and the kernel, not on the machine's load, so a change that brings
the cost back fails here rather than as a slower bench row. The budgets leave room for small
changes (and other kernels' verifiers), not for a loop unrolled again."""
import json
import signal
import subprocess
import time

import pytest

from conftest import DEMOS, TT, fdinfo_of

# program -> most instructions its verification may walk (today's counts are in the comments;
# before the start-up work, in brackets: each budget fails on that code)
BUDGETS = {
    "on_sched_switch": 8000,    # 4,991 -q, 5,301 --timeline  [33,915; 34,427]
    "on_sched_waking": 3000,    # 1,959-2,098                 [3,536-3,824]
    "on_thread_exit": 3500,     # 2,586-2,683                 [4,661-5,043]
    "on_new_task": 1500,        # 554-762
}
OTHER_BUDGET = 1000             # each of the small ones: 9-340
TOTAL_BUDGET = 15000            # every program of a -q run: 10,957  [43,573]
# --stacks adds the 32-word stack scan (a bounded loop in futex.bpf.h's scan_stack) to the
# scheduler program: 20,401 today [63,224]
STACKS_SWITCH_BUDGET = 30000

EXPECTED = {"on_sched_switch", "on_sched_waking", "futex_timer_fires", "on_new_task",
            "on_thread_exit", "on_task_rename", "on_exec", "join_core", "join_enter",
            "join_return", "py_thread_exit"}


def verified_insns_of(pid):
    """prog id -> verified_insns of the BPF programs process pid holds open."""
    # a program's fdinfo (a link's has a prog_id too, no verified_insns)
    return {int(f["prog_id"]): int(f["verified_insns"]) for f in fdinfo_of(pid) if "verified_insns" in f}


def program_names():
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True).stdout
    return {p["id"]: p.get("name", "") for p in json.loads(out or "[]")}


def loaded_counts(demo_proc, args):
    """Traces an idle demo with args; returns {program name: verified_insns} once all are loaded."""
    d = demo_proc([DEMOS / "idle", "1"])
    d.wait_for("READY")
    tt = subprocess.Popen([str(TT), *args, "-p", str(d.proc.pid)], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    counts = {}
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and tt.poll() is None:
            ids = verified_insns_of(tt.pid)
            names = program_names()
            counts = {names.get(i, str(i)): n for i, n in ids.items()}
            if EXPECTED <= counts.keys():
                break
            time.sleep(0.05)
    finally:
        if tt.poll() is None:
            tt.send_signal(signal.SIGINT)
        try:
            _, err = tt.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            tt.kill()
            tt.communicate()
            raise
    assert tt.returncode == 0, err
    assert EXPECTED <= counts.keys(), f"not all programs loaded: {sorted(counts)}"
    return counts


@pytest.mark.parametrize("args", [["-q"], ["-q", "-f"], ["--csv", "-w", "{tmp}/t.csv", "--timeline",
                                                          "{tmp}/t.json"]],
                         ids=["summary", "follow", "csv-timeline"])
def test_each_program_verifies_within_its_budget(demo_proc, tmp_path, args):
    counts = loaded_counts(demo_proc, [a.format(tmp=tmp_path) for a in args])
    over = {p: n for p, n in counts.items() if n > BUDGETS.get(p, OTHER_BUDGET)}
    assert not over, f"over budget: {over} (all: {counts})"
    if args == ["-q"]:
        assert sum(counts.values()) <= TOTAL_BUDGET, counts


def test_stacks_scheduler_program_within_its_budget(demo_proc):
    counts = loaded_counts(demo_proc, ["-q", "--stacks"])
    assert counts["on_sched_switch"] <= STACKS_SWITCH_BUDGET, counts
    assert counts["on_sched_waking"] <= BUDGETS["on_sched_waking"], counts
