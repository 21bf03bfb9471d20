"""The C unit tests (built with ASan and UBSan) run as part of the suite, each test function
counted as one entry of the closing "N passed, N failed" line.

Each binary runs once; its `RUN(fn);` lines (read from the source) name the entries. check.h
prints "ok   fn" or "FAIL fn" per function, then "N passed, N failed"."""
import functools
import re
import subprocess

import pytest

from conftest import BUILD, ROOT

SOURCES = sorted((ROOT / "tests" / "unit").glob("test_*.c"))
RUN_LINE = re.compile(r"^\s*RUN\((\w+)\);", re.M)
FUNCS = {p.stem: RUN_LINE.findall(p.read_text()) for p in SOURCES}


@functools.lru_cache(maxsize=None)
def run_binary(name):
    p = subprocess.run([str(BUILD / "tests" / name)], capture_output=True, text=True, timeout=300)
    results = {}
    for line in p.stdout.splitlines():
        m = re.fullmatch(r"(ok  |FAIL) (\w+)", line)
        if m:
            assert m.group(2) not in results, f"{name}: {m.group(2)} reported twice"
            results[m.group(2)] = m.group(1).strip()
    return p, results


def sanitizer_clean(p):
    return not any(s in p.stderr for s in ("runtime error", "AddressSanitizer", "LeakSanitizer"))


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_unit_binary(name):
    """The whole run: exit status, sanitizers, and a summary line that agrees with the lines
    of the functions the source runs (none missing, none unknown)."""
    p, results = run_binary(name)
    out = p.stdout + p.stderr
    assert sanitizer_clean(p), out
    assert sorted(results) == sorted(FUNCS[name]), out
    failed = sum(r == "FAIL" for r in results.values())
    assert p.stdout.strip().splitlines()[-1] == f"{len(results) - failed} passed, {failed} failed", out
    assert p.returncode == (1 if failed else 0), out


@pytest.mark.parametrize("name,fn", [(n, f) for n in sorted(FUNCS) for f in FUNCS[n]],
                         ids=lambda v: v)
def test_unit(name, fn):
    p, results = run_binary(name)
    # the lines this function printed: from the previous result line to its own
    lines = p.stdout.splitlines()
    mine = [l for l in lines if l.endswith(f" {fn}") and l[:4] in ("ok  ", "FAIL")]
    end = lines.index(mine[0]) if mine else len(lines)
    start = max((i for i in range(end) if re.fullmatch(r"(ok  |FAIL) \w+", lines[i])),
                default=-1) + 1
    detail = "\n".join(lines[start:end + 1]) + "\n" + p.stderr
    assert results.get(fn) == "ok", f"{name}: {fn}: {results.get(fn, 'never finished')}\n{detail}"
    assert sanitizer_clean(p), p.stderr
