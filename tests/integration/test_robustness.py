"""Robustness: the parsers and the event decoder under libFuzzer (ASan + UBSan, tests/fuzz/), and
threadtrace itself under valgrind's Memcheck (invalid accesses, uninitialised values, leaks)."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import BUILD, DEMOS, ROOT, TT, parse_csv, read_summary

FUZZ = ROOT / "tests" / "fuzz"
FUZZERS = ["events", "maps", "elf", "text"]
FUZZ_SECONDS = 5  # each: 20 s of fuzzing in all


def tail(text, n=40):
    return "\n".join(text.splitlines()[-n:])


@pytest.fixture(scope="module")
def fuzzers():
    """tests/fuzz/build.sh: the fuzz targets, built (or brought up to date) in build/fuzz/."""
    p = subprocess.run([str(FUZZ / "build.sh")], capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout + p.stderr
    bins = {name: BUILD / "fuzz" / f"fuzz_{name}" for name in FUZZERS}
    for b in bins.values():
        assert os.access(b, os.X_OK), f"{b} was not built"
    return bins


def test_seed_corpus_is_small_and_complete():
    for name in FUZZERS:
        seeds = [p for p in (FUZZ / "corpus" / name).iterdir() if p.is_file()]
        assert len(seeds) >= 3, f"corpus/{name} has {len(seeds)} seeds"
    total = sum(p.stat().st_size for p in (FUZZ / "corpus").rglob("*") if p.is_file())
    assert total < 200_000, f"seed corpus is {total} bytes"


@pytest.mark.parametrize("name", FUZZERS)
def test_fuzzer_runs_clean(name, fuzzers, tmp_path):
    # a copy of the corpus: libFuzzer adds the inputs it finds to the folder it is given
    repo_corpus = FUZZ / "corpus" / name
    before = sorted(p.name for p in repo_corpus.iterdir())
    corpus = tmp_path / "corpus"
    shutil.copytree(repo_corpus, corpus)
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    dictionary = FUZZ / f"{name}.dict"
    opts = [f"-dict={dictionary}"] if dictionary.exists() else []
    p = subprocess.run([str(fuzzers[name]), *opts, f"-max_total_time={FUZZ_SECONDS}", "-rss_limit_mb=2048",
                        "-timeout=10", "-print_final_stats=1", f"-artifact_prefix={artifacts}/",
                        str(corpus)],
                       capture_output=True, text=True, timeout=FUZZ_SECONDS + 120)
    log = p.stdout + p.stderr
    found = sorted(a.name for a in artifacts.iterdir())
    assert p.returncode == 0 and not found, \
        f"fuzz_{name} failed (exit {p.returncode}, inputs kept: {found}):\n{tail(log)}"
    done = re.search(r"^Done (\d+) runs in (\d+) second", log, re.M)
    assert done, tail(log)
    runs = int(done.group(1))
    assert runs > 0, tail(log)
    # the seeds were read: libFuzzer starts from a non-empty corpus
    inited = re.search(r"INITED cov: (\d+) ft: \d+ corp: (\d+)/", log)
    assert inited and int(inited.group(1)) > 0 and int(inited.group(2)) > 0, tail(log)
    for bad in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "check failed"):
        assert bad not in log, tail(log)
    assert sorted(p.name for p in repo_corpus.iterdir()) == before, "the repo's corpus changed"


# ---- valgrind -------------------------------------------------------------------------------

@pytest.fixture
def valgrind_run(tmp_path):
    """Runs `threadtrace --csv -w FILE --summary-csv DIR ARGS -- CMD` under Memcheck.

    Only the bpf() false positives in tests/fuzz/valgrind.supp are suppressed. threadtrace
    must not call pthread_join itself while its join uprobes are attached (valgrind would run
    the int3 the kernel wrote into libc and die of SIGTRAP): this test also holds that.
    """
    valgrind = shutil.which("valgrind")
    assert valgrind, "valgrind is missing: apt-get install valgrind"

    def run(args, cmd):
        out, summary, log = tmp_path / "trace.csv", tmp_path / "summary", tmp_path / "valgrind.log"
        summary.mkdir()
        env = dict(os.environ, TT_SCALE="0.1")
        p = subprocess.run([valgrind, "--error-exitcode=99", "--leak-check=full",
                            "--errors-for-leak-kinds=definite", "--track-fds=no",
                            f"--suppressions={FUZZ / 'valgrind.supp'}", f"--log-file={log}",
                            str(TT), "--csv", "-w", str(out), "--summary-csv", str(summary), *args,
                            "--", *map(str, cmd)],
                           capture_output=True, text=True, timeout=300, env=env)
        text = log.read_text()
        # the leak kinds the demo cannot cause: all of them are threadtrace's
        problems = [l for l in text.splitlines()
                    if re.search(r"Invalid (read|write|free)|uninitialised|unaddressable|"
                                 r"definitely lost in loss record|Process terminating|"
                                 r"Mismatched free|overlap", l)]
        assert "Memcheck" in text and "Command:" in text, text
        assert p.returncode == 0 and not problems, \
            f"exit {p.returncode}; {problems[:10]}\n{tail(text, 80)}\n{p.stderr}"
        assert re.search(r"ERROR SUMMARY: 0 errors", text), tail(text)
        assert not re.search(r"definitely lost: [1-9]", text), tail(text)
        rows = parse_csv(out.read_text())
        return p, rows, read_summary(summary)
    return run


def demo_joins(stdout):
    return [tuple(map(int, l.split()[1:])) for l in stdout.splitlines() if l.startswith("JOIN ")]


def test_valgrind_mtsleep3(valgrind_run):
    p, rows, summary = valgrind_run([], [DEMOS / "mtsleep3"])
    joins = [(int(r["tid"]), int(r["peer_tid"])) for r in rows if r["event"] == "join"]
    assert len(joins) == 2 and joins == demo_joins(p.stdout), (joins, p.stdout)
    assert all(r["detail"] == "pthread" for r in rows if r["event"] == "join")
    assert [r["detail"] for r in rows if r["event"] == "trace"][-1] == "stop"
    assert len(summary["threads"]) == 3


def test_valgrind_gil_with_stacks(valgrind_run):
    p, rows, summary = valgrind_run(["--stacks"], [DEMOS / "gil", 2])
    joins = [(int(r["tid"]), int(r["peer_tid"])) for r in rows if r["event"] == "join"]
    assert len(joins) == 2 and joins == demo_joins(p.stdout), (joins, p.stdout)
    # symbols under valgrind too: the demo's mutex by name, contended by both workers
    big = [r for r in summary["locks"] if r["symbol"] == "big_lock+0x0"]
    assert big and big[0]["role"] == "contention" and int(big[0]["waits"]) > 0, summary["locks"]
    assert int(big[0]["threads"]) == 2
