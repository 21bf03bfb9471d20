"""tests/run.sh's closing line counts this run's tests, once each: run on a tiny suite of its
own (TT_TESTS, TT_JUNIT), never on this one."""
import subprocess

from conftest import ROOT

RUN_SH = ROOT / "tests" / "run.sh"

MIXED = '''
import pytest

@pytest.fixture
def breaks_in_teardown():
    yield
    raise RuntimeError("teardown")

def test_passes():
    pass

def test_passes_then_errors_in_teardown(breaks_in_teardown):
    pass

def test_fails():
    assert 1 == 2

def test_skipped():
    pytest.skip("on purpose")
'''

EXIT_AT_START = '''
import pytest

def pytest_sessionstart(session):
    pytest.exit("the suite cannot run here", returncode=1)
'''


def run(suite, *args):
    junit = suite.parent / f"{suite.name}.xml"
    p = subprocess.run([str(RUN_SH), *args], capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "TT_TESTS": str(suite), "TT_JUNIT": str(junit)})
    return p, p.stdout.strip().splitlines()[-1], junit


def suite_of(tmp_path, name, files):
    d = tmp_path / name
    d.mkdir()
    for f, text in files.items():
        (d / f).write_text(text)
    return d


def test_teardown_error_after_a_pass_is_one_failure(tmp_path):
    suite = suite_of(tmp_path, "mixed", {"test_mixed.py": MIXED})
    p, last, _ = run(suite)
    assert last == "1 passed, 2 failed, 1 skipped", p.stdout
    assert p.returncode != 0


def test_all_passing(tmp_path):
    suite = suite_of(tmp_path, "good", {"test_good.py": "def test_a():\n    pass\n\n"
                                                         "def test_b():\n    pass\n"})
    p, last, junit = run(suite)
    assert last == "2 passed, 0 failed", p.stdout
    assert p.returncode == 0 and junit.exists()


def test_earlier_report_is_not_counted_when_pytest_stops_at_start(tmp_path):
    good = suite_of(tmp_path, "s", {"test_good.py": "def test_a():\n    pass\n"})
    p, last, junit = run(good)
    assert last == "1 passed, 0 failed" and junit.exists(), p.stdout
    # same report path, now a suite whose session start exits: the old report must not count
    (good / "conftest.py").write_text(EXIT_AT_START)
    p, last, junit = run(good)
    assert last == "0 passed, 1 failed", p.stdout + p.stderr
    assert p.returncode != 0 and not junit.exists()


def test_usage_error_is_a_failure(tmp_path):
    suite = suite_of(tmp_path, "u", {"test_good.py": "def test_a():\n    pass\n"})
    p, last, _ = run(suite, "--no-such-option")
    assert last == "0 passed, 1 failed", p.stdout + p.stderr
    assert p.returncode != 0
